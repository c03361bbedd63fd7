"""The best section of the best published article for a customer's message.

Search (``search.services.search_articles``) ranks whole articles by reciprocal-rank fusion of
BM25 and e5 similarity; that rank says which article is first, not how sure we may be. The
assistant re-ranks the top hits on what does carry that signal, the e5 similarity, with BM25
as a tie-breaker and a small bonus when the article is filed under triage's intent, and turns
the winner's score into a 0..1 confidence (``confidence_of``). Within the article, the section
(split on ``## `` headings; the lead paragraph counts as one) holding most of the message's
rarer words is the answer, rendered as plain text with the exchange's values filled in.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from markdown_it import MarkdownIt
from markdown_it.token import Token
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.kb.models import Article, ArticleStatus
from ledgerdesk.kb.render import PLACEHOLDER_RE, substitute
from ledgerdesk.search.analysis import analyse, to_simplified
from ledgerdesk.search.services import ArticleHit, check_query, search_articles

CANDIDATES = 5
# Re-ranking and confidence (tuned on our own sanity list, tests/assistant/test_engine.py;
# numbers in the module docstring of that test). e5 cosine of unrelated support text reaches
# ~0.80; a right answer sits at 0.86-0.95.
LEXICAL_WEIGHT = 0.05  # × BM25 / LEXICAL_CAP
LEXICAL_CAP = 30.0
INTENT_BONUS = 0.01
TITLE_WEIGHT = 0.04  # × the share of the message's words in the article's title
HEADING_SHARE = 0.25  # a section heading counts this much of a title
# Reranked score that means "nothing" (confidence 0) and "certain" (confidence 1), per
# article language: e5 places Chinese texts closer together than English ones (unrelated
# Chinese questions reach 0.88, unrelated English ones 0.85).
SCALE: dict[str, tuple[float, float]] = {"en": (0.80, 0.95), "zh-CN": (0.84, 0.97)}
HEADING_WEIGHT = 2.0
# How far the best article stands out from the runner-up adds to the confidence (not to the
# rank): a message about one of our topics lifts one article clear of its neighbours, an
# off-topic one ("the best hardware wallet") leaves several near-equal weak hits.
MARGIN_WEIGHT = 1.0
MARGIN_CAP = 0.03

_MD = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)
_HEADING = re.compile(r"^##\s+(.+?)\s*#*\s*$")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_QUANTITY = re.compile(
    r"\b(?:how (?:many|much|long)|minimum|maximum|min|max|limits?|fees?|rates?|when)\b|"
    r"多少|几个|几天|多久|多长时间|最少|最低|最多|上限|下限|限额|手续费|费率|什么时候"
)
_VALUE_TERM = "\x00value"
# Sections about the interface's states or about writing to us restate the problem in the
# customer's words ("if your verification was rejected...") without solving it: they win
# only when clearly better.
_META_HEADING = re.compile(
    r"^(?:what you will see|contact us|when to contact us|who to contact|still nothing|"
    r"您会看到|联系客服|何时联系我们|联系我们)"
)
META_FACTOR = 0.5


@dataclass(frozen=True)
class Section:
    heading: str  # "" for the lead paragraph
    markdown: str


@dataclass(frozen=True)
class Retrieved:
    """The answer retrieval found: one section of one article, ready to say."""

    article_id: int
    slug: str
    lang: str
    title: str
    heading: str
    text: str  # plain text, values filled, links written out
    confidence: float
    rank_score: float
    intents: tuple[str, ...] = ()  # the article's triage intents


def split_sections(body: str) -> list[Section]:
    """The article body cut at its ``## `` headings; text before the first is the lead."""
    sections: list[Section] = []
    heading, lines = "", list[str]()
    fenced = False
    for line in body.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        found = None if fenced else _HEADING.match(line)
        if found:
            if "\n".join(lines).strip():
                sections.append(Section(heading, "\n".join(lines).strip()))
            heading, lines = found.group(1).strip(), []
        else:
            lines.append(line)
    if "\n".join(lines).strip() or heading:
        sections.append(Section(heading, "\n".join(lines).strip()))
    return sections


def _terms(text: str) -> set[str]:
    """Analysed terms plus Chinese character pairs (jieba keeps 确认数 whole; 确认 should
    still match it)."""
    folded = to_simplified(text)
    pairs = {a + b for run in _CJK_RUN.findall(folded) for a, b in pairwise(run)}
    return set(analyse(folded)) | pairs


