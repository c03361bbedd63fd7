"""Helpers for the secret sweep (test_sweep.py): the secrets, request bodies built from the
OpenAPI document and from the routes' form parameters, and the search of every place a secret
could be left (database rows, the SQLite file and its WAL, the attachment store, logs).

Nothing here lists today's endpoints: operations come from ``app.openapi()`` and the app's
routes, values from their schemas, so an endpoint added tomorrow is swept too."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from mnemonic import Mnemonic
from sqlalchemy import Engine, inspect, text


@dataclass(frozen=True)
class Secrets:
    seed_en: str
    seed_zh: str
    key_hex: str
    password: str = "password: Hunter2-correct-horse"

    @property
    def texts(self) -> list[str]:
        return [self.seed_en, self.seed_zh, f"private key: {self.key_hex}", self.password]

    def needles(self) -> list[tuple[str, str]]:
        """(what, needle) pairs; finding any needle in stored text is a leak."""
        out = []
        words = self.seed_en.split()
        out += [("English seed words", " ".join(words[i : i + 3])) for i in range(10)]
        chars = self.seed_zh.replace(" ", "")
        out += [("Chinese seed words", chars[i : i + 3]) for i in range(len(chars) - 2)]
        out += [("private key", self.key_hex[i : i + 20]) for i in range(0, 45, 11)]
        out += [("password", "Hunter2")]
        return out


def make_secrets(avoid: Callable[[str], bool]) -> Secrets:
    """Fresh secrets for this run: a valid English and Chinese BIP39 phrase and a key. The
    Chinese phrase is redrawn until none of its 3-character runs already occurs (``avoid``)."""
    seed_en = Mnemonic("english").generate(128)
    while True:
        seed_zh = Mnemonic("chinese_simplified").generate(128)
        chars = seed_zh.replace(" ", "").replace("\u3000", "")
        if not any(avoid(chars[i : i + 3]) for i in range(len(chars) - 2)):
            break
    return Secrets(seed_en, " ".join(chars), secrets.token_hex(32))


# --- finding them -----------------------------------------------------------------------------


def _normal(value: str) -> str:
    value = value.lower()
    value = re.sub(r"[\s,，、]+", " ", value)
    return value


def leaks_in(value: str, needles: list[tuple[str, str]]) -> list[str]:
    """What of the secrets ``value`` holds (plain, JSON-escaped or spaced out)."""
    if not value:
        return []
    plain = _normal(value)
    squashed = re.sub(r"\s+", "", value)
    found = []
    for what, needle in needles:
        lowered = needle.lower()
        escaped = json.dumps(needle)[1:-1]
        if lowered in plain or needle in squashed or (escaped != needle and escaped in value):
            found.append(what)
    return sorted(set(found))


def _as_text(value: Any) -> str:
    if isinstance(value, memoryview):
        value = bytes(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "ignore")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, str):
        if value[:1] in "[{":
            try:
                return value + json.dumps(json.loads(value), ensure_ascii=False)
            except ValueError:
                return value
        return value
    return ""


def database_leaks(engine: Engine, needles: list[tuple[str, str]]) -> list[str]:
    """Every column of every table in the database (not only the models'), as text."""
    found = []
    with engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            result = conn.execute(text(f'SELECT * FROM "{table}"'))  # noqa: S608 - table names from the database
            columns = list(result.keys())
            for row in result:
                for column, value in zip(columns, row, strict=True):
                    for what in leaks_in(_as_text(value), needles):
                        found.append(f"table {table}, column {column}: {what}")
    return sorted(set(found))


def file_leaks(paths: list[Path], needles: list[tuple[str, str]]) -> list[str]:
    found = []
    for path in paths:
        if not path.is_file():
            continue
        content = path.read_bytes().decode("utf-8", "ignore")
        for what in leaks_in(content, needles):
            found.append(f"file {path}: {what}")
    return found


def all_values(engine: Engine) -> str:
    """The whole database as one string (to draw secrets that do not occur in it yet)."""
    parts = []
    with engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):  # noqa: S608
                parts.extend(_as_text(v) for v in row)
    return "\n".join(parts)


# --- building requests ------------------------------------------------------------------------


ALL = "*"


@dataclass
class Filler:
    """Valid values for fields that do not get the secret: ids of real objects by name."""

    ids: Callable[[str], int | None]
    counter: int = 0
    # Valid values by field name for free strings that accept only some shapes (a watchlist
    # value must be an address or a domain); used where the field does not get the secret.
    strings: dict[str, str] = field(default_factory=dict)

    def next(self) -> str:
        self.counter += 1
        return f"sweep{self.counter}"


_PATTERN_TRIES = (
    "en",
    "zh-CN",
    "sweep",
    "a",
    "x1",
    "abc-1",
    "1",
    "up",
    "open",
    "normal",
    "ab" * 32,
)


def _constrained_string(schema: dict[str, Any], filler: Filler) -> str | None:
    """A valid value when the schema allows only some strings; None for free text."""
    if "enum" in schema:
        return str(schema["enum"][0])
    if "const" in schema:
        return str(schema["const"])
    fmt = schema.get("format")
    if fmt == "email":
        return f"{filler.next()}@example.com"
    if fmt in ("date-time", "date", "uri", "uuid", "binary"):
        return {"date-time": "2026-01-01T00:00:00Z", "date": "2026-01-01", "uuid": "0" * 32}.get(
            fmt, "https://example.com/"
        )
    pattern = schema.get("pattern")
    if pattern:
        email = f"{filler.next()}@example.com"
        for candidate in (*_PATTERN_TRIES, email, filler.next()):
            if re.search(pattern, candidate):
                return candidate
    return None


def resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = spec["components"]["schemas"][name]
    return schema


def _choose(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    schema = resolve(spec, schema)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [resolve(spec, o) for o in schema[key] if o.get("type") != "null"]
            strings = [o for o in options if o.get("type") == "string"]
            return (strings or options or [{"type": "string"}])[0]
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            merged.update(resolve(spec, part))
        return merged
    return schema


def build(
    spec: dict[str, Any],
    schema: dict[str, Any],
    filler: Filler,
    secret: str,
    target: str,
    path: str = "",
    name: str = "",
) -> Any:
    """A value for ``schema``: ``secret`` in the string field at ``target`` (or in every free
    string field when ``target`` is ALL), valid values elsewhere (an optional field keeps its
    default, so a body stays valid while one field carries the secret)."""
    raw = resolve(spec, schema)
    aimed = (
        target == ALL
        or target == path
        or target.startswith(path + ".")
        or (target.startswith(path + "[]"))
    )
    if not aimed and path and "default" in raw and filler.ids(name) is None:
        return raw["default"]
    options = raw.get("anyOf", raw.get("oneOf", []))
    if not aimed and path and any(o.get("type") == "null" for o in options):
        if filler.ids(name) is None:
            return None
    schema = _choose(spec, schema)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {
            key: build(spec, sub, filler, secret, target, f"{path}.{key}", key)
            for key, sub in props.items()
        }
    if kind == "array":
        item_path = path + "[]"
        if target == ALL or target.startswith(item_path) or schema.get("minItems", 0) > 0:
            return [build(spec, schema.get("items", {}), filler, secret, target, item_path, name)]
        return []  # arrays of labels or ids are often checked: empty keeps the body valid
    if kind == "integer":
        found = filler.ids(name)
        return found if found is not None else max(int(schema.get("minimum", 1)), 1)
    if kind == "number":
        return max(float(schema.get("minimum", 1)), 1.0)
    if kind == "boolean":
        return False
    fixed = _constrained_string(schema, filler)
    if fixed is not None:
        return fixed
    if target in (ALL, path) and len(secret) <= schema.get("maxLength", 10**9):
        return secret
    if name in filler.strings:
        return filler.strings[name]
    return _short(filler, schema)


def _short(filler: Filler, schema: dict[str, Any]) -> str:
    value = filler.next().ljust(schema.get("minLength", 0), "x")
    return value[: schema.get("maxLength", len(value))]


def string_paths(spec: dict[str, Any], schema: dict[str, Any], path: str = "") -> Iterator[str]:
    """The paths of the free string fields in ``schema`` (each gets the secret alone once)."""
    schema = _choose(spec, schema)
    if schema.get("type") == "object" or "properties" in schema:
        for key, sub in schema.get("properties", {}).items():
            yield from string_paths(spec, sub, f"{path}.{key}")
    elif schema.get("type") == "array":
        yield from string_paths(spec, schema.get("items", {}), path + "[]")
    elif (
        schema.get("type") in (None, "string")
        and _constrained_string(schema, Filler(lambda _n: None)) is None
    ):
        yield path


# --- forms in pages ---------------------------------------------------------------------------


@dataclass
class PageForms(HTMLParser):
    """The POST forms of a page: action -> {field: what the browser would send untouched}.
    Text inputs left empty are recorded as ``[""]``; a radio group sends its checked (or
    first) value, a select its selected (or first) option, unticked checkboxes nothing."""

    forms: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    choices: set[tuple[str, str]] = field(default_factory=set)  # (action, field) picked, not typed
    _action: str | None = None
    _select: str | None = None
    _select_multiple: bool = False
    _picked: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        HTMLParser.__init__(self)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self._action = a.get("action", "")
            self.forms.setdefault(self._action, {})
            self._picked = set()
        if self._action is None:
            return
        fields = self.forms[self._action]
        name = a.get("name", "")
        kind = a.get("type", "text")
        if tag == "input" and name and kind not in ("file", "submit", "button"):
            if kind in ("checkbox", "radio", "hidden"):
                self.choices.add((self._action, name))
            self._input(fields, name, kind, a)
        elif tag == "select" and name:
            self.choices.add((self._action, name))
            self._select, self._select_multiple = name, "multiple" in a
            fields.setdefault(name, [])
        elif tag == "option" and self._select:
            self._option(fields[self._select], a)
        elif tag == "textarea" and name:
            fields.setdefault(name, [""])

    def _input(self, fields: dict[str, list[str]], name: str, kind: str, a: dict[str, str]) -> None:
        value = a.get("value", "on" if kind == "checkbox" else "")
        if kind == "checkbox":
            fields.setdefault(name, [])
            if "checked" in a:
                fields[name].append(value)
        elif kind == "radio":
            if "checked" in a or name not in fields:
                fields[name] = [value]
        else:
            fields.setdefault(name, []).append(value)

    def _option(self, values: list[str], a: dict[str, str]) -> None:
        value = a.get("value", "")
        if "selected" in a:
            if self._select not in self._picked and not self._select_multiple:
                values.clear()
            self._picked.add(self._select or "")
            values.append(value)
        elif not values and not self._select_multiple:
            values.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._action = None
        elif tag == "select":
            self._select = None


def page_forms(html: str) -> PageForms:
    parser = PageForms()
    parser.feed(html)
    return parser
