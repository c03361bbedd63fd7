"""Compile the local chain's ERC-20 token (``data/chain/token.vy``) into ``data/chain/token.json``.

Run ``python -m ledgerdesk.chain.build_token`` after editing the Vyper source and commit the
JSON. Only this script needs the Vyper compiler (a development dependency); the running
product loads the committed JSON (see ``ledgerdesk.chain.devnode``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ledgerdesk.core.paths import shipped_data_dir


def token_source_path() -> Path:
    return shipped_data_dir() / "chain" / "token.vy"


def token_json_path() -> Path:
    return shipped_data_dir() / "chain" / "token.json"


def compile_token(source: Path | None = None) -> dict[str, Any]:
    """The artefact ``token.json`` holds: ABI, deployment bytecode (0x hex) and the compiler
    version, compiled from ``source`` (default: the shipped ``token.vy``)."""
    import vyper

    text = (source or token_source_path()).read_text(encoding="utf-8")
    out = vyper.compile_code(text, output_formats=["abi", "bytecode"])
    return {
        "contract": "token.vy",
        "compiler": f"vyper {vyper.__version__}",
        "abi": out["abi"],
        "bytecode": out["bytecode"],
    }


def render(artefact: dict[str, Any]) -> str:
    """The exact text written to ``token.json`` (stable, so a fresh compile compares equal)."""
    return json.dumps(artefact, indent=2, sort_keys=True) + "\n"


def main() -> None:
    target = token_json_path()
    target.write_text(render(compile_token()), encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
