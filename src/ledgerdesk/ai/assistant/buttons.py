"""The "did this solve it?" buttons: the exact texts the widget and the portal send as the
customer's message, in the reply's language and script (SPEC of issue 14). The engine
recognises exactly these, besides free-form yes and no."""

from __future__ import annotations

FEEDBACK_BUTTONS: dict[str, tuple[str, str]] = {  # language: (yes, no)
    "en": ("Yes, that solved it", "No, I still need help"),
    "zh-Hans": ("是的，已解决", "没有，还需要帮助"),
    "zh-Hant": ("是的，已解決", "沒有，還需要幫助"),
}


def buttons_for(language: str | None) -> tuple[str, str]:
    """(yes, no) for a reply's language; a language without its own texts gets English."""
    return FEEDBACK_BUTTONS.get(language or "en", FEEDBACK_BUTTONS["en"])
