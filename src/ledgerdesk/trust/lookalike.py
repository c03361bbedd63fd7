"""Look-alike detection: is a host (or a handle) one of ours, or imitating one of ours?

Pure functions: no database and no network. tldextract reads only the public-suffix snapshot
bundled with the package (``suffix_list_urls=()``), so an air-gapped desk answers the same as a
connected one. Verdicts are cached per (host, official list): the ticket guard checks every
message, and a desk sees the same few thousand hosts again and again.

How a host is compared with an official domain such as ``binance.com`` (its *brand* label is
``binance``):

* the host is normalised as a browser would (UTS 46: case, full-width forms), punycode labels
  are decoded, and hidden bidi/zero-width characters are removed (and reported);
* its registrable label is compared with the brand: the same label under another suffix
  (``binance.co``), the same *skeleton* once look-alike characters are folded (Cyrillic ``а``,
  ``0`` for ``o``, ``rn`` for ``m``), a small Damerau-Levenshtein distance (typos), or the
  brand with extra words (``binance-support``, ``binancehelp``, ``support-binance``);
* the labels in front of the registrable domain are searched for the brand
  (``binance.com.security-check.io``).
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

import idna
import tldextract
from rapidfuzz.distance import DamerauLevenshtein

from ledgerdesk.core.text import INVISIBLE
from ledgerdesk.trust import glyphs
from ledgerdesk.trust.glyphs import has_invisible, skeleton, strip_invisible

# Every reason code, in the order they are reported. ``brand_name`` is for handles only.
REASONS: tuple[str, ...] = (
    "bidi_control",
    "punycode",
    "homoglyph",
    "mixed_script",
    "typosquat",
    "extra_words",
    "lookalike_tld",
    "brand_in_subdomain",
    "brand_name",
    "ip_address",
)
_ORDER = {code: i for i, code in enumerate(REASONS)}

MAX_HOST = 253
MAX_LABEL = 63

# Only the bundled snapshot of the public-suffix list: never a download at run time.
_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
_SEPARATORS = re.compile(r"[-_.]+")


@dataclass(frozen=True)
class HostVerdict:
    """What a host is: ``host`` is normalised (lowercase, no trailing dot, Unicode labels)."""

    host: str
    official: bool
    lookalike_of: str | None
    reasons: tuple[str, ...]

    @property
    def suspicious(self) -> bool:
        """Imitates an official domain, or hides characters that change how it reads."""
        if "bidi_control" in self.reasons:
            return True
        return not self.official and self.lookalike_of is not None


@dataclass(frozen=True)
class LinkFinding:
    """A link in a text; ``start``/``end`` are code-point offsets of ``url`` in that text."""

    start: int
    end: int
    url: str
    verdict: HostVerdict


@dataclass(frozen=True)
class HandleVerdict:
    """A chat or social handle compared with the official ones (``handle`` without ``@``)."""

    handle: str
    lookalike_of: str | None
    reasons: tuple[str, ...]

    @property
    def suspicious(self) -> bool:
        return self.lookalike_of is not None or "bidi_control" in self.reasons


@dataclass(frozen=True)
class _Official:
    domain: str
    brand: str
    skeleton: str
    registrable: str


# --- normalisation ----------------------------------------------------------------------


def _shown(text: str) -> str:
    """``text`` safe to quote in an error message: short, invisible characters escaped."""
    short = text[:80] + ("…" if len(text) > 80 else "")
    return "".join(
        f"<U+{ord(c):04X}>" if c in INVISIBLE or not c.isprintable() else c for c in short
    )


_PLAIN_HOST = re.compile(r"(?!.*xn--)[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?", re.IGNORECASE)
_IP_LIKE = re.compile(r"[0-9a-fA-F.:%]+")


def _ip(text: str) -> str | None:
    if not _IP_LIKE.fullmatch(text) or not (":" in text or text[-1:].isdigit()):
        return None
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def is_ip(host: str) -> bool:
    return _ip(host) is not None


@lru_cache(maxsize=65536)
def normalise_host(host: str) -> str:
    """``host`` as a browser resolves it: bidi/zero-width characters removed, UTS 46 mapping
    (lowercase, full-width folded), punycode labels decoded to Unicode, no trailing dot.
    IP addresses come back in their canonical form. Raises ``ValueError`` for anything that
    cannot be a host name, with a message that says why."""
    text = strip_invisible(host).strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    if not text:
        raise ValueError("The host name is empty")
    if len(text) > MAX_HOST + 1:
        raise ValueError(f"The host name is longer than {MAX_HOST} characters")
    ip = _ip(text)
    if ip is not None:
        return ip
    if _PLAIN_HOST.fullmatch(text):  # the common case, without the per-character mapping
        name = text.lower().rstrip(".")
        if any(len(label) > MAX_LABEL for label in name.split(".")):
            raise ValueError(f"'{_shown(text)}' has a label longer than {MAX_LABEL} characters")
        return name
    try:
        mapped = idna.uts46_remap(text, std3_rules=False, transitional=False)
    except idna.IDNAError as exc:
        raise ValueError(f"'{_shown(text)}' is not a valid host name ({exc})") from None
    mapped = mapped[:-1] if mapped.endswith(".") else mapped
    name = ".".join(_label(label, text) for label in mapped.split("."))
    if len(name) > MAX_HOST:
        raise ValueError(f"The host name is longer than {MAX_HOST} characters")
    return name


def _label(label: str, host: str) -> str:
    if not label:
        raise ValueError(f"'{_shown(host)}' is not a valid host name (an empty label)")
    if label.startswith("xn--"):
        try:
            label = label[4:].encode("ascii").decode("punycode").lower()
        except (UnicodeError, ValueError):
            raise ValueError(f"'{_shown(host)}' has a broken punycode label") from None
        if not label:
            raise ValueError(f"'{_shown(host)}' has a broken punycode label")
    for ch in label:
        if not _host_char(ch):
            raise ValueError(
                f"'{_shown(host)}' is not a valid host name: '{_shown(ch)}' is not allowed"
            )
    if len(label) > MAX_LABEL:
        raise ValueError(f"'{_shown(host)}' has a label longer than {MAX_LABEL} characters")
    return label


def _host_char(ch: str) -> bool:
    if ch.isascii():
        return ch.isalnum() or ch in "-_"
    return unicodedata.category(ch)[0] in "LMNS"


@lru_cache(maxsize=65536)
def _parts(name: str) -> tuple[str, str, str]:
    """(subdomain, registrable label, public suffix) of a normalised host name."""
    found = _EXTRACT(name)
    return found.subdomain, found.domain, found.suffix


def host_parts(name: str) -> tuple[str, str, str]:
    """(subdomain, registrable label, public suffix) of a normalised host name; the suffix is
    empty when the name ends in no known public suffix."""
    return _parts(name)


def registrable_domain(host: str) -> str:
    """The domain its owner registered (``evil.io`` for ``binance.com.evil.io``), or the host."""
    _sub, domain, suffix = _parts(host)
    return f"{domain}.{suffix}" if domain and suffix else host


# --- comparing one label with a brand ----------------------------------------------------


def _typo_limit(brand: str) -> int:
    """How many edits still count as a typo of ``brand``: none for very short names."""
    if len(brand) < 3:
        return 0
    return 1 if len(brand) <= 5 else 2


def _distance(a: str, b: str, limit: int) -> int:
    return int(DamerauLevenshtein.distance(a, b, score_cutoff=limit))


def _glyphs(label: str, brand: str) -> tuple[str, ...]:
    return () if brand in label else ("homoglyph",)


@lru_cache(maxsize=4096)
def _is_words(rest: str) -> bool:
    """``rest`` is made of phishing words and digits only (skeleton form)."""
    parts = [p for p in _SEPARATORS.split(rest) if p]
    return bool(parts) and all(_segments(p) for p in parts)


def _segments(text: str) -> bool:
    if len(text) > 40:
        return False
    words = glyphs.scam_skeletons()
    reach = [True] + [False] * len(text)
    for i in range(len(text)):
        if not reach[i]:
            continue
        for j in range(i + 1, min(len(text), i + 14) + 1):
            if text[i:j] in words or text[i:j].isdigit():
                reach[j] = True
    return reach[-1]


def _token_match(token: str, brand: str, bskel: str) -> tuple[str, ...] | None:
    if token == brand:
        return ()
    tskel = skeleton(token)
    if tskel == bskel:
        return ("homoglyph",)
    limit = _typo_limit(brand) if len(brand) >= 5 else 0
    if limit and abs(len(tskel) - len(bskel)) <= limit and _distance(tskel, bskel, limit) <= limit:
        return ("typosquat",)
    return None


def _extra_words(label: str, skel: str, brand: str, bskel: str) -> tuple[str, ...]:
    """The brand inside a longer name: ``binance-support-help``, ``binancesupport``."""
    if len(skel) <= len(bskel):
        return ()
    tokens = [t for t in _SEPARATORS.split(label) if t] if _SEPARATORS.search(label) else []
    found = [_token_match(token, brand, bskel) for token in tokens]
    exact = [codes for codes in found if codes is not None and "typosquat" not in codes]
    if exact:
        return ("extra_words", *exact[0])
    if len(bskel) >= 6 and bskel in skel:
        return ("extra_words", *_glyphs(label, brand))
    if skel.startswith(bskel) and _is_words(skel[len(bskel) :]):
        return ("extra_words", *_glyphs(label, brand))
    if skel.endswith(bskel) and _is_words(skel[: -len(bskel)]):
        return ("extra_words", *_glyphs(label, brand))
    typos = [codes for codes in found if codes is not None]
    return ("extra_words", *typos[0]) if typos else ()


def _label_match(label: str, brand: str, bskel: str) -> tuple[int, tuple[str, ...]] | None:
    """How ``label`` imitates ``brand``, strongest first: 0 the same name, 1 look-alike
    characters, 2 a typo, 3 the brand with extra words; ``None`` when it does not."""
    if label == brand:
        return 0, ()
    skel = skeleton(label)
    if skel == bskel:
        return 1, ("homoglyph",)
    limit = _typo_limit(brand)
    if limit and abs(len(skel) - len(bskel)) <= limit:
        if min(_distance(label, brand, limit), _distance(skel, bskel, limit)) <= limit:
            return 2, (() if label.isascii() else ("homoglyph",)) + ("typosquat",)
    words = _extra_words(label, skel, brand, bskel)
    return (3, words) if words else None


def differing_letters(label: str, brand: str) -> int:
    """Edits (insert, delete, replace, swap) between two names, to explain a typo."""
    return int(DamerauLevenshtein.distance(label, brand))


# --- hosts ------------------------------------------------------------------------------


@lru_cache(maxsize=256)
def _officials(official: tuple[str, ...]) -> tuple[_Official, ...]:
    """The official domains, normalised, with their brand label; unusable entries skipped."""
    out: dict[str, _Official] = {}
    for raw in official:
        try:
            domain = normalise_host(raw)
        except ValueError:
            continue
        _sub, brand, suffix = _parts(domain)
        if brand and suffix and not is_ip(domain):
            out[domain] = _Official(domain, brand, skeleton(brand), f"{brand}.{suffix}")
    return tuple(out.values())


def ordered_reasons(codes: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    return tuple(sorted(set(codes), key=lambda c: _ORDER.get(c, len(_ORDER))))


def _match_host(sub: str, label: str, o: _Official) -> tuple[int, tuple[str, ...]] | None:
    if label:
        hit = _label_match(label, o.brand, o.skeleton)
        if hit is not None:
            return (0, ("lookalike_tld",)) if hit[0] == 0 else hit
    for part in sub.split(".") if sub else ():
        hit = _label_match(part, o.brand, o.skeleton)
        if hit is not None and hit[0] != 2:  # a typo in front of another domain is noise
            return 4, ("brand_in_subdomain", *hit[1])
    return None


def _script_flags(raw: str, name: str) -> list[str]:
    flags: list[str] = []
    if any(label.startswith("xn--") for label in strip_invisible(raw).lower().split(".")):
        flags.append("punycode")
    if not name.isascii() and any(glyphs.mixed_script(label) for label in name.split(".")):
        flags.append("mixed_script")
    return flags


def check_host(host: str, official: Sequence[str]) -> HostVerdict:
    """Is ``host`` official (one of ``official`` or a subdomain of one), imitating one of
    them, or merely unknown? Raises ``ValueError`` when ``host`` is not a host name."""
    return _check(host, tuple(official))


@lru_cache(maxsize=65536)
def _check(host: str, official: tuple[str, ...]) -> HostVerdict:
    hidden = ["bidi_control"] if has_invisible(host) else []
    name = normalise_host(host)
    if is_ip(name):
        return HostVerdict(name, False, None, ordered_reasons([*hidden, "ip_address"]))
    officials = _officials(official)
    if any(name == o.domain or name.endswith("." + o.domain) for o in officials):
        return HostVerdict(name, True, None, tuple(hidden))
    flags = hidden + _script_flags(host, name)
    sub, label, suffix = _parts(name)
    if label and suffix and f"{label}.{suffix}" in {o.registrable for o in officials}:
        return HostVerdict(name, False, None, ordered_reasons(flags))  # same owner, another name
    best: tuple[int, _Official, tuple[str, ...]] | None = None
    for o in officials:
        hit = _match_host(sub, label, o)
        if hit is not None and (best is None or hit[0] < best[0]):
            best = (hit[0], o, hit[1])
    if best is None:
        return HostVerdict(name, False, None, ordered_reasons(flags))
    return HostVerdict(name, False, best[1].domain, ordered_reasons(flags + list(best[2])))


# --- handles ----------------------------------------------------------------------------


def check_handle(
    handle: str, official_handles: Sequence[str], official_domains: Sequence[str]
) -> HandleVerdict:
    """Does ``handle`` (``@binance_support_cs``) imitate an official handle or the brand of an
    official domain? ``official_handles`` are lowercase without ``@``; an exact match is the
    caller's business (it knows which network each handle is on)."""
    return _check_handle(handle, tuple(official_handles), tuple(official_domains))


