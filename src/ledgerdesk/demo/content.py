"""The demo desk's words in both languages, as typed records, and the placeholders they use.

The text itself lives in YAML files under ``data/demo/content/<language>/``: per intent group
(``funds.yaml``, ``account.yaml``, ``service.yaml``) the scenarios of each intent, in
``common.yaml`` the lines any ticket can use, and in ``names.yaml`` the names customers get.
This module reads them once, checks them (every intent present, every line a non-empty string,
only known placeholders) and gives them one shape; a malformed file raises
:class:`DemoContentError` naming the file and the key.
"""

from __future__ import annotations

import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ledgerdesk.core.intents import INTENTS
from ledgerdesk.core.paths import shipped_data_dir
from ledgerdesk.demo.yamlcheck import CheckedFile, kind_of

LANGUAGES: tuple[str, ...] = ("zh", "en")

# The intent files of each language, in the order their intents are joined.
INTENT_GROUPS: tuple[str, ...] = ("funds", "account", "service")

# Every ``{name}`` a template may use; the loader fills each of them for every ticket.
PLACEHOLDERS: frozenset[str] = frozenset(
    {
        "address",
        "agent",
        "amount",
        "app_version",
        "asset",
        "confirmations",
        "credit",
        "currency",
        "device",
        "fiat_amount",
        "hours",
        "memo",
        "minutes",
        "name",
        "network",
        "order_id",
        "pair",
        "txid",
        "uid",
    }
)


SCENARIO_PARTS: tuple[str, ...] = (
    "subjects",
    "openings",
    "replies",
    "resolutions",
    "followups",
    "notes",
)

COMMON_PARTS: tuple[str, ...] = (
    "chasers",
    "nudges",
    "escalations",
    "acknowledgements",
    "hold_notes",
)


class DemoContentError(ValueError):
    """A demo content file is missing or malformed; the message names the file and the key."""


@dataclass(frozen=True)
class Scenario:
    """One kind of case within an intent: lines that make sense in the same conversation."""

    subjects: tuple[str, ...]
    openings: tuple[str, ...]
    replies: tuple[str, ...]
    resolutions: tuple[str, ...]
    followups: tuple[str, ...]
    notes: tuple[str, ...]
    routes: tuple[str, ...] = ()  # "ASSET/NETWORK" pairs the case fits; empty means any

    def part(self, name: str) -> tuple[str, ...]:
        value: tuple[str, ...] = getattr(self, name)
        return value

    def templates(self) -> Iterator[str]:
        for name in SCENARIO_PARTS:
            yield from self.part(name)


@dataclass(frozen=True)
class IntentText:
    """What one intent sounds like in one language."""

    scenarios: tuple[Scenario, ...]

    def part(self, name: str) -> tuple[str, ...]:
        """Every line of one part (``subjects``, ``replies``...) across the scenarios."""
        return tuple(line for scenario in self.scenarios for line in scenario.part(name))

    def templates(self) -> Iterator[str]:
        for scenario in self.scenarios:
            yield from scenario.templates()


@dataclass(frozen=True)
class LanguageText:
    """All demo text of one language: per intent, plus lines any ticket can use."""

    intents: Mapping[str, IntentText]
    chasers: tuple[str, ...]
    nudges: tuple[str, ...]
    escalations: tuple[str, ...]
    acknowledgements: tuple[str, ...]
    hold_notes: tuple[str, ...]

    def templates(self) -> Iterator[str]:
        for intent in self.intents.values():
            yield from intent.templates()
        for group in (
            self.chasers,
            self.nudges,
            self.escalations,
            self.acknowledgements,
            self.hold_notes,
        ):
            yield from group


NamePair = tuple[str, str]  # (name in characters, its romanisation for e-mail addresses)


@dataclass(frozen=True)
class ChineseNames:
    """Names of Chinese-writing customers: mainland ones get a surname and a given name, those
    from Hong Kong and Taiwan a whole traditional-character name."""

    surnames: tuple[NamePair, ...]
    given_names: tuple[NamePair, ...]
    traditional_names: tuple[NamePair, ...]


@dataclass(frozen=True)
class EnglishNames:
    """Names of English-writing customers."""

    first_names: tuple[str, ...]
    last_names: tuple[str, ...]


@dataclass(frozen=True)
class DemoContent:
    """Everything under ``data/demo/content/``."""

    text: Mapping[str, LanguageText]
    chinese_names: ChineseNames
    english_names: EnglishNames


def placeholders_in(template: str) -> set[str]:
    """The ``{names}`` that ``template`` uses."""
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


def fill(template: str, values: Mapping[str, str]) -> str:
    """``template`` with its placeholders replaced from ``values``."""
    return template.format_map(values)


# --- reading the files --------------------------------------------------------------------


