"""HTML e-mail bodies turned into safe plain text.

Nothing of the markup survives: tags, scripts, styles, comments, hidden elements (``hidden``,
``display:none``, ``visibility:hidden``, Gmail/Outlook preheaders) are dropped; a link keeps its
label and, when the address differs from the label, ``label (url)``. Where a mail client puts
quoted history (``<blockquote>``, Gmail's ``gmail_quote``, Outlook's ``divRplyFwdMsg`` and its
top-bordered header block, Thunderbird's ``moz-cite-prefix``, Yahoo's ``yahoo_quoted``, 163's
``isReplyContent``, QQ's ``原始邮件`` divs) the text gets a line holding only ``QUOTE_MARK``;
``mail_quotes.trim`` cuts there (or keeps what follows as forwarded evidence).

The standard library's ``html.parser`` is enough: it never raises on broken markup, and the
libraries measured in bench/mail_trim.py (inscriptis, html2text) neither know these client
containers nor keep the quote boundary.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import ClassVar

QUOTE_MARK = "\x00"  # cannot come from an HTML text node (_CONTROL strips it); not whitespace
_QUOTE_OPEN, _QUOTE_CLOSE = "\x1f", "\x1d"  # blockquote depth, turned into "> " prefixes

_BLOCK = frozenset(
    {
        "address", "article", "aside", "blockquote", "center", "dd", "div", "dl", "dt",
        "fieldset", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
        "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tr", "ul",
    }
)  # fmt: skip
_SKIP = frozenset(
    {"script", "style", "head", "title", "template", "noscript", "svg", "math", "object",
     "iframe", "select", "button", "xml", "o:p"}
)  # fmt: skip
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
     "source", "track", "wbr"}
)  # fmt: skip
_QUOTE_CLASSES = ("gmail_quote", "yahoo_quoted", "moz-cite-prefix", "protonmail_quote")
_QUOTE_IDS = ("divrplyfwdmsg", "isreplycontent", "appendonsend", "origbody", "mail-app-auto-quote")
_HIDDEN_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|max-height\s*:\s*0|font-size\s*:\s*0",
    re.IGNORECASE,
)
# Outlook's (#E1E1E1, older #B5C4DF) and Foxmail's (#B5C4DF) reply header block.
_OUTLOOK_HEADER_STYLE = re.compile(r"border-top\s*:\s*solid\s+#(?:e1e1e1|b5c4df)", re.IGNORECASE)
_SIGNATURE_CLASSES = ("gmail_signature",)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028\u2029\ufeff]")


class _Element:
    __slots__ = ("hidden", "link", "link_text", "tag")

    def __init__(self, tag: str, hidden: bool, link: str | None) -> None:
        self.tag = tag
        self.hidden = hidden
        self.link = link
        self.link_text: list[str] = []


class _Text(HTMLParser):
    MAX_DEPTH: ClassVar[int] = 512

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.stack: list[_Element] = []
        self.hidden_depth = 0
        self.quoted = False

    # Elements ---------------------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): (v or "") for k, v in attrs}
        if tag in _VOID:
            self._void(tag, values)
            return
        if tag == "p" and self.stack and self.stack[-1].tag == "p":
            self.handle_endtag("p")  # an unclosed <p> ends where the next one starts
        hidden = self._is_hidden(tag, values)
        link = values.get("href") if tag == "a" else None
        if len(self.stack) >= self.MAX_DEPTH:
            return
        self.stack.append(_Element(tag, hidden, link))
        if hidden:
            self.hidden_depth += 1
            return
        if not self.hidden_depth and self._is_quote(tag, values):
            self._mark_quote()
        if tag in _BLOCK:
            self._newline()
        if tag == "blockquote":
            self.parts.append(_QUOTE_OPEN)
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            self._void(tag, {k.lower(): (v or "") for k, v in attrs})

    def handle_endtag(self, tag: str) -> None:
        if not any(e.tag == tag for e in self.stack):
            return  # a stray end tag
        while self.stack:
            element = self.stack.pop()
            if element.hidden:
                self.hidden_depth -= 1
            elif element.tag == "a":
                self._close_link(element)
            if element.tag == "blockquote" and not self.hidden_depth:
                self.parts.append(_QUOTE_CLOSE)
            if element.tag in _BLOCK and not self.hidden_depth:
                self._newline()
            if element.tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.hidden_depth or not data:
            return
        text = _CONTROL.sub("", data)
        link = next((e for e in reversed(self.stack) if e.tag == "a"), None)
        if link is not None:
            link.link_text.append(text)
        self.parts.append(text)

    # Helpers ----------------------------------------------------------------------------
    def _void(self, tag: str, values: dict[str, str]) -> None:
        if self.hidden_depth:
            return
        if tag == "br":
            self.parts.append("\n")
        elif tag == "hr":
            if "stopspelling" in values.get("id", "").lower():  # Outlook's reply separator
                self._mark_quote()
            self._newline()

    def _is_hidden(self, tag: str, values: dict[str, str]) -> bool:
        if tag in _SKIP or "hidden" in values or values.get("aria-hidden") == "true":
            return True
        classes = values.get("class", "").lower()
        if any(c in classes for c in _SIGNATURE_CLASSES):
            return True
        return bool(_HIDDEN_STYLE.search(values.get("style", "")))

    def _is_quote(self, tag: str, values: dict[str, str]) -> bool:
        if tag == "blockquote":
            return True
        classes = values.get("class", "").lower()
        if any(c in classes for c in _QUOTE_CLASSES):
            return True
        if values.get("id", "").lower() in _QUOTE_IDS or values.get("name") == "quote":
            return True
        # Outlook desktop: the quoted message's From/Sent/To block sits in a div with a top
        # border; mail_quotes recognises the header lines themselves, the mark only helps.
        return tag == "div" and bool(_OUTLOOK_HEADER_STYLE.search(values.get("style", "")))

    def _mark_quote(self) -> None:
        if not self.quoted:
            self.quoted = True
            self.parts.append(f"\n{QUOTE_MARK}\n")

    def _close_link(self, element: _Element) -> None:
        href = (element.link or "").strip()
        label = " ".join("".join(element.link_text).split())
        if not href or href.startswith("#") or not re.match(r"(?i)(https?|mailto|ftp):", href):
            return
        shown = href[7:] if href.lower().startswith("mailto:") else href
        if label and shown.rstrip("/") != label.rstrip("/"):
            self.parts.append(f" ({shown})")
        elif not label:
            self.parts.append(shown)

    def _newline(self) -> None:
        self.parts.append("\n")


def html_to_text(html: str) -> str:
    """Plain text of an HTML body, with ``QUOTE_MARK`` lines where quoted history starts."""
    parser = _Text()
    try:
        parser.feed(html)
        parser.close()
    except (AssertionError, ValueError, RecursionError):  # pragma: no cover - parser limits
        pass
    text = "".join(parser.parts).replace("\r", "")
    lines: list[str] = []
    depth = 0
    for raw in text.split("\n"):
        start = depth
        depth = max(0, depth + raw.count(_QUOTE_OPEN) - raw.count(_QUOTE_CLOSE))
        line = " ".join(
            raw.replace("\xa0", " ").replace(_QUOTE_OPEN, "").replace(_QUOTE_CLOSE, "").split()
        )
        level = max(start, depth) if line else 0
        lines.append(("> " * level + line) if line else "")
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
