"""Print test files slowest first from a pytest junit report (``--junitxml``), for
``tests/slow_files.txt``: ``.venv/bin/python tests/durations.py report.xml``."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADER = """\
# Test files slowest first (seconds of one file's tests, from a junit report of a full run).
# Under 'make test' (xdist, --dist loadfile) files start in this order, the rest after them,
# so no long file starts last and leaves one worker alone at the end. Refresh after a full run:
#   .venv/bin/python tests/durations.py /tmp/junit.xml > tests/slow_files.txt"""


def slowest(report: Path, at_least: float = 10.0) -> list[tuple[str, float]]:
    seconds: Counter[str] = Counter()
    for case in ET.parse(report).iter("testcase"):  # noqa: S314
        parts = (case.get("classname") or "").split(".")
        for end in range(len(parts), 0, -1):  # a test in a class: drop the class names
            path = "/".join(parts[:end]) + ".py"
            if (ROOT / path).is_file():
                seconds[path] += float(case.get("time") or 0)
                break
    return [(path, s) for path, s in seconds.most_common() if s >= at_least]


if __name__ == "__main__":
    print(HEADER)
    for path, s in slowest(Path(sys.argv[1])):
        print(f"{path}  # {s:.0f} s")
