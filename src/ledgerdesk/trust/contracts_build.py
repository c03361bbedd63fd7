"""Compile the trust contracts (``data/trust/contracts/anchor.vy`` and ``commitment.vy``) into
the JSON artefacts committed next to them.

Run ``python -m ledgerdesk.trust.contracts_build`` after editing a Vyper source and commit the
JSON. The build is reproducible: the same source and compiler give the same bytes, so anyone
can recompile and compare with what the desk deployed. The running product only loads the
committed JSON (``ledgerdesk.trust.onchain``).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from ledgerdesk.core.paths import shipped_data_dir

CONTRACTS = ("anchor", "commitment")


def contracts_dir() -> Path:
    return shipped_data_dir() / "trust" / "contracts"


def source_path(name: str) -> Path:
    return contracts_dir() / f"{name}.vy"


def json_path(name: str) -> Path:
    return contracts_dir() / f"{name}.json"


def compile_contract(name: str, source: Path | None = None) -> dict[str, Any]:
    """ABI, deployment bytecode (0x hex) and compiler version of contract ``name``, compiled
    from ``source`` (default: the shipped ``<name>.vy``). Needs the Vyper compiler."""
    import vyper

    text = (source or source_path(name)).read_text(encoding="utf-8")
    out = vyper.compile_code(text, output_formats=["abi", "bytecode"])
    return {
        "contract": f"{name}.vy",
        "compiler": f"vyper {vyper.__version__}",
        "abi": out["abi"],
        "bytecode": out["bytecode"],
    }


def render(artefact: dict[str, Any]) -> str:
    """The exact text of the committed JSON (stable, so a fresh compile compares equal)."""
    return json.dumps(artefact, indent=2, sort_keys=True) + "\n"


@cache
def artefact(name: str) -> dict[str, Any]:
    """The committed artefact of ``name`` (no compiler needed)."""
    loaded: dict[str, Any] = json.loads(json_path(name).read_text(encoding="utf-8"))
    return loaded


def main() -> None:
    for name in CONTRACTS:
        target = json_path(name)
        target.write_text(render(compile_contract(name)), encoding="utf-8")
        print(f"wrote {target}")


if __name__ == "__main__":
    main()
