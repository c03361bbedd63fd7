"""BIP39 seed phrases in every wordlist ``mnemonic`` ships, however the user laid them out.

A phrase is a run of at least 12 words of one wordlist separated only by spaces, commas,
line breaks or numbering (``1.abandon 2.ability``, ``1) …``, ``1、…``); one word of the run may
be mistyped. Latin-script words are tokens; Chinese characters are tokens one by one, so an
unspaced Chinese phrase (``的一是在不了有和人这中大``) is a run too.

Ordinary Chinese prose is made of the same common characters, so an *unspaced* Chinese run
must also look random: in a window of 12 characters, the characters covered by dictionary
words of 2–4 characters (jieba's dictionary, traditional folded to simplified) are counted.
Real prose covers at least 4 of 12 (most windows 8–12); a random phrase covers 0–2 in 98 % of
cases. The threshold relaxes when the message talks about seed phrases, or when the run is
exactly a phrase length and passes the BIP39 checksum.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path

from mnemonic import Mnemonic
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from ledgerdesk.search.analysis import USER_DICT, to_simplified

# The two Chinese lists share 1,275 characters and users mix the scripts, so they are one
# detection language ("chinese"); the checksum is tried against both.
LANGUAGES = (
    "english",
    "chinese",
    "japanese",
    "korean",
    "spanish",
    "french",
    "italian",
    "czech",
    "portuguese",
    "russian",
    "turkish",
)
_CJK_LANGS = frozenset({"chinese"})
_SOURCES = {"chinese": ("chinese_simplified", "chinese_traditional")}
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# A token: one Chinese character, or a run of other letters (accents as combining marks too).
_TOKEN_RE = re.compile(rf"[{_CJK}]|(?:[^\W\d_{_CJK}]|[\u0300-\u036f\u3099\u309a])+")
# What may stand between two words of a phrase: spaces, commas, line breaks, numbering.
_GAP_RE = re.compile(r"[\s,.;:|/\\\-–—*•·#'\"“”‘’()\[\]{}<>（）【】《》0-9]{0,12}")
# Words that say the message is about a wallet's secret words. They relax the Chinese
# randomness test, and a run of other-language wordlist words needs them (or numbering, or a
# valid checksum): a comma list of everyday words can be all wordlist words.
_CONTEXT_RE = re.compile(
    r"助记词|助記詞|种子|種子|恢复词|恢復詞|恢复短语|恢復短語|还原短语|還原短語|备份|備份|钱包|錢包|"
    r"seed|mnemonic|phrase|recovery|restore|backup|back up|wallet|metamask|trust ?wallet|"
    r"\b(?:12|15|18|21|24|twelve|fifteen|eighteen|twenty[- ]one|twenty[- ]four)\s+words|"
    r"ledger|trezor|phantom|exodus|semilla|frase|palabras|mots|parole|frasi|slova|fráze|"
    r"palavras|シード|単語|ニーモニック|니모닉|시드|복구|단어",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d+")
MIN_WORDS = 12
WINDOW = 12


@dataclass(frozen=True, slots=True)
class _Token:
    start: int
    end: int
    text: str  # lower-cased NFC
    cjk: bool


@cache
def _wordlists() -> dict[str, frozenset[str]]:
    lists: dict[str, frozenset[str]] = {}
    for lang in LANGUAGES:
        forms: set[str] = set()
        for source in _SOURCES.get(lang, (lang,)):
            for word in Mnemonic(source).wordlist:
                nfc = unicodedata.normalize("NFC", word).lower()
                forms.add(nfc)
                forms.add(_strip_accents(nfc))
        lists[lang] = frozenset(forms)
    return lists


@cache
def _plain_lists() -> dict[str, list[str]]:
    return {lang: sorted(_wordlists()[lang]) for lang in LANGUAGES}


@cache
def _membership() -> dict[str, int]:
    """Word → bit mask of the wordlists holding it."""
    masks: dict[str, int] = {}
    for bit, lang in enumerate(LANGUAGES):
        for word in _wordlists()[lang]:
            masks[word] = masks.get(word, 0) | (1 << bit)
    return masks


@cache
def _zh_words() -> frozenset[str]:
    """Chinese dictionary words of 2–4 characters (jieba's dictionary and ours), simplified."""
    import jieba

    # One pass of the regex engine over each dictionary file ("word freq tag" lines); a
    # mistyped character of a phrase may be outside the wordlists, so any characters count.
    pattern = re.compile(rf"^([{_CJK}]{{2,4}})(?= |$)", re.MULTILINE)
    words: set[str] = set()
    for path in (Path(jieba.__file__).resolve().parent / "dict.txt", USER_DICT):
        content = to_simplified(path.read_text(encoding="utf-8"))
        words.update(pattern.findall(content))
    return frozenset(words)


def _strip_accents(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _nfc_lower(word: str) -> str:
    return unicodedata.normalize("NFC", word).lower()


def _tokens(text: str) -> list[_Token]:
    out: list[_Token] = []
    for match in _TOKEN_RE.finditer(text):
        word = match.group()
        cjk = len(word) == 1 and "\u3400" <= word <= "\ufaff"
        if not cjk and not word.isascii():
            word = unicodedata.normalize("NFC", word)
        out.append(_Token(match.start(), match.end(), word.lower(), cjk))
    return out


def _chains(text: str, tokens: list[_Token]) -> Iterator[list[_Token]]:
    """Maximal sequences of tokens separated only by gap characters."""
    chain: list[_Token] = []
    for token in tokens:
        if chain:
            gap = text[chain[-1].end : token.start]
            if not _GAP_RE.fullmatch(gap):
                yield chain
                chain = []
        chain.append(token)
    if chain:
        yield chain


def _near(token: _Token, lang: str) -> bool:
    """A mistyped word of ``lang``: a Chinese character, or within 1–2 edits of a list word."""
    if lang in _CJK_LANGS:
        return token.cjk
    if token.cjk or len(token.text) < 3:
        return False
    limit = 1 if len(token.text) <= 3 else 2
    hit = process.extractOne(
        token.text, _plain_lists()[lang], scorer=Levenshtein.distance, score_cutoff=limit
    )
    return hit is not None


def _segments(chain: list[_Token], lang: str, bit: int) -> Iterator[tuple[int, int]]:
    """(first, last) token indexes of windows of ``lang`` words, one mistyped word allowed."""
    masks = _membership()
    member = [bool(masks.get(t.text, 0) & bit) for t in chain]
    runs: list[tuple[int, int]] = []
    i, n = 0, len(chain)
    while i < n:
        if member[i]:
            j = i
            while j + 1 < n and member[j + 1]:
                j += 1
            runs.append((i, j))
            i = j + 1
        else:
            i += 1
    for index, (a, b) in enumerate(runs):
        size = b - a + 1
        if size >= MIN_WORDS:
            yield a, b
        nxt = runs[index + 1] if index + 1 < len(runs) else None
        if nxt is not None and nxt[0] == b + 2:
            joined = size + 1 + (nxt[1] - nxt[0] + 1)
            if joined >= MIN_WORDS and _near(chain[b + 1], lang):
                yield a, nxt[1]
        if size == MIN_WORDS - 1:
            if a > 0 and _near(chain[a - 1], lang):
                yield a - 1, b
            if b + 1 < n and _near(chain[b + 1], lang):
                yield a, b + 1


# Function characters of everyday Chinese. Prose is full of them; a random phrase draws them
# at about their share of the 2,048-character list (~2 %), so counting them as "covered"
# separates colloquial sentences ("老婆说我把家里的钱都拿去买币了") from phrases.
_FUNCTION_CHARS = frozenset(
    "的了吗呢吧啊呀嘛么我你他她它们是在有把被都就也还很这那说给让要会能想去来"
)


def _coverage(chars: str, words: frozenset[str]) -> list[int]:
    """1 for each character covered by a dictionary word, or a function character next to a
    covered or function character (prose strings them together; a random phrase rarely)."""
    n = len(chars)
    covered = [0] * n
    for i in range(n - 1):
        for k in (2, 3, 4):
            if i + k <= n and chars[i : i + k] in words:
                for j in range(i, i + k):
                    covered[j] = 1
    function = [ch in _FUNCTION_CHARS for ch in chars]
    for i in range(n):
        if function[i] and not covered[i]:
            left = i > 0 and (covered[i - 1] or function[i - 1])
            right = i + 1 < n and (covered[i + 1] or function[i + 1])
            if left or right:
                covered[i] = 1
    return covered


def _random_spans(
    chain: list[_Token], first: int, last: int, lang: str, context: bool
) -> list[tuple[int, int]]:
    """Parts of an unspaced Chinese run that look like a random phrase, as token index ranges.

    Windows of 12 characters with few dictionary-covered characters are flagged; flagged
    stretches less than a window apart are joined (a 24-word phrase may contain a window that
    happens to read like words), and covered characters at the edges, which belong to the
    surrounding prose, are trimmed.
    """
    seq = chain[first : last + 1]
    chars = to_simplified("".join(t.text for t in seq))
    covered = _coverage(chars, _zh_words())
    n = len(chars)
    if n in (12, 15, 18, 21, 24) and _checksum_ok([t.text for t in seq], lang):
        limit = 6
    elif context:
        limit = 4
    else:
        limit = 3
    prefix = [0]
    for c in covered:
        prefix.append(prefix[-1] + c)
    stretches: list[list[int]] = []
    for i in range(n - WINDOW + 1):
        if prefix[i + WINDOW] - prefix[i] <= limit:
            if stretches and i <= stretches[-1][1] + WINDOW:
                stretches[-1][1] = i + WINDOW - 1
            else:
                stretches.append([i, i + WINDOW - 1])
    spans: list[tuple[int, int]] = []
    for a, b in stretches:
        for p, q in _random_pieces(seq, covered, a, b):
            while p < q and covered[p]:
                p += 1
            while q > p and covered[q]:
                q -= 1
            if q - p + 1 >= MIN_WORDS - 2:
                spans.append((first + p, first + q))
    return spans


def _random_pieces(seq: list[_Token], covered: list[int], a: int, b: int) -> list[tuple[int, int]]:
    """Split ``a..b`` where the user put punctuation or spaces, and keep the pieces that read
    as random (at most a third covered by words); prose before a colon or after a comma goes.
    Short pieces (one or two characters) are kept only between two kept pieces."""
    pieces: list[tuple[int, int]] = []
    start = a
    for i in range(a, b):
        if seq[i].end != seq[i + 1].start:
            pieces.append((start, i))
            start = i + 1
    pieces.append((start, b))
    if len(pieces) == 1:
        return pieces  # no punctuation to split at: the caller trims covered edges
    keep = []
    for p, q in pieces:
        size = q - p + 1
        ratio = sum(covered[p : q + 1]) / size
        keep.append(ratio <= 0.34 if size >= 3 else None)
    for index, flag in enumerate(keep):
        if flag is None:
            keep[index] = bool(0 < index < len(keep) - 1 and keep[index - 1] and keep[index + 1])
    joined: list[tuple[int, int]] = []
    previous = False
    for (p, q), flag in zip(pieces, keep, strict=True):
        if flag and previous:
            joined[-1] = (joined[-1][0], q)
        elif flag:
            joined.append((p, q))
        previous = bool(flag)
    return joined


def _spaced_spans(chain: list[_Token], first: int, last: int) -> list[tuple[int, int]]:
    """Stretches of a Chinese run written one character at a time (``的 一 是``, ``的、一``).

    Characters that touch their neighbours are prose around the phrase and end a stretch.
    """
    spans: list[tuple[int, int]] = []
    start = -1
    for i in range(first, last + 1):
        left = i > 0 and chain[i - 1].end == chain[i].start
        right = i + 1 < len(chain) and chain[i].end == chain[i + 1].start
        alone = not left and not right
        if alone and start < 0:
            start = i
        if not alone and start >= 0:
            if i - start >= MIN_WORDS - 1:
                spans.append((start, i - 1))
            start = -1
    if start >= 0 and last - start + 1 >= MIN_WORDS - 1:
        spans.append((start, last))
    return spans


@cache
def _mnemonic(lang: str) -> Mnemonic:
    return Mnemonic(lang)


def _checksum_ok(words: list[str], lang: str) -> bool:
    for source in _SOURCES.get(lang, (lang,)):
        try:
            if _mnemonic(source).check(" ".join(words)):
                return True
        except (ValueError, LookupError):
            continue
    return False


def find_seed_phrases(text: str) -> list[tuple[int, int]]:
    """Character spans of seed phrases in ``text`` (already in the detection form)."""
    masks = _membership()
    # Most messages hold fewer than 11 wordlist words: decide that in C-speed passes first.
    words = _TOKEN_RE.findall(text)
    if len(words) < MIN_WORDS - 1:
        return []
    if sum(1 for w in words if w in masks or w.lower() in masks) < MIN_WORDS - 1:
        if text.isascii() or sum(1 for w in words if _nfc_lower(w) in masks) < MIN_WORDS - 1:
            return []
    tokens = _tokens(text)
    spans: list[tuple[int, int]] = []
    context: bool | None = None
    for chain in _chains(text, tokens):
        if len(chain) < MIN_WORDS:
            continue
        counts: dict[int, int] = {}
        for token in chain:
            mask = masks.get(token.text, 0)
            while mask:
                low = mask & -mask
                counts[low] = counts.get(low, 0) + 1
                mask ^= low
        for bit_index, lang in enumerate(LANGUAGES):
            bit = 1 << bit_index
            if counts.get(bit, 0) < MIN_WORDS - 1:
                continue
            for first, last in _merge(list(_segments(chain, lang, bit))):
                first, last = _trim_edges(text, chain, first, last)
                if context is None:
                    context = bool(_CONTEXT_RE.search(text))
                if lang in _CJK_LANGS:
                    found = _spaced_spans(chain, first, last)
                    found = [f for f in found if _spaced_reads_random(chain, *f, context)]
                    if not found:
                        found = _random_spans(chain, first, last, lang, context)
                    for a, b in found:
                        spans.append(_outside_context(text, chain[a].start, chain[b].end))
                elif (
                    context
                    or _one_per_line(text, chain, first, last)
                    or _space_only(text, chain, first, last)
                    or _numbered(text, chain, first, last)
                    or _valid_window(chain, first, last, lang)
                ):
                    spans.append((chain[first].start, chain[last].end))
    return _merge(spans)


def _gap_shape(text: str, left: _Token, right: _Token) -> str:
    """The layout between two words with numbers blanked: " ", "\\n", ", ", "\\n#. "."""
    return _DIGITS.sub("#", text[left.end : right.start])


def _trim_edges(text: str, chain: list[_Token], first: int, last: int) -> tuple[int, int]:
    """Drop prose at either end that a one-off layout sets apart from the phrase
    ("…cheese\\nCan you please help", "…donor\\n\\nthis is my seed"): at a gap whose layout
    occurs once in the run, the side with fewer than ``MIN_WORDS - 1`` words goes. A numbered
    list starts at the word numbered 1 ("Secret Recovery Phrase\\n1. cousin…")."""
    first, last = _numbered_bounds(text, chain, first, last)
    for _ in range(2):
        if last - first + 1 <= MIN_WORDS - 1:
            break
        shapes = [_gap_shape(text, chain[i], chain[i + 1]) for i in range(first, last)]
        counts: dict[str, int] = {}
        for shape in shapes:
            counts[shape] = counts.get(shape, 0) + 1
        common = max(counts, key=counts.__getitem__)
        cut = None
        for i, shape in enumerate(shapes):
            if counts[shape] != 1 or shape == common:
                continue
            left, right = i + 1, len(shapes) - i
            if left >= MIN_WORDS - 1 > right:
                cut = (first, first + i)
            elif right >= MIN_WORDS - 1 > left:
                cut = (first + i + 1, last)
            if cut:
                break
        if cut is None:
            break
        first, last = cut
    return first, last


def _number_before(text: str, chain: list[_Token], i: int) -> int | None:
    start = chain[i - 1].end if i > 0 else max(0, chain[i].start - 6)
    found = _DIGITS.findall(text[start : chain[i].start])
    return int(found[-1]) if found else None


def _numbered_bounds(text: str, chain: list[_Token], first: int, last: int) -> tuple[int, int]:
    """The words numbered 1…n when the run is a numbered list, else the run unchanged."""
    numbers = [_number_before(text, chain, i) for i in range(first, last + 1)]
    try:
        one = numbers.index(1)
    except ValueError:
        return first, last
    n = 1
    end = one
    while end + 1 < len(numbers) and numbers[end + 1] == n + 1:
        n += 1
        end += 1
    if n >= MIN_WORDS - 1:
        return first + one, first + end
    return first, last


def _numbered(text: str, chain: list[_Token], first: int, last: int) -> bool:
    """Words numbered 1, 2, 3 … in order (``1.abandon 2.ability``, ``1) …``)."""
    numbers = (_number_before(text, chain, i) for i in range(first, min(last + 1, first + 6)))
    seen = [n for n in numbers if n is not None]
    return len(seen) >= 4 and all(b == a + 1 for a, b in pairwise(seen))


def _one_per_line(text: str, chain: list[_Token], first: int, last: int) -> bool:
    """One word per line: twelve or more wordlist words, each alone on its line."""
    breaks = sum(1 for i in range(first, last) if "\n" in text[chain[i].end : chain[i + 1].start])
    return breaks >= last - first - 1


def _space_only(text: str, chain: list[_Token], first: int, last: int) -> bool:
    """Twelve or more wordlist words joined by single spaces only. English prose that long
    without one word outside the list ("the", "my", "is", "I") does not occur in practice;
    everyday-word lists are written with commas, and need one of the other signals."""
    return all(text[chain[i].end : chain[i + 1].start] == " " for i in range(first, last))


def _valid_window(chain: list[_Token], first: int, last: int, lang: str) -> bool:
    """Whether the run is exactly a phrase length and passes the BIP39 checksum (a phrase
    pasted with no words around it). Only the whole run counts: a long run of ordinary words
    has many windows, and one in sixteen 12-word windows passes the 4-bit checksum by chance."""
    size = last - first + 1
    return size in (12, 15, 18, 21, 24) and _checksum_ok(
        [t.text for t in chain[first : last + 1]], lang
    )


def _spaced_reads_random(chain: list[_Token], a: int, b: int, context: bool) -> bool:
    """Chinese typed one character at a time can still be a sentence
    (``为 什 么 我 的 钱 还 没 有 到 账``); a phrase must not read as words."""
    chars = to_simplified("".join(t.text for t in chain[a : b + 1]))
    covered = _coverage(chars, _zh_words())
    limit = 7 if context else 5
    # the whole stretch, not its best window: a spaced sentence has a few word-poor windows
    return sum(covered) * WINDOW <= limit * max(len(chars), 1)


_LEAD_IN = re.compile(r"^(?:是|为|為|如下|如下:|:|：|\s)+")


def _outside_context(text: str, start: int, end: int) -> tuple[int, int]:
    """A Chinese span without the words that announce it ("我的助记词是…"): no phrase
    contains 助记词, so the phrase starts after it (or ends before it)."""
    inside = text[start:end]
    matches = list(_CONTEXT_RE.finditer(inside))
    if not matches:
        return start, end
    after = matches[-1].end()
    lead = _LEAD_IN.match(inside[after:])
    if lead:
        after += lead.end()
    if end - (start + after) >= MIN_WORDS - 2:
        return start + after, end
    before = matches[0].start()
    if before >= MIN_WORDS - 2:
        return start, start + before
    return start, end


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out
