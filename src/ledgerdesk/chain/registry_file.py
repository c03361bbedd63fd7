"""Reading one registry file: YAML with line numbers kept, the shape of its entries (pydantic),
and the checks that need more than one field. Every problem is reported as ``file:line:
message`` naming the line of the bad entry (``chain.registry`` turns the entries into the
frozen ``Network`` objects the rest of the code uses)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ledgerdesk.chain import formats
from ledgerdesk.chain.types import NodeKind

Family = Literal["evm", "bitcoin", "tron"]
KINDS_OF_FAMILY: dict[str, tuple[str, ...]] = {
    "evm": ("evm",),
    "bitcoin": ("esplora", "bitcoind"),
    "tron": ("tron",),
}
Loc = tuple[str | int, ...]


class RegistryError(ValueError):
    """A registry file that cannot be used. ``str(error)`` is ``<file>:<line>: <message>``."""

    def __init__(self, file: str, line: int, message: str) -> None:
        super().__init__(f"{file}:{line}: {message}")
        self.file = file
        self.line = line
        self.message = message


# --- the shape of an entry ------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ConfirmationsIn(_Strict):
    credit: int = Field(ge=0, le=1_000_000)
    unlock: int = Field(ge=0, le=1_000_000)


class NodeIn(_Strict):
    kind: NodeKind
    url: str = Field(min_length=1, max_length=2000)
    allow_private: bool = False
    timeout: float = Field(default=5.0, gt=0, le=120)

    @field_validator("url")
    @classmethod
    def _http(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http:// or https:// URL with a host")
        return value


class ExplorerIn(_Strict):
    tx: str | None = None
    address: str | None = None

    @field_validator("tx")
    @classmethod
    def _tx(cls, value: str | None) -> str | None:
        return _template(value, "{hash}")

    @field_validator("address")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        return _template(value, "{address}")


def _template(value: str | None, placeholder: str) -> str | None:
    if value is None:
        return None
    if not value.startswith(("https://", "http://")):
        raise ValueError("must be an http(s) URL")
    if placeholder not in value:
        raise ValueError(f"must contain {placeholder}")
    return value


def _decimal(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise ValueError("must be a decimal number such as 0.001")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"'{str(value)[:30]}' is not a decimal number") from None
    if not number.is_finite() or number < 0:
        raise ValueError("must be a decimal number of 0 or more")
    return number


_SYMBOL = r"^[A-Za-z0-9][A-Za-z0-9.\-]{0,15}$"


class AssetIn(_Strict):
    symbol: str = Field(pattern=_SYMBOL)
    decimals: int = Field(ge=0, le=36)
    min_deposit: Decimal
    confirmations: ConfirmationsIn | None = None

    @field_validator("min_deposit", mode="before")
    @classmethod
    def _min(cls, value: object) -> Decimal:
        return _decimal(value)


class TokenIn(AssetIn):
    contract: str = Field(min_length=1, max_length=100)
    standard: str | None = Field(default=None, max_length=20)


class NetworkIn(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9\-]{0,39}$")
    name_en: str = Field(min_length=1, max_length=100)
    name_zh: str = Field(min_length=1, max_length=100)
    family: Family
    chain_id: int | None = Field(default=None, gt=0)
    testnet: bool = False
    native: AssetIn
    block_time_seconds: float = Field(gt=0, le=86_400)
    confirmations: ConfirmationsIn
    final_after: int | None = Field(default=None, ge=1, le=1_000_000)
    memo_required: bool = False
    aliases: list[str] = Field(default_factory=list, max_length=50)
    explorer: ExplorerIn | None = None
    node: NodeIn | None = None
    token_standard: str | None = Field(default=None, max_length=20)
    tokens: list[TokenIn] = Field(default_factory=list, max_length=500)

    @field_validator("aliases")
    @classmethod
    def _aliases(cls, value: list[str]) -> list[str]:
        for alias in value:
            if not alias.strip() or len(alias) > 40:
                raise ValueError("each alias is a word of 1 to 40 characters")
        return value


class FileIn(_Strict):
    networks: list[NetworkIn] = Field(min_length=1)


# --- YAML with lines ------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """Safe YAML where decimal numbers stay exact (``0.1`` is Decimal('0.1'), not a float)."""

    def construct_yaml_float(self, node: ScalarNode) -> Any:
        text = str(node.value).replace("_", "")
        try:
            return Decimal(text)
        except InvalidOperation:
            return super().construct_yaml_float(node)


_Loader.add_constructor("tag:yaml.org,2002:float", _Loader.construct_yaml_float)


@dataclass
class ParsedFile:
    """One file: its validated entries and the YAML tree to find a line by location."""

    name: str
    root: Node
    entries: FileIn

    def line(self, loc: Loc) -> int:
        return _line_of(self.root, loc)

    def error(self, loc: Loc, message: str) -> RegistryError:
        return RegistryError(self.name, self.line(loc), f"{self.describe(loc)}: {message}")

    def describe(self, loc: Loc) -> str:
        """``network 'bsc', tokens[0] (USDT), decimals`` for ``("networks", 2, "tokens", 0,
        "decimals")``."""
        return describe(self.root, loc)


def read_file(path: Path) -> ParsedFile:
    """Parse and validate the shape of one registry file; raise RegistryError."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise RegistryError(name, 1, f"cannot be read ({reason})") from None
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            raise RegistryError(name, 1, "the file is empty; it needs a 'networks:' list")
        _check_duplicate_keys(name, root)
        data = loader.construct_document(root)
    except yaml.MarkedYAMLError as exc:
        raise _yaml_error(name, exc) from None
    except yaml.YAMLError as exc:
        raise RegistryError(name, 1, f"not valid YAML: {exc}") from None
    finally:
        loader.dispose()
    try:
        entries = FileIn.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        parsed = ParsedFile(name, root, FileIn.model_construct(networks=[]))
        raise parsed.error(loc, _pydantic_message(first)) from None
    return ParsedFile(name, root, entries)


