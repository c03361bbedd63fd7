"""Reading the demo's YAML files strictly: a key given twice in one mapping is refused, and
every problem raises the file's own error type with a message naming the file and the key."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, NoReturn

import yaml


class StrictLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses a key given twice in one mapping (it would silently
    drop the first one's value)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[object] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, str):
                continue  # the safe loader itself rejects keys it cannot use
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping",
                    node.start_mark,
                    f"found the key {key!r} twice",
                    key_node.start_mark,
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def kind_of(value: object) -> str:
    """A short description of a value that is not what the file should hold."""
    if value is None:
        return "nothing"
    if isinstance(value, list | dict | str) and not value:
        return f"an empty {type(value).__name__}"
    return f"{type(value).__name__} {value!r}"[:80]


class CheckedFile:
    """One YAML file being read and checked; subclasses set ``error`` and add checks."""

    error: ClassVar[type[ValueError]] = ValueError

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, key: str, problem: str) -> NoReturn:
        where = f"{self.path}: {key}" if key else str(self.path)
        raise self.error(f"{where}: {problem}")

    def read(self) -> dict[str, Any]:
        try:
            with self.path.open(encoding="utf-8") as handle:
                loaded = yaml.load(handle, Loader=StrictLoader)  # noqa: S506 (a SafeLoader)
        except OSError as exc:
            self.fail("", f"cannot be read ({exc.strerror or exc})")
        except yaml.YAMLError as exc:
            self.fail("", f"is not valid YAML: {exc}")
        return self.mapping(loaded, "")

    def mapping(self, value: object, key: str) -> dict[str, Any]:
        if not isinstance(value, dict) or not value:
            self.fail(key, f"expected a non-empty mapping, got {kind_of(value)}")
        for name in value:
            if not isinstance(name, str):
                self.fail(key, f"expected text keys, got {name!r}")
        return value
