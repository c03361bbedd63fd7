"""The customer's language and script, and writing a reply in it.

Replies to Chinese customers come from simplified (zh-CN) articles and templates; a customer
who writes traditional characters reads them converted with OpenCC ``s2t``. A message whose
language cannot be told (codes only, another language) falls back to the interface locale,
then to English.
"""

from __future__ import annotations

import threading
from functools import cache

import opencc

from ledgerdesk.ai.triage.language import detect_language

SCRIPTS: tuple[str, ...] = ("en", "zh-Hans", "zh-Hant")
# Below this the text alone does not tell: "0x5f…", "BTC?" (detect_language's English
# fallback for tokens-only text is 0.4).
SURE = 0.45

_lock = threading.Lock()


def locale_script(locale: str | None) -> str | None:
    """The script an interface locale implies ("zh-CN" → "zh-Hans"), or None."""
    value = (locale or "").strip().lower().replace("_", "-")
    if value in ("zh-tw", "zh-hk", "zh-mo", "zh-hant"):
        return "zh-Hant"
    if value.startswith("zh"):
        return "zh-Hans"
    if value.startswith("en"):
        return "en"
    return None


def customer_script(text: str, locale: str | None = None) -> str:
    """The script the reply must be written in: "en", "zh-Hans" or "zh-Hant"."""
    guess = detect_language(text)
    fallback = locale_script(locale)
    if guess.language == "zh-Hans" and fallback == "zh-Hant" and guess.confidence <= 0.75:
        return "zh-Hant"  # no simplified-only character: the traditional interface decides
    if guess.language in SCRIPTS and guess.confidence >= SURE:
        return guess.language
    return fallback or "en"


def article_lang(script: str) -> str:
    """The article and template language for a script: zh-CN for both Chinese scripts."""
    return "zh-CN" if script.startswith("zh") else "en"


@cache
def _s2t() -> opencc.OpenCC:
    return opencc.OpenCC("s2t")


def in_script(text: str, script: str) -> str:
    """``text`` (English or simplified Chinese) written in ``script``."""
    if script != "zh-Hant" or not text:
        return text
    converter = _s2t()
    with _lock:  # one converter per process; OpenCC objects are not documented thread-safe
        return str(converter.convert(text))
