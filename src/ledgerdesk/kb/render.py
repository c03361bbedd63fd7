"""Article Markdown to safe HTML and to plain text, with the exchange's values filled in.

Raw HTML is never rendered (it shows as text), links may only point to http(s), mailto or
relative paths, and headings get ids so a section can be linked. Placeholders such as
``{{ confirmations.BTC }}`` are replaced before rendering; an unknown one stays visible, so a
missing value is noticed instead of silently printing nothing.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from ledgerdesk.core.paths import shipped_data_dir
from ledgerdesk.core.settings import Settings, get_settings

log = logging.getLogger("ledgerdesk.kb")

PLACEHOLDER_RE = re.compile(r"\{\{\s*([A-Za-z_]\w*(?:\.\w+)*)\s*\}\}")
_SCHEME_RE = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
_ALLOWED_SCHEMES = {"http", "https", "mailto"}
_SLUG_DROP = re.compile(r"[^\w\- ]+", re.UNICODE)


# --- variables --------------------------------------------------------------------------


def default_variables_file() -> Path:
    return shipped_data_dir() / "kb" / "variables.json"


def _flatten(value: Any, prefix: str, out: dict[str, str]) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten(inner, f"{prefix}.{key}" if prefix else str(key), out)
    elif prefix:
        out[prefix] = "" if value is None else str(value)


@lru_cache(maxsize=16)
def _read_variables(path: Path, mtime: float) -> tuple[tuple[str, str], ...]:
    """The flattened values of one JSON file; cached until the file changes (``mtime``)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        log.warning("knowledge-base variables file %s is unreadable: %s", path, exc)
        return ()
    if not isinstance(data, dict):
        log.warning("knowledge-base variables file %s must hold a JSON object", path)
        return ()
    flat: dict[str, str] = {}
    _flatten(data, "", flat)
    return tuple(sorted(flat.items()))


def _file_values(path: Path) -> dict[str, str]:
    try:
        mtime = path.stat().st_mtime
    except OSError:
        log.warning("knowledge-base variables file %s does not exist", path)
        return {}
    return dict(_read_variables(path.resolve(), mtime))


def variables(settings: Settings | None = None) -> dict[str, str]:
    """Every placeholder value: shipped defaults, then the operator's file, then settings."""
    settings = settings or get_settings()
    values = _file_values(default_variables_file())
    override = settings.kb_variables_file
    if override is not None and override.resolve() != default_variables_file().resolve():
        values.update(_file_values(override))
    values["platform_name"] = settings.platform_name
    values["official_site"] = (
        settings.official_domains[0] if settings.official_domains else settings.platform_name
    )
    return values


def placeholders_in(text: str) -> list[str]:
    """The placeholder names used in ``text``, in order of first use."""
    return list(dict.fromkeys(PLACEHOLDER_RE.findall(text)))


def check_placeholders(text: str, values: Mapping[str, str] | None = None) -> list[str]:
    """The placeholder names in ``text`` that have no value (empty when all are known)."""
    known = variables() if values is None else values
    return [name for name in placeholders_in(text) if name not in known]


def substitute(text: str, values: Mapping[str, str]) -> str:
    """``text`` with every known placeholder replaced; unknown ones are left as written."""

    def replace(match: re.Match[str]) -> str:
        return values.get(match.group(1), match.group(0))

    return PLACEHOLDER_RE.sub(replace, text)


# --- Markdown ---------------------------------------------------------------------------


def _link_allowed(url: str) -> bool:
    """Only web, e-mail and same-site links: no ``javascript:``, ``data:``, ``file:`` …"""
    found = _SCHEME_RE.match(url.strip())
    return found is None or found.group(1).lower() in _ALLOWED_SCHEMES


def heading_id(text: str, taken: set[str]) -> str:
    """A readable, unique anchor for a heading (Chinese characters are kept)."""
    base = "-".join(_SLUG_DROP.sub("", text.lower()).split())[:60].strip("-") or "section"
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    taken.add(candidate)
    return candidate


def _decorate(state: StateCore) -> None:
    """Core rule: ids on headings, ``rel`` on links that leave the site."""
    taken: set[str] = set()
    tokens = state.tokens
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and i + 1 < len(tokens):
            token.attrSet("id", heading_id(_inline_text(tokens[i + 1]), taken))
        for child in token.children or ():
            if child.type == "link_open" and str(child.attrGet("href") or "").startswith("http"):
                child.attrSet("rel", "nofollow noopener noreferrer")


def _inline_text(token: Token) -> str:
    return "".join(
        c.content for c in token.children or () if c.type in ("text", "code_inline")
    ).strip()


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.validateLink = _link_allowed  # type: ignore[method-assign]
    md.core.ruler.push("ledgerdesk_decorate", _decorate)
    return md


_MD = _markdown()


def render_html(body: str, values: Mapping[str, str]) -> str:
    """Safe HTML for an article body (the template marks it safe)."""
    html: str = _MD.render(substitute(body, values))
    return html


def render_text(body: str, values: Mapping[str, str]) -> str:
    """The words of an article without Markdown syntax, one block per line (for search)."""
    lines: list[str] = []
    for token in _MD.parse(substitute(body, values)):
        if token.type == "inline":
            lines.append(
                "".join(
                    " " if c.type in ("softbreak", "hardbreak") else c.content
                    for c in token.children or ()
                    if c.type in ("text", "code_inline", "softbreak", "hardbreak")
                ).strip()
            )
        elif token.type in ("fence", "code_block"):
            lines.append(token.content.strip())
    return "\n".join(line for line in lines if line)


def excerpt(body: str, values: Mapping[str, str], limit: int = 180) -> str:
    """The opening words of an article, for result lists."""
    text = " ".join(render_text(body, values).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
