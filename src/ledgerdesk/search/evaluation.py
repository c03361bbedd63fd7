"""Quality measures for search on a labelled query set: MRR@10 and recall@k."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class LabelledQuery:
    q: str
    lang: str
    expected: str


@dataclass(frozen=True)
class Quality:
    queries: int
    mrr10: float
    recall1: float
    recall3: float
    recall10: float

    def as_dict(self) -> dict[str, float | int]:
        return {
            "queries": self.queries,
            "mrr@10": round(self.mrr10, 4),
            "recall@1": round(self.recall1, 4),
            "recall@3": round(self.recall3, 4),
            "recall@10": round(self.recall10, 4),
        }


def load_queries(paths: Iterable[Path]) -> list[LabelledQuery]:
    out: list[LabelledQuery] = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                out.append(LabelledQuery(row["q"], row["lang"], row["expected"]))
    return out


def measure(
    queries: Sequence[LabelledQuery], search: Callable[[LabelledQuery], Sequence[str]]
) -> Quality:
    """``search`` returns ranked ids for one query; each query has one right answer."""
    rr = r1 = r3 = r10 = 0.0
    for query in queries:
        ranked = list(search(query))[:10]
        if query.expected in ranked:
            rank = ranked.index(query.expected) + 1
            rr += 1.0 / rank
            r1 += rank == 1
            r3 += rank <= 3
            r10 += 1
    n = max(len(queries), 1)
    return Quality(len(queries), rr / n, r1 / n, r3 / n, r10 / n)
