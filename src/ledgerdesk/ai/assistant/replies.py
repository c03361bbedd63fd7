"""The assistant's fixed, reviewed sentences (``data/assistant/replies.yaml``).

Every template exists in English and simplified Chinese; a missing language or an unknown key
is an error at load time, not a blank in front of a customer.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from ledgerdesk.ai.assistant.types import Source
from ledgerdesk.core.paths import shipped_data_dir

LANGS: tuple[str, ...] = ("en", "zh-CN")


class TemplateError(RuntimeError):
    """The templates file is missing, malformed or incomplete."""


def templates_file() -> Path:
    return shipped_data_dir() / "assistant" / "replies.yaml"


@cache
def templates() -> dict[str, dict[str, str]]:
    """Every template by key and language, read once per process."""
    path = templates_file()
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise TemplateError(f"cannot read the assistant's templates {path}: {exc}") from None
    if not isinstance(data, dict):
        raise TemplateError(f"{path} must map template keys to their texts")
    out: dict[str, dict[str, str]] = {}
    for key, texts in data.items():
        if not isinstance(texts, dict) or any(
            not isinstance(texts.get(lang), str) or not texts[lang].strip() for lang in LANGS
        ):
            raise TemplateError(f"template {key!r} in {path} needs both en and zh-CN texts")
        out[str(key)] = {lang: texts[lang].strip() for lang in LANGS}
    return out


def say(key: str, lang: str, **values: str) -> str:
    """Template ``key`` in ``lang`` ("en" | "zh-CN") with its ``{fields}`` filled."""
    try:
        text = templates()[key][lang if lang in LANGS else "en"]
    except KeyError:
        raise TemplateError(f"no assistant template {key!r}") from None
    return text.format(**values) if values else text


def template_source(key: str, lang: str, text: str) -> Source:
    """The template as a reply source (what the faithfulness check may rely on)."""
    return Source(kind="template", ref=key, lang=lang, text=text)