def best_section(query: str, sections: Sequence[tuple[str, str, bool]]) -> int:
    """Which of ``sections`` (heading, plain text with values filled, whether it states one
    of the exchange's values) shares the most (rarer-within-the-article) words with
    ``query``; the earliest on a tie, so a question matching nothing in particular gets the
    lead. A question about a quantity ("how many", "多久") counts the exchange's values as a
    matching word: they are what it asks for."""
    if len(sections) <= 1:
        return 0
    wanted = _terms(query)
    if _QUANTITY.search(query.lower()):
        wanted.add(_VALUE_TERM)
    bodies = [
        _terms(f"{heading}\n{text}") | ({_VALUE_TERM} if valued else set())
        for heading, text, valued in sections
    ]
    headings = [_terms(heading) for heading, _, _ in sections]
    df = {t: sum(1 for b in bodies if t in b) for t in wanted}
    best, best_score = 0, 0.0
    for i, (body, head) in enumerate(zip(bodies, headings, strict=True)):
        score = 0.0
        for term in wanted & body:
            idf = math.log(1.0 + len(sections) / df[term])
            score += idf * (HEADING_WEIGHT if term in head else 1.0)
        if _META_HEADING.match(sections[i][0].strip().lower()):
            score *= META_FACTOR
        if score > best_score + 1e-9:
            best, best_score = i, score
    return best


# ---- plain text ---------------------------------------------------------------------------


def plain_text(markdown: str, values: Mapping[str, str], base_url: str = "") -> str:
    """Markdown as chat text: list items keep their bullet or number, table rows become
    "cell: cell" lines, links are written "text (url)" (site links made absolute with
    ``base_url``), placeholders filled."""
    tokens = _MD.parse(substitute(markdown, values))
    lines: list[str] = []
    lists: list[list[int]] = []  # per open list: [ordered, next number]
    row: list[str] = []
    prefix = ""
    table = False
    for token in tokens:
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            start = int(token.attrGet("start") or 1)
            lists.append([kind == "ordered_list_open", start])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open" and lists:
            ordered, number = lists[-1]
            indent = "  " * (len(lists) - 1)
            prefix = f"{indent}{number}. " if ordered else f"{indent}- "
            lists[-1][1] = number + 1
        elif kind in ("table_open", "table_close"):
            table = kind == "table_open"
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close":
            cells = [c for c in row if c]
            if cells:
                lines.append(": ".join(cells) if len(cells) == 2 else " | ".join(cells))
        elif kind == "inline":
            words = _inline(token, base_url)
            if table:
                row.append(words)
            elif words:
                lines.append(prefix + words)
                prefix = ""
        elif kind in ("fence", "code_block"):
            lines.append(token.content.strip())
    return "\n".join(line for line in lines if line.strip())


def _inline(token: Token, base_url: str) -> str:
    out: list[str] = []
    href: str | None = None
    for child in token.children or ():
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append(" ")
        elif child.type == "link_open":
            href = str(child.attrGet("href") or "")
        elif child.type == "link_close" and href:
            link = f"{base_url}{href}" if href.startswith("/") else href
            if not href.startswith("#"):
                out.append(f" ({link})")
            href = None
    return " ".join("".join(out).split())


# ---- ranking -------------------------------------------------------------------------------


def rank_score(
    hit: ArticleHit, intents: Sequence[str], intent: str | None, title_share: float = 0.0
) -> float:
    """The re-ranking score: e5 similarity, plus tie-breakers: BM25, the share of the
    message's words in the title, and whether the article is filed under triage's intent."""
    lexical = min(hit.lexical, LEXICAL_CAP) / LEXICAL_CAP
    bonus = INTENT_BONUS if intent and intent in intents else 0.0
    return hit.semantic + LEXICAL_WEIGHT * lexical + TITLE_WEIGHT * title_share + bonus


def title_share(query_terms: set[str], title: str) -> float:
    """How much of the message the title says (0..1)."""
    return len(query_terms & _terms(title)) / len(query_terms) if query_terms else 0.0


def confidence_of(score: float, lang: str, semantic: bool = True) -> float:
    """``rank_score`` on a 0..1 scale (linear between the language's SCALE ends). Without
    embeddings (semantic search off) the score is BM25 alone and says little: capped at 0.5."""
    if not semantic:
        return round(min(0.5, score / LEXICAL_WEIGHT / 2), 4)
    floor, ceiling = SCALE.get(lang, SCALE["en"])
    return round(min(1.0, max(0.0, (score - floor) / (ceiling - floor))), 4)


# Taiwan, Hong Kong and chat wording for what our (mainland) articles call otherwise;
# matched on the simplified fold.
REGIONAL: dict[str, str] = {
    "入金": "充值",
    "储值": "充值",
    "出金": "提币",
    "帐户": "账户",
    "帐号": "账号",
    "户口": "账户",
    "刷脸": "人脸识别",
    "网路": "网络",
    "二步验证": "双重验证",
    "两步验证": "双重验证",
    "二次验证": "双重验证",
    "点解": "为什么",
    "搵": "找",
    "唔该": "请",
}
_REGIONAL_RE = re.compile("|".join(map(re.escape, sorted(REGIONAL, key=len, reverse=True))))