@lru_cache(maxsize=16384)
def _check_handle(handle: str, handles: tuple[str, ...], domains: tuple[str, ...]) -> HandleVerdict:
    flags = ["bidi_control"] if has_invisible(handle) else []
    name = unicodedata.normalize("NFKC", strip_invisible(handle)).strip().lstrip("@").lower()
    if not name.isascii() and glyphs.mixed_script(name):
        flags.append("mixed_script")
    best: tuple[int, str, tuple[str, ...]] | None = None
    candidates = [(h, "@" + h) for h in handles if h] + [
        (o.brand, o.domain) for o in _officials(domains)
    ]
    for brand, shown in candidates:
        if brand == name and shown.startswith("@"):
            continue  # the official handle itself, on some network
        hit = _label_match(name, brand, skeleton(brand))
        if hit is not None and (best is None or hit[0] < best[0]):
            codes = ("brand_name",) if hit[0] == 0 else hit[1]
            best = (hit[0], shown, codes)
    if best is None:
        return HandleVerdict(name, None, ordered_reasons(flags))
    return HandleVerdict(name, best[1], ordered_reasons(flags + list(best[2])))


# --- links in text ----------------------------------------------------------------------

# Characters that end a host name in running text: ASCII space and punctuation (but not
# ``-`` and ``_``), Latin-1 signs, general punctuation (not the invisible controls, which are
# kept so they can be reported), CJK ideographs, kana, Hangul and CJK/full-width punctuation.
_CJK = (
    r"\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f"
    r"\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
)
_ENDS = r"\s!-,./:-@\[-^`{-~\u00a0-\u00bf\u00d7\u00f7\u2010-\u2027\u2030-\u205e" + _CJK
_LABEL = rf"[^{_ENDS}]"
_URL_RE = re.compile(
    rf"(?P<scheme>(?i:https?)://[^\s<>\"'`{_CJK}]{{1,4096}}+)"
    rf"|(?<![.@/\\])(?<!{_LABEL})(?P<bare>(?>{_LABEL}{{1,63}}+(?:\.{_LABEL}{{1,63}}+){{1,12}}+))"
    rf"(?![@.]?{_LABEL})(?P<path>[/?#][^\s<>\"'`{_CJK}]{{0,4096}}+)?"
)
_SCHEME_RE = re.compile(r"[a-z][a-z0-9+.\-]*://", re.IGNORECASE)
_AUTHORITY_RE = re.compile(
    r"(?:(?P<user>[^/?#\s]*)@)?(?P<host>\[[0-9A-Fa-f:.]*\]|[^\s!-,/:-@\[-^`{-~]*)(?::[0-9]{0,5})?"
)
_TRAILING = frozenset(".,;:!?'\")]}>*")


