"""Translations (Babel catalogs, read from .po at start-up) and the per-request locale."""

from __future__ import annotations

import io
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALES = ("en", "zh-CN")
LOCALE_NAMES = {"en": "English", "zh-CN": "简体中文"}
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
_current: ContextVar[str] = ContextVar("ledgerdesk_locale", default="en")


@lru_cache(maxsize=8)
def translations(locale: str) -> NullTranslations:
    """The catalog for ``locale`` (English is the source language)."""
    po = LOCALE_DIR / locale.replace("-", "_") / "LC_MESSAGES" / "messages.po"
    if locale == "en" or not po.exists():
        return NullTranslations()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=locale.replace("-", "_"))
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def set_locale(locale: str) -> None:
    _current.set(locale if locale in LOCALES else "en")


def get_locale() -> str:
    return _current.get()


def gettext(message: str) -> str:
    return translations(get_locale()).ugettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(get_locale()).ungettext(singular, plural, n)


def normalise_locale(value: str | None) -> str | None:
    """Map ``zh``, ``zh_CN``, ``zh-Hans`` … to a supported locale; ``None`` if unsupported."""
    if not value:
        return None
    value = value.strip().replace("_", "-").lower()
    if value.startswith("zh"):
        return "zh-CN"
    if value.startswith("en"):
        return "en"
    return None


def language_name(code: str) -> str:
    """A stored language code as a person reads it ("zh-Hans" → "简体中文"); an unsupported
    one as it is."""
    return LOCALE_NAMES.get(normalise_locale(code) or "", code)


def negotiate(accept_language: str | None, default: str) -> str:
    """The best supported locale for an ``Accept-Language`` header."""
    choices: list[tuple[float, str]] = []
    for part in (accept_language or "").split(",")[:20]:
        lang, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        found = normalise_locale(lang)
        if found:
            choices.append((quality, found))
    if not choices:
        return default
    return max(choices, key=lambda c: c[0])[1]