def _yaml_error(name: str, exc: yaml.MarkedYAMLError) -> RegistryError:
    """The line the parser stopped at, and where the construct it was reading began (an
    unclosed ``[`` is only noticed at the end of the file)."""
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else 1
    message = f"not valid YAML: {exc.problem or exc}"
    context = exc.context_mark
    if exc.context and context is not None and context.line + 1 != line:
        message += f" ({exc.context} started on line {context.line + 1})"
    return RegistryError(name, line, message)


def _pydantic_message(error: Any) -> str:
    kind, message = error.get("type", ""), str(error.get("msg", "invalid"))
    if kind == "extra_forbidden":
        return "unknown field (check its spelling; docs/chain-registry.md lists the fields)"
    if kind == "missing":
        return "this field is required"
    return re.sub(r"^(Value error|Assertion failed), ", "", message)


def _check_duplicate_keys(name: str, node: Node) -> None:
    """YAML silently keeps the last of two equal keys; a registry refuses them."""
    if isinstance(node, MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if isinstance(key, ScalarNode):
                if key.value in seen:
                    line = key.start_mark.line + 1
                    raise RegistryError(name, line, f"'{key.value}' is given twice")
                seen.add(key.value)
            _check_duplicate_keys(name, value)
    elif isinstance(node, SequenceNode):
        for item in node.value:
            _check_duplicate_keys(name, item)


def _child(node: Node, part: str | int) -> tuple[Node | None, Node | None]:
    """(value node, key node) of ``part`` inside ``node``."""
    if isinstance(node, MappingNode):
        for key, value in node.value:
            if isinstance(key, ScalarNode) and key.value == str(part):
                return value, key
    if isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        return node.value[part], None
    return None, None


def _line_of(root: Node, loc: Loc) -> int:
    """The 1-based line of the deepest node ``loc`` reaches. Parts that are not in the tree
    (pydantic's union branch names) are skipped; a missing field points at its mapping."""
    node, line = root, root.start_mark.line + 1
    for index, part in enumerate(loc):
        value, key = _child(node, part)
        if value is None:
            continue
        last = index == len(loc) - 1
        anchor = key if last and key is not None else value
        node, line = value, anchor.start_mark.line + 1
    return line


def describe(root: Node, loc: Loc) -> str:
    words: list[str] = []
    node: Node | None = root
    parts = list(loc)
    for index, part in enumerate(parts):
        child = _child(node, part)[0] if node is not None else None
        if part == "networks" and index == 0:
            pass
        elif isinstance(part, int) and index == 1:
            ident = _scalar(child, "id")
            words.append(f"network '{ident}'" if ident else f"networks[{part}]")
        elif isinstance(part, int):
            symbol = _scalar(child, "symbol")
            words[-1] += f"[{part}]" + (f" ({symbol})" if symbol else "")
        else:
            words.append(str(part))
        node = child if child is not None else node
    return ", ".join(words) or "the file"


def _scalar(node: Node | None, key: str) -> str | None:
    if node is None:
        return None
    value = _child(node, key)[0]
    return str(value.value)[:40] if isinstance(value, ScalarNode) else None


# --- checks across fields ------------------------------------------------------------------


def check_network(parsed: ParsedFile, index: int) -> None:
    """The rules pydantic's field types cannot say; raise RegistryError on the first."""
    net = parsed.entries.networks[index]
    here: Loc = ("networks", index)
    if net.family == "evm" and net.chain_id is None:
        raise parsed.error(here, "chain_id is required for an evm network")
    if net.family != "evm" and net.chain_id is not None:
        raise parsed.error(
            (*here, "chain_id"), f"chain_id applies to evm networks only, not {net.family}"
        )
    if net.node is not None and net.node.kind not in KINDS_OF_FAMILY[net.family]:
        allowed = " or ".join(KINDS_OF_FAMILY[net.family])
        raise parsed.error(
            (*here, "node", "kind"),
            f"{net.family} networks need a node of kind {allowed}, not {net.node.kind}",
        )
    _check_confirmations(parsed, here, net.confirmations)
    _check_confirmations(parsed, (*here, "native"), net.native.confirmations)
    unlock = net.confirmations.unlock
    if net.final_after is not None and net.final_after < unlock:
        raise parsed.error(
            (*here, "final_after"),
            f"must be at least the unlock confirmations ({unlock}): an answer cannot be "
            "final before the deposit unlocks",
        )
    if net.family == "bitcoin" and net.tokens:
        raise parsed.error((*here, "tokens"), "bitcoin networks have no token contracts")
    _check_tokens(parsed, index)


def _check_confirmations(parsed: ParsedFile, loc: Loc, value: ConfirmationsIn | None) -> None:
    if value is not None and value.credit > value.unlock:
        raise parsed.error(
            (*loc, "confirmations", "credit"),
            f"credit ({value.credit}) must not exceed unlock ({value.unlock})",
        )


def _check_tokens(parsed: ParsedFile, index: int) -> None:
    net = parsed.entries.networks[index]
    symbols = {net.native.symbol.upper()}
    contracts: set[str] = set()
    for position, token in enumerate(net.tokens):
        loc: Loc = ("networks", index, "tokens", position)
        if token.symbol.upper() in symbols:
            raise parsed.error((*loc, "symbol"), f"{token.symbol} is listed twice on {net.id}")
        symbols.add(token.symbol.upper())
        contract = normalise_contract(net.family, token.contract)
        if contract is None:
            raise parsed.error((*loc, "contract"), _contract_rule(net.family))
        if contract.lower() in contracts:
            raise parsed.error((*loc, "contract"), f"contract listed twice on {net.id}")
        contracts.add(contract.lower())
        _check_confirmations(parsed, loc, token.confirmations)


def normalise_contract(family: str, contract: str) -> str | None:
    """The stored form of a token contract (EVM: checksummed), or None if it is not one."""
    if family == "evm" and formats.is_address("evm", contract):
        return formats.normalize_address("evm", contract)
    if family == "tron" and formats.is_address("tron", contract):
        return contract
    return None


def _contract_rule(family: str) -> str:
    if family == "tron":
        return "a Tron contract is a base58check address starting with T (34 characters)"
    return "an EVM contract is 0x followed by 40 hex digits (a valid EIP-55 checksum if mixed case)"