class _File(CheckedFile):
    """One content file being checked; every problem names the file and the key."""

    error = DemoContentError

    def keys(self, value: dict[str, Any], key: str, required: tuple[str, ...]) -> None:
        missing = [name for name in required if name not in value]
        if missing:
            self.fail(key, f"missing {', '.join(missing)}")

    def unknown(self, value: dict[str, Any], key: str, allowed: tuple[str, ...]) -> None:
        extra = [name for name in value if name not in allowed]
        if extra:
            self.fail(key, f"unknown key {', '.join(extra)} (allowed: {', '.join(allowed)})")

    def items(self, value: object, key: str, *, empty_ok: bool = False) -> list[Any]:
        if not isinstance(value, list) or not (value or empty_ok):
            self.fail(key, f"expected a non-empty list, got {kind_of(value)}")
        return value

    def text(self, value: object, key: str) -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail(key, f"expected a non-empty string, got {kind_of(value)}")
        return value

    def strings(self, value: object, key: str, *, empty_ok: bool = False) -> tuple[str, ...]:
        items = self.items(value, key, empty_ok=empty_ok)
        return tuple(self.text(item, f"{key}[{i}]") for i, item in enumerate(items))

    def templates(self, value: object, key: str) -> tuple[str, ...]:
        lines = self.strings(value, key)
        for i, line in enumerate(lines):
            try:
                used = placeholders_in(line)
            except ValueError as exc:
                self.fail(f"{key}[{i}]", f"is not a valid template ({exc})")
            unknown = sorted(used - PLACEHOLDERS)
            if unknown:
                self.fail(f"{key}[{i}]", f"unknown placeholder {', '.join(unknown)}")
        return lines

    def pairs(self, value: object, key: str) -> tuple[NamePair, ...]:
        result: list[NamePair] = []
        for i, item in enumerate(self.items(value, key)):
            if not isinstance(item, list) or len(item) != 2:
                self.fail(f"{key}[{i}]", f"expected [name, romanisation], got {kind_of(item)}")
            result.append(
                (self.text(item[0], f"{key}[{i}][0]"), self.text(item[1], f"{key}[{i}][1]"))
            )
        return tuple(result)


def _scenario(file: _File, raw: object, key: str) -> Scenario:
    data = file.mapping(raw, key)
    file.keys(data, key, SCENARIO_PARTS)
    file.unknown(data, key, (*SCENARIO_PARTS, "routes"))
    parts = {name: file.templates(data[name], f"{key}.{name}") for name in SCENARIO_PARTS}
    routes = file.strings(data.get("routes", []), f"{key}.routes", empty_ok=True)
    return Scenario(**parts, routes=routes)


def _intents(directory: Path) -> dict[str, IntentText]:
    intents: dict[str, IntentText] = {}
    origin: dict[str, Path] = {}
    for group in INTENT_GROUPS:
        file = _File(directory / f"{group}.yaml")
        for intent, scenarios in file.read().items():
            if intent not in INTENTS:
                file.fail(intent, f"unknown intent (known: {', '.join(INTENTS)})")
            if intent in intents:
                file.fail(intent, f"already given in {origin[intent]}")
            items = file.items(scenarios, intent)
            intents[intent] = IntentText(
                tuple(_scenario(file, raw, f"{intent}[{i}]") for i, raw in enumerate(items))
            )
            origin[intent] = file.path
    missing = [intent for intent in INTENTS if intent not in intents]
    if missing:
        raise DemoContentError(f"{directory}: no scenarios for the intents {', '.join(missing)}")
    return intents


def load_language(directory: Path) -> LanguageText:
    """The demo text of one language from its directory (``data/demo/content/<language>``)."""
    intents = _intents(directory)
    file = _File(directory / "common.yaml")
    data = file.read()
    file.keys(data, "", COMMON_PARTS)
    file.unknown(data, "", COMMON_PARTS)
    common = {name: file.templates(data[name], name) for name in COMMON_PARTS}
    return LanguageText(intents=intents, **common)


def load_chinese_names(path: Path) -> ChineseNames:
    file = _File(path)
    data = file.read()
    parts = ("surnames", "given_names", "traditional_names")
    file.keys(data, "", parts)
    file.unknown(data, "", parts)
    return ChineseNames(**{name: file.pairs(data[name], name) for name in parts})


def load_english_names(path: Path) -> EnglishNames:
    file = _File(path)
    data = file.read()
    parts = ("first_names", "last_names")
    file.keys(data, "", parts)
    file.unknown(data, "", parts)
    return EnglishNames(**{name: file.strings(data[name], name) for name in parts})


def load_content(root: Path) -> DemoContent:
    """All demo content under ``root`` (``data/demo/content``), checked."""
    return DemoContent(
        text={language: load_language(root / language) for language in LANGUAGES},
        chinese_names=load_chinese_names(root / "zh" / "names.yaml"),
        english_names=load_english_names(root / "en" / "names.yaml"),
    )


@lru_cache(maxsize=1)
def demo_content() -> DemoContent:
    """The shipped demo content, read and checked once per process."""
    return load_content(shipped_data_dir() / "demo" / "content")


def demo_text() -> Mapping[str, LanguageText]:
    """The shipped demo text per language (``"zh"``, ``"en"``)."""
    return demo_content().text
