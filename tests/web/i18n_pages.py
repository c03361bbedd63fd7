"""Helpers for the page-language test: the console and portal pages (every GET route of the
app, with real ids), the visible text of a page, the stored keys and the catalogue."""

from __future__ import annotations

import enum
import importlib
import json
import pkgutil
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po
from fastapi.routing import APIRoute

import ledgerdesk
import ledgerdesk.ai.triage
from ledgerdesk.ai.guard import KINDS
from ledgerdesk.core import i18n
from ledgerdesk.core.intents import INTENTS
from ledgerdesk.trust.lookalike import REASONS

# Pages that are not ours to translate or are not pages: the OpenAPI viewers (Swagger's own
# English), the health check and a CSV download.
NOT_PAGES = frozenset(
    {"/docs", "/redoc", "/healthz", "/readyz", "/metrics", "/console/routing/corrections.csv"}
)
# Values that are already what a person reads (the support tiers "L1", "L2").
NOT_KEYS = frozenset({"L1", "L2"})


def get_routes(app: Any) -> Iterator[tuple[str, APIRoute]]:
    """Every GET route of the app outside the JSON APIs (/api, the chat widget's /chat/api),
    with its full path."""

    def walk(routes: list[Any], prefix: str) -> Iterator[tuple[str, APIRoute]]:
        for route in routes:
            if hasattr(route, "original_router"):  # an included router (FastAPI ≥ 0.120)
                yield from walk(route.original_router.routes, prefix + route.include_context.prefix)
            elif isinstance(route, APIRoute):
                yield prefix + route.path, route

    for path, route in walk(list(app.routes), ""):
        json_api = path.startswith(("/api", "/chat/api"))
        if "GET" in route.methods and not json_api and path not in NOT_PAGES:
            yield path, route


# --- visible text -------------------------------------------------------------------------


class _Text(HTMLParser):
    """Text nodes a person sees: not scripts, styles, attributes or comments, not the text
    inside a textarea (what the author is writing: a draft, an article's source), and not
    content marked with its own ``lang`` (an English article quoted on a Chinese page)."""

    HIDDEN = frozenset({"script", "style", "template", "textarea"})
    VOID = frozenset({"br", "img", "input", "meta", "link", "hr", "source", "wbr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, hidden)
        self.nodes: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            own_lang = tag != "html" and any(name == "lang" for name, _ in attrs)
            self.stack.append((tag, tag in self.HIDDEN or own_lang))

    def handle_endtag(self, tag: str) -> None:
        if any(open_tag == tag for open_tag, _ in self.stack):
            while self.stack and self.stack.pop()[0] != tag:
                pass

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if text and not any(hidden for _, hidden in self.stack):
            self.nodes.append(text)


def visible_text(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return parser.nodes


# --- stored keys and the catalogue -----------------------------------------------------------


def stored_keys() -> set[str]:
    """Every value of every StrEnum in the models, the intents, the guard's kinds and the
    triage model's sentiments: what the database stores and a page must never show raw."""
    keys: set[str] = set(INTENTS) | set(KINDS) | {"phishing_link"} | set(REASONS)
    model = Path(ledgerdesk.ai.triage.__file__).parent / "default_model" / "model.json"
    keys |= set(json.loads(model.read_text())["heads"]["sentiment"]["labels"])
    for module in _model_modules():
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, enum.StrEnum):
                keys |= {member.value for member in value}
    return keys - NOT_KEYS


def _model_modules() -> Iterator[Any]:
    for info in pkgutil.iter_modules(ledgerdesk.__path__):
        if info.ispkg:
            try:
                yield importlib.import_module(f"ledgerdesk.{info.name}.models")
            except ModuleNotFoundError:
                continue


@dataclass
class Catalogue:
    translated: dict[str, str]  # msgid -> msgstr, where they differ
    present: set[str]  # every msgid with a msgstr ("API" is "API" in Chinese too)
    missing: list[str]  # msgids without a msgstr


def catalogue() -> Catalogue:
    po = i18n.LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as handle:
        read = read_po(handle, locale="zh_CN")
    translated, present, missing = {}, set(), []
    for message in read:
        if not message.id or not isinstance(message.id, str):
            continue
        if not message.string:
            missing.append(message.id)
            continue
        present.add(message.id)
        if message.string != message.id:
            translated[message.id] = str(message.string)
    return Catalogue(translated, present, missing)


def _word(text: str) -> re.Pattern[str]:
    """``text`` as a whole word: not inside an address, a path, a hyphenated name or a hash."""
    return re.compile(rf"(?<![\w@./:#-]){re.escape(text)}(?![\w@/:#-])")


@dataclass
class Finder:
    keys: dict[str, re.Pattern[str]]
    english: dict[str, re.Pattern[str]]

    @classmethod
    def build(cls) -> Finder:
        sentences = {
            msgid: _word(msgid)
            for msgid in catalogue().translated
            if "%(" not in msgid and re.search(r"[A-Za-z]{2}", msgid)
        }
        return cls({key: _word(key) for key in stored_keys()}, sentences)

    def raw_keys(self, nodes: list[str], *, anywhere: bool) -> set[str]:
        """Keys shown as text: in Chinese anywhere in a node; in English a whole node (an
        English sentence may say "open") or a key no word has (``on_hold``)."""
        found = set()
        for node in nodes:
            for key, pattern in self.keys.items():
                whole = node.strip(" :·()") == key
                if whole or ((anywhere or "_" in key) and pattern.search(node)):
                    found.add(f"{key!r} in {node[:80]!r}")
        return found

    def untranslated(self, nodes: list[str]) -> set[str]:
        found = set()
        for node in nodes:
            for msgid, pattern in self.english.items():
                if pattern.search(node):
                    found.add(f"{msgid!r} in {node[:80]!r}")
        return found


_FIELD = re.compile(r"<(textarea|input)\b[^>]*>", re.IGNORECASE)
_TYPED = re.compile(r'\btype="(hidden|checkbox|radio|file|submit|button|number|date)"')


def fields_without_maxlength(html: str) -> list[str]:
    """Text fields a person types into that do not say the server's limit."""
    return [
        tag[:120]
        for tag in (m.group() for m in _FIELD.finditer(html))
        if "maxlength=" not in tag and not _TYPED.search(tag)
    ]