def url_host(url: str) -> str | None:
    """The host of ``https://user@host:port/path`` or of ``host/path``; ``None`` if empty.
    Like a browser, the last ``@`` of the authority ends the user part."""
    rest = url.strip()
    scheme = _SCHEME_RE.match(rest)
    if scheme is not None:
        rest = rest[scheme.end() :]
    found = _AUTHORITY_RE.match(rest)
    host = found.group("host") if found else ""
    return host or None


def _trim(url: str) -> str:
    """Drop sentence punctuation after a link; keep a ``)`` that closes a ``(`` in it."""
    end = len(url)
    while end and url[end - 1] in _TRAILING:
        if url[end - 1] == ")" and url.count("(", 0, end) >= url.count(")", 0, end):
            break
        end -= 1
    return url[:end]


@lru_cache(maxsize=65536)
def _looks_like_domain(host: str) -> bool:
    try:
        name = normalise_host(host)
    except ValueError:
        return False
    if is_ip(name):
        return False
    _sub, label, suffix = _parts(name)
    return bool(label and suffix) or name.startswith("www.")


def find_urls(text: str, limit: int = 2000) -> list[tuple[int, int, str, str]]:
    """Links in ``text`` as ``(start, end, url, host)``, at most ``limit`` of them: ``http(s)``
    URLs, and bare names with a known public suffix (``www.…``, ``binance-support.com``,
    ``xn--…``, ``t.me/…``). ``host`` is as written (invisible characters included)."""
    found: list[tuple[int, int, str, str]] = []
    pos = 0
    while len(found) < limit:
        match = _URL_RE.search(text, pos)
        if match is None:
            break
        start = match.start()
        if match.group("scheme"):
            url, host = _scheme_url(match.group("scheme"))
        else:
            host = match.group("bare")
            url = _trim(host + (match.group("path") or ""))
            host = host if _looks_like_domain(host) else ""
        pos = max(start + len(url), match.start() + 1)
        if host:
            found.append((start, start + len(url), url, host))
    return found


