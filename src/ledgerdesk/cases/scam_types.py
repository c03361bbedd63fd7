"""The kinds of scam on the report form, read from ``data/cases/scam_types.yaml``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml

from ledgerdesk.core.paths import shipped_data_dir


@dataclass(frozen=True)
class ScamType:
    key: str
    en: str
    zh: str
    hint_en: str
    hint_zh: str

    def label(self, locale: str) -> str:
        return self.zh if locale.lower().startswith("zh") else self.en

    def hint(self, locale: str) -> str:
        return self.hint_zh if locale.lower().startswith("zh") else self.hint_en


@lru_cache(maxsize=1)
def scam_types() -> tuple[ScamType, ...]:
    """Every kind, in the file's order. A malformed file fails loudly at first use."""
    path = shipped_data_dir() / "cases" / "scam_types.yaml"
    loaded: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    found = tuple(
        ScamType(
            key=str(item["key"]),
            en=str(item["en"]),
            zh=str(item["zh"]),
            hint_en=str(item.get("hint_en", "")),
            hint_zh=str(item.get("hint_zh", "")),
        )
        for item in loaded["types"]
    )
    keys = [t.key for t in found]
    if not found or len(set(keys)) != len(keys):
        raise ValueError(f"{path}: scam types must be a non-empty list of unique keys")
    return found


def scam_type(key: str) -> ScamType | None:
    return next((t for t in scam_types() if t.key == key), None)
