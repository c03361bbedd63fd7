"""The guard as a property of storage: a free-text column cannot hold a secret.

Every column that stores text from outside (a customer, an agent, an API client) is declared
with one of the types below instead of ``String``/``Text``/``JSON``:

- ``GuardedString(n)``, ``GuardedLongText()``: the value is scanned and redacted when it is
  assigned to the model attribute (so the object, the response, the event and the search terms
  built from it all see the redacted text) and again when it is bound into SQL, for writes
  that bypass the ORM attributes (``update().values(...)``);
- ``GuardedJSON()``: the same for every string inside a JSON document (keys excepted).

A service that already scanned a text (to record findings and warn the customer, as the ticket
services do) passes the ``GuardedText`` that ``guarded(result)`` makes from the scan, and the
storage layer does not scan it again. ``GuardedText`` is made only here, from a scan.

``tests/guard/test_storage.py`` walks every model and fails when a string or JSON column is
neither one of these types nor listed with a reason as holding no free text (ids, hashes,
e-mail addresses, enum keys, derived search terms).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import JSON, String, Text, event
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapper
from sqlalchemy.types import TypeDecorator

from ledgerdesk.ai.guard import ScanResult, scan


class GuardedText(str):
    """Text that has been through the guard (made only by ``guard_text`` and ``guarded``)."""

    __slots__ = ()


def _lookup() -> Any:
    from ledgerdesk.ai.guard.chains import lookup_for
    from ledgerdesk.core.settings import get_settings

    return lookup_for(get_settings().guard_chain_rpc_urls)


def guarded(result: ScanResult) -> GuardedText:
    """The redacted text of a scan a service has just made, marked as guarded."""
    return GuardedText(result.redacted)


def guard_text(value: str) -> GuardedText:
    """``value`` with every secret the guard finds replaced by its marker."""
    if isinstance(value, GuardedText):
        return value
    if not value:
        return GuardedText(value)
    return GuardedText(scan(value, lookup=_lookup()).redacted)


def guard_json(value: Any) -> Any:
    """A JSON document with every string value guarded (keys are field names, kept)."""
    if isinstance(value, str):
        return guard_text(value)
    if isinstance(value, dict):
        return {key: guard_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [guard_json(item) for item in value]
    return value


def _fit(value: GuardedText, length: int | None) -> GuardedText:
    """A marker can be longer than the secret it replaced: keep within the column."""
    return GuardedText(value[:length]) if length and len(value) > length else value


class GuardedString(TypeDecorator[str]):
    """A VARCHAR that stores only guarded text."""

    impl = String
    cache_ok = True

    def guard(self, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        return _fit(guard_text(value), getattr(self.impl, "length", None))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        guarded_value = self.guard(value)
        return str(guarded_value) if isinstance(guarded_value, str) else guarded_value


class GuardedLongText(GuardedString):
    """A TEXT column that stores only guarded text."""

    impl = Text
    cache_ok = True


class GuardedJSON(TypeDecorator[Any]):
    """A JSON column whose string values are all guarded."""

    impl = JSON
    cache_ok = True

    def guard(self, value: Any) -> Any:
        return guard_json(value)

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return _plain(guard_json(value))


def _plain(value: Any) -> Any:
    """Guarded strings as plain ``str`` for the database driver."""
    if isinstance(value, str):
        return str(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


GUARDED_TYPES = (GuardedString, GuardedJSON)


def is_guarded(type_: Any) -> bool:
    return isinstance(type_, GUARDED_TYPES)


def _on_set(type_: GuardedString | GuardedJSON) -> Callable[..., Any]:
    def guard_on_set(_target: Any, value: Any, _old: Any, _initiator: Any) -> Any:
        return type_.guard(value)

    return guard_on_set


@event.listens_for(Mapper, "mapper_configured")
def _install(mapper: Mapper[Any], cls: type[Any]) -> None:
    """Guard on assignment, so the object never holds what the database must not."""
    for prop in mapper.column_attrs:
        column = prop.columns[0]
        if isinstance(column.type, GUARDED_TYPES):
            event.listen(getattr(cls, prop.key), "set", _on_set(column.type), retval=True)


__all__ = [
    "GuardedJSON",
    "GuardedLongText",
    "GuardedString",
    "GuardedText",
    "guard_json",
    "guard_text",
    "guarded",
    "is_guarded",
]