def _scheme_url(candidate: str) -> tuple[str, str]:
    """(url, host) of a ``http(s)://`` candidate: the URL ends with its authority unless a
    path, query or fragment follows, so ``(https://a.com)(https://b.com)`` is two links."""
    authority = _AUTHORITY_RE.match(candidate, candidate.index("//") + 2)
    if authority is None:  # pragma: no cover - the pattern matches the empty string
        return candidate, ""
    end = authority.end()
    if end < len(candidate) and candidate[end] not in "/?#":
        candidate = candidate[:end]
    return _trim(candidate), authority.group("host")


def _userinfo(url: str) -> str:
    """The ``user`` of ``https://user@host/``: ``https://binance.com@evil.io`` goes to evil.io."""
    scheme = _SCHEME_RE.match(url)
    authority = _AUTHORITY_RE.match(url, scheme.end()) if scheme else None
    user = (authority.group("user") or "") if authority else ""
    return user.split(":", 1)[0]


def _with_userinfo(verdict: HostVerdict, url: str, officials: tuple[str, ...]) -> HostVerdict:
    """A user part that names an official domain (or a look-alike) in front of another host
    is the brand-in-front trick without the dots."""
    user = _userinfo(url)
    if not user or verdict.official or "." not in user:
        return verdict
    try:
        front = _check(user, officials)
    except ValueError:
        return verdict
    imitated = front.host if front.official else front.lookalike_of
    if imitated is None:
        return verdict
    codes = ordered_reasons([*verdict.reasons, "brand_in_subdomain"])
    return replace(verdict, lookalike_of=verdict.lookalike_of or imitated, reasons=codes)


