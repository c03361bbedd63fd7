"""A wheel carries every shipped data file: ``shipped_data_dir()`` falls back to
``<prefix>/share/ledgerdesk/data`` outside a checkout, so a file no ``data-files`` pattern names
would be missing from an installed desk (its topics page, letters, contracts or vectors)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_shipped_data_file_is_in_the_wheel() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["data-files"]
    covered: set[Path] = set()
    for target, globs in patterns.items():
        for pattern in globs:
            for path in ROOT.glob(pattern):
                assert target == "share/ledgerdesk/" + str(path.parent.relative_to(ROOT)), (
                    f"{pattern} installs into {target}, not beside its folder"
                )
                covered.add(path)
    shipped = {p for p in (ROOT / "data").rglob("*") if p.is_file()}
    missing = sorted(str(p.relative_to(ROOT)) for p in shipped - covered)
    assert not missing, f"add to [tool.setuptools.data-files] in pyproject.toml: {missing}"
