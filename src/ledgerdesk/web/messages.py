"""Translate messages built in English by services (``DomainError.message``), so a zh-CN page
never shows an English error.

Services write messages with f-strings ("Tag 'x y' is not valid…"); the catalogue holds the
same sentence with named placeholders ("Tag '%(tag)s' is not valid…"). A message is looked
up as it is first; otherwise it is matched against every msgid that has placeholders, and the
values it carried are put into the msgstr (each value translated too when it is a msgid).
"""

from __future__ import annotations

import re
from functools import lru_cache

from babel.messages.pofile import read_po

from ledgerdesk.core import i18n

_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _pattern(msgid: str) -> re.Pattern[str]:
    parts, last = [], 0
    for match in _PLACEHOLDER.finditer(msgid):
        parts.append(re.escape(msgid[last : match.start()]))
        parts.append(f"(?P<{match.group(1)}>.+?)")
        last = match.end()
    parts.append(re.escape(msgid[last:]))
    return re.compile("".join(parts), re.DOTALL)


_WORDS = re.compile(r"[^\W\d_]{3,}")


def _usable(msgid: str) -> bool:
    """A msgid with placeholders, each once, and enough words of its own to be matched
    safely (never ``#%(n)s: %(subject)s``, which would match almost anything)."""
    names = _PLACEHOLDER.findall(msgid)
    words = _WORDS.findall(_PLACEHOLDER.sub("", msgid))
    return bool(names) and len(set(names)) == len(names) and len(words) >= 2


@lru_cache(maxsize=4)
def _templates(locale: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    """(pattern, msgstr) for every translated msgid with placeholders, longest msgid first
    (the most specific sentence wins)."""
    po = i18n.LOCALE_DIR / locale.replace("-", "_") / "LC_MESSAGES" / "messages.po"
    if locale == "en" or not po.exists():
        return ()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=locale.replace("-", "_"))
    found = []
    for message in catalog:
        msgid = message.id
        if isinstance(msgid, str) and message.string and _usable(msgid):
            found.append((msgid, str(message.string)))
    found.sort(key=lambda pair: -len(_PLACEHOLDER.sub("", pair[0])))
    return tuple((_pattern(msgid), msgstr) for msgid, msgstr in found)


def translate_message(message: str, _depth: int = 0) -> str:
    """``message`` in the request's language (unchanged when nothing in the catalogue fits).
    A value carried by a sentence is translated the same way, one level deep ("The desk cannot
    send to this URL: <the reason, itself a sentence with a host in it>")."""
    locale = i18n.get_locale()
    if locale == "en" or not message:
        return message
    exact = i18n.gettext(message)
    if exact != message:
        return exact
    for pattern, msgstr in _templates(locale):
        match = pattern.fullmatch(message)
        if match:
            values = match.groupdict().items()
            if _depth:
                return _fill(msgstr, {k: i18n.gettext(v) for k, v in values})
            return _fill(msgstr, {k: translate_message(v, 1) for k, v in values})
    return message


def _fill(msgstr: str, values: dict[str, str]) -> str:
    """``msgstr`` with its placeholders replaced (``%(limit)d`` takes a string too)."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group()), msgstr)
