"""Text analysis shared by every search: articles, tickets, queries.

Text is normalised (NFKC, lower case, traditional folded to simplified Chinese), split into
runs of Chinese and of Latin letters/digits, and each run analysed on its own: Chinese by
jieba with a crypto user dictionary (so 谷歌验证器 and 助记词 stay whole), English by the
Snowball stemmer with stop words removed. Mixed text ("USDT 提币 pending") yields both kinds.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

import jieba
import opencc
import Stemmer

_HERE = Path(__file__).resolve().parent
USER_DICT = _HERE / "userdict.txt"

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"
_RUNS = re.compile(rf"([{_CJK}]+)|([a-z0-9]+)")
_HAS_CJK = re.compile(rf"[{_CJK}]")

EN_STOP = frozenset(
    """a about after again all am an and any are as at be been before being but by can could
    did do does doing for from had has have having how i if in into is it its just me my no
    nor not of on or our out so than that the their them then there these they this to too
    up very was we were what when where which while who why will with would you your yours
    pls please hi hello thanks thank""".split()
)
ZH_STOP = frozenset(
    """的 了 吗 呢 吧 啊 呀 哦 嘛 么 我 我的 你 你们 您 他 她 它 是 在 有 和 与 及 或 就 都 也 还
    还是 这 那 这个 那个 怎么 怎么办 怎样 如何 为什么 为何 什么 哪 哪里 请问 请
    一下 一个 个 把 被 给 让 要 想 能 会 可以 不 没 没有 已经 但是 但 因为 所以
    如果 时候 现在 今天 问题 一直 好久 从 去 到 来 对 向 为 以 于 过 着""".split()
)


# Simplified forms that official conversion keeps apart but users mix freely in finance text.
_DOMAIN_FOLDS = {"帐": "账"}


@cache
def _t2s_table() -> dict[int, str]:
    """Character folding table from traditional to simplified (first OpenCC candidate)."""
    path = Path(opencc.__file__).resolve().parent / "dictionary" / "TSCharacters.txt"
    table: dict[int, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        source, _, targets = line.partition("\t")
        target = targets.split(" ")[0] if targets else ""
        if len(source) == 1 and len(target) == 1 and source != target:
            table[ord(source)] = _DOMAIN_FOLDS.get(target, target)
    for source, target in _DOMAIN_FOLDS.items():
        table[ord(source)] = target
    return table


_jieba_lock = threading.Lock()
jieba.setLogLevel(logging.WARNING)  # it logs every dictionary load at DEBUG to the root logger


@cache
def _tokenizer() -> jieba.Tokenizer:
    with _jieba_lock:
        tok = jieba.Tokenizer()
        tok.initialize()
        tok.load_userdict(str(USER_DICT))
        return tok


@cache
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def normalise(text: str) -> str:
    """NFKC (full-width letters and digits become ASCII), lower case, simplified Chinese."""
    return unicodedata.normalize("NFKC", text).lower().translate(_t2s_table())


def to_simplified(text: str) -> str:
    """Traditional characters folded to simplified, one character for one (lengths kept)."""
    return text.translate(_t2s_table())


def has_chinese(text: str) -> bool:
    return _HAS_CJK.search(text) is not None


def stem(word: str) -> str:
    return str(_stemmer().stemWord(word))


@lru_cache(maxsize=4096)
def _analyse_cjk(run: str) -> tuple[str, ...]:
    words = [w for w in _tokenizer().cut_for_search(run, HMM=True) if w not in ZH_STOP]
    return tuple(words)


def latin_words(text: str) -> list[str]:
    """The Latin-script words of ``text`` (normalised, stop words removed, not stemmed)."""
    return [m.group(2) for m in _RUNS.finditer(normalise(text)) if m.group(2)]


def analyse(text: str) -> list[str]:
    """The index terms of ``text``, in order (repeats kept: they are term frequencies)."""
    terms: list[str] = []
    for match in _RUNS.finditer(normalise(text)):
        cjk, latin = match.group(1), match.group(2)
        if cjk:
            terms.extend(_analyse_cjk(cjk))
        elif latin and latin not in EN_STOP and len(latin) < 80:
            terms.append(stem(latin) if latin.isalpha() else latin)
    return terms


def warm_up() -> None:
    """Load the dictionaries now rather than on the first request (about a second)."""
    analyse("充值 warm up")