# Chat spelling of the words our English articles use.
TYPOS: dict[str, str] = {
    "adress": "address",
    "addres": "address",
    "adresses": "addresses",
    "withdrawl": "withdrawal",
    "withdrawls": "withdrawals",
    "withdrawel": "withdrawal",
    "widthdraw": "withdraw",
    "withdrawed": "withdrew",
    "recieve": "receive",
    "recieved": "received",
    "recive": "receive",
    "recived": "received",
    "acount": "account",
    "accout": "account",
    "acc": "account",
    "verfication": "verification",
    "verifcation": "verification",
    "pasword": "password",
    "passwrod": "password",
    "pw": "password",
    "transfered": "transferred",
    "txn": "transaction",
    "tx": "transaction",
    "confirmtions": "confirmations",
    "confirmaton": "confirmation",
    "authenticater": "authenticator",
    "ur": "your",
    "u": "you",
    "pls": "please",
    "plz": "please",
}
_TYPO_RE = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, TYPOS)) + r")(?![\w-])", re.I)


def search_text(text: str, lang: str) -> str:
    """The query as search wants it: Chinese folded to simplified (the articles' script, so
    e5 compares like with like) with regional wording and chat spelling in the articles'
    words, within the query limit."""
    value = text
    if lang == "en":
        value = _TYPO_RE.sub(lambda m: TYPOS[m.group(1).lower()], text)
    if lang == "zh-CN":
        value = _REGIONAL_RE.sub(lambda m: REGIONAL[m.group(0)], to_simplified(text))
    return check_query(" ".join(value.split())[:500])


def _margin(
    ranked: Sequence[tuple[float, int, ArticleHit]],
    articles: Mapping[int, Article],
    lang: str,
    values: Mapping[str, str],
    wanted: set[str],
) -> float:
    """How far the best article stands out from the runner-up on the message alone (no
    intent bonus: triage's guess must not make its own article look certain), capped."""
    if len(ranked) < 2:
        return 0.0

    def plain(hit: ArticleHit) -> float:
        return rank_score(hit, (), None, _about(articles[hit.article_id], lang, values, wanted))

    best = plain(ranked[0][2])
    others = max(plain(h) for _, _, h in ranked[1:])
    return max(0.0, min(MARGIN_CAP, best - others))


def _about(article: Article, lang: str, values: Mapping[str, str], wanted: set[str]) -> float:
    """How much of the message the article's title and tags say, plus HEADING_SHARE of what
    its best-matching section heading says ("地址证明" is a heading of the documents
    article, not its title)."""
    found = next((t for t in article.translations if t.lang == lang), None)
    headings = [s.heading for s in split_sections(found.body)] if found else []
    best = max((title_share(wanted, h) for h in headings if h), default=0.0)
    return title_share(wanted, _label(article, lang, values)) + HEADING_SHARE * best


def _label(article: Article, lang: str, values: Mapping[str, str]) -> str:
    """The title and the tags ("code-invalid" read "code invalid"): what the article is about,
    in few words."""
    tags = " ".join(str(t).replace("-", " ") for t in article.tags or ())
    return f"{_title(article, lang, values)} {tags}"


def _title(article: Article, lang: str, values: Mapping[str, str]) -> str:
    found = next((t for t in article.translations if t.lang == lang), None)
    return substitute(found.title, values) if found else ""


def retrieve(
    session: Session,
    text: str,
    lang: str,
    values: Mapping[str, str],
    *,
    base_url: str = "",
    intent: str | None = None,
) -> Retrieved | None:
    """The best published section for ``text`` in article language ``lang``, or None."""
    query = search_text(text, lang)
    hits = search_articles(session, query, lang=lang, limit=CANDIDATES) if query else []
    if not hits:
        return None
    articles = {
        a.id: a
        for a in session.scalars(
            select(Article).where(
                Article.id.in_([h.article_id for h in hits]),
                Article.status == ArticleStatus.published,
            )
        )
    }
    wanted = _terms(query)
    ranked = sorted(
        (
            (
                rank_score(
                    h,
                    articles[h.article_id].intents,
                    intent,
                    _about(articles[h.article_id], lang, values, wanted),
                ),
                i,
                h,
            )
            for i, h in enumerate(hits)
            if h.article_id in articles
        ),
        key=lambda item: (-item[0], item[1]),
    )
    if not ranked:
        return None
    score, _, hit = ranked[0]
    margin = _margin(ranked, articles, lang, values, wanted)
    article = articles[hit.article_id]
    translation = next((t for t in article.translations if t.lang == lang), None)
    if translation is None:
        return None
    rendered = [
        (
            substitute(s.heading, values),
            plain_text(s.markdown, values, base_url),
            bool(PLACEHOLDER_RE.search(s.markdown)),
        )
        for s in split_sections(translation.body)
    ]
    heading, body, _ = rendered[best_section(query, rendered)] if rendered else ("", "", False)
    return Retrieved(
        article_id=article.id,
        slug=article.slug,
        lang=lang,
        title=substitute(translation.title, values),
        heading=heading,
        text=f"{heading}\n{body}" if heading else body,
        confidence=confidence_of(
            score + MARGIN_WEIGHT * margin, lang, semantic=any(h.semantic > 0 for h in hits)
        ),
        rank_score=round(score, 4),
        intents=tuple(article.intents or ()),
    )
