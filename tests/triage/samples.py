"""A tiny labelled data set (three labels, English and Chinese) and helpers to write CSVs."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

from ledgerdesk.ai.triage.model import FeatureConfig, TriageModel
from ledgerdesk.ai.triage.training import Dataset, TrainConfig, train

ROWS: dict[str, list[str]] = {
    "deposit": [
        "my deposit has not arrived",
        "deposit USDT not credited yet",
        "where is my deposit",
        "deposit missing after 2 hours",
        "充值没有到账",
        "我的充值还没到",
        "充值USDT一直不到账",
        "充值了但是余额没变",
    ],
    "withdraw": [
        "withdrawal stuck pending",
        "my withdrawal is delayed",
        "withdraw ETH taking too long",
        "why is my withdrawal still processing",
        "提现一直在审核中",
        "提币还没到",
        "提现卡住了",
        "提币申请一天了还在处理",
    ],
    "login": [
        "cannot log in to my account",
        "login fails with wrong password",
        "I can't sign in",
        "login page keeps loading",
        "登录不了",
        "无法登录账户",
        "登录一直失败",
        "登陆页面打不开",
    ],
}
LABELS = sorted(ROWS)


def training_rows() -> list[tuple[str, str]]:
    return [(text, label) for label in LABELS for text in ROWS[label]]


def csv_text(rows: Iterable[Sequence[str]], header: Sequence[str] = ("text", "category")) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def write_csv(
    path: Path,
    rows: Iterable[Sequence[str]],
    header: Sequence[str] = ("text", "category"),
    encoding: str = "utf-8",
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(csv_text(rows, header).encode(encoding))
    return path


def dataset() -> Dataset:
    rows = training_rows()
    return Dataset([t for t, _ in rows], [label for _, label in rows], "samples.csv")


def tiny_model(**kwargs: object) -> TriageModel:
    """A model on ``ROWS`` without embeddings (about a tenth of a second)."""
    config = TrainConfig(features=FeatureConfig(embed_views=()))
    return train(dataset(), None, config, **kwargs)  # type: ignore[arg-type]