def check_url(url: str, official: Sequence[str]) -> HostVerdict:
    """The verdict on the host of ``url`` (``https://…`` or ``host/path``), counting hidden
    characters anywhere in it and an official name put in front as ``user@``. Raises
    ``ValueError`` when there is no host or it is not a host name."""
    host = url_host(url)
    if host is None:
        raise ValueError("There is no host name in this address")
    return _url_verdict(url, host, tuple(official))


def _url_verdict(url: str, host: str, officials: tuple[str, ...]) -> HostVerdict:
    verdict = _check(host, officials)
    if "@" in url:
        verdict = _with_userinfo(verdict, url, officials)
    if has_invisible(url) and "bidi_control" not in verdict.reasons:
        verdict = replace(verdict, reasons=ordered_reasons([*verdict.reasons, "bidi_control"]))
    return verdict


def check_links(text: str, official: Sequence[str], limit: int = 2000) -> list[LinkFinding]:
    """Every link in ``text`` that is not plainly official: look-alikes and unknown hosts
    (the caller acts on ``verdict.suspicious``). Hosts that are not host names are skipped;
    a link with hidden bidi/zero-width characters anywhere in it is always reported."""
    officials = tuple(official)
    findings: list[LinkFinding] = []
    for start, end, url, host in find_urls(text, limit):
        try:
            verdict = _url_verdict(url, host, officials)
        except ValueError:
            continue
        if verdict.official and not verdict.suspicious:
            continue
        findings.append(LinkFinding(start, end, url, verdict))
    return findings
