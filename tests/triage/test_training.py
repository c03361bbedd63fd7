"""Reading labelled CSVs, sampling, scoring, training and the model folder, in-process."""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest

from ledgerdesk.ai.embeddings import Vectors
from ledgerdesk.ai.triage.model import FORMAT, ModelError, TriageModel, load_model
from ledgerdesk.ai.triage.training import (
    MAX_LABEL,
    Dataset,
    DatasetError,
    TrainConfig,
    check_trainable,
    evaluate,
    read_csv,
    sample_shots,
    score,
    train,
)
from tests.triage.samples import LABELS, ROWS, csv_text, dataset, tiny_model, training_rows


def no_embedder(name: str) -> None:
    raise AssertionError(f"a model without embeddings asked for {name!r}")


# --- read_csv ---------------------------------------------------------------------------


def test_read_csv_with_bom_quoted_newlines_extra_columns_and_gaps(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    text = (
        "id, category ,text ,note\n"  # padded header names, extra columns, another order
        '1,deposit,"line one\nline two",x\n'
        "2,login,  cannot log in  ,\n"  # surrounding spaces are dropped
        "\n"  # a blank line: not a row
        "3,login,,empty text\n"
        "4,,no label here,\n"
        "5,withdraw\n"  # too short: no text
        '6,withdraw,"提现, 还没到",y,and,more,cells\n'
    )
    raw = "\ufeff".encode() + text.encode()
    path.write_bytes(raw)
    data = read_csv(path, "text", "category")
    assert data.texts == ["line one\nline two", "cannot log in", "提现, 还没到"]
    assert data.labels == ["deposit", "login", "withdraw"]
    assert data.skipped == 3
    assert data.source == str(path)
    assert data.sha256 == hashlib.sha256(raw).hexdigest()
    assert data.counts() == {"deposit": 1, "login": 1, "withdraw": 1}


def test_read_csv_other_column_names_and_texts_only(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text(csv_text([("hello", "a"), ("there", "")], ("body", "intent")), "utf-8")
    data = read_csv(path, "body", "intent")
    assert (data.texts, data.labels, data.skipped) == (["hello"], ["a"], 1)
    texts_only = read_csv(path, "body", None)
    assert texts_only.texts == ["hello", "there"]
    assert texts_only.skipped == 0


def test_read_csv_label_at_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text(csv_text([("hello", "x" * MAX_LABEL)]), "utf-8")
    assert read_csv(path, "text", "category").labels == ["x" * MAX_LABEL]
    path.write_text(csv_text([("hello", "a"), ("hi", "x" * (MAX_LABEL + 1))]), "utf-8")
    with pytest.raises(DatasetError, match=r"line 3: label longer than 64 characters"):
        read_csv(path, "text", "category")


GOOD = b"text,category\nok,a\n"
BAD: list[tuple[str, bytes | None, str]] = [
    ("missing file", None, "no such file"),
    ("empty", b"", "the file is empty"),
    ("blank lines", b"\n\n", "the file has no header line"),
    ("empty header cells", b",,\nx,y,z\n", "the file has no header line"),
    ("header only", b"text,category\n", "no rows with both a text and a label"),
    ("no usable rows", b"text,category\n,a\nb,\n", "no rows with both a text and a label"),
    (
        "missing column",
        b"message,label,extra\nhi,a,b\n",
        "no column 'text' (--text-col); the columns are: 'message', 'label', 'extra'",
    ),
    ("gbk", GOOD + "充值没到,b\n".encode("gbk"), "not UTF-8 text (byte 19, line 3)"),
    ("latin-1", b"text,category\ncaf\xe9,a\n", "not UTF-8 text (byte 17, line 2)"),
    ("utf-16", "text,category\nhi,a\n".encode("utf-16"), "not UTF-8 text (byte 0, line 1)"),
    ("nul", GOOD + b"a\x00b,c\n", "contains NUL bytes; is it a spreadsheet, not a CSV?"),
    ("xlsx", b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 20, "contains NUL bytes"),
]


@pytest.mark.parametrize(("data", "message"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_read_csv_refuses(tmp_path: Path, data: bytes | None, message: str) -> None:
    path = tmp_path / "data.csv"
    if data is not None:
        path.write_bytes(data)
    with pytest.raises(DatasetError) as caught:
        read_csv(path, "text", "category")
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)
    assert caught.value.code == "bad_dataset"


def test_read_csv_bad_byte_after_a_bom_is_located(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD + "充值没到,b\n".encode("gbk"))
    with pytest.raises(DatasetError, match=r"byte 22, line 3\)"):
        read_csv(path, "text", "category")


def test_check_trainable_needs_two_classes() -> None:
    check_trainable(Dataset(["a", "b"], ["x", "y"]))
    with pytest.raises(DatasetError, match="every row has the label 'x'; a classifier needs"):
        check_trainable(Dataset(["a", "b"], ["x", "x"], "f.csv"))


# --- sample_shots -----------------------------------------------------------------------


def uneven() -> Dataset:
    texts = [f"t{i}" for i in range(23)]
    labels = ["a"] * 10 + ["b"] * 3 + ["c"] * 10
    return Dataset(texts, labels, "u.csv", skipped=4, sha256="abc")


def test_sample_shots_takes_n_per_label_and_all_of_a_small_label() -> None:
    sample = sample_shots(uneven(), 4, seed=7)
    assert sample.counts() == {"a": 4, "b": 3, "c": 4}
    indices = [int(t[1:]) for t in sample.texts]
    assert indices == sorted(indices)  # the file's order is kept
    original = uneven()
    assert all(original.labels[i] == label for i, label in zip(indices, sample.labels, strict=True))
    assert (sample.skipped, sample.sha256) == (4, "abc")
    assert sample.source == "u.csv (4 per label, seed 7)"


def test_sample_shots_is_deterministic_per_seed() -> None:
    assert sample_shots(uneven(), 3, seed=1).texts == sample_shots(uneven(), 3, seed=1).texts
    draws = {tuple(sample_shots(uneven(), 3, seed=s).texts) for s in range(6)}
    assert len(draws) > 1
    everything = sample_shots(uneven(), 50, seed=3)
    assert everything.texts == uneven().texts


def test_sample_shots_needs_at_least_one() -> None:
    with pytest.raises(DatasetError, match="--shots must be at least 1"):
        sample_shots(uneven(), 0)


# --- score ------------------------------------------------------------------------------


def test_score_by_hand() -> None:
    truth = ["a", "a", "a", "b", "b", "c"]
    predicted = ["a", "a", "b", "b", "c", "c"]
    report = score(truth, predicted, known=["a", "b", "c"])
    # a: P 2/2, R 2/3, F1 0.8 | b: P 1/2, R 1/2, F1 0.5 | c: P 1/2, R 1/1, F1 2/3
    expected = {"a": (3, 1.0, 2 / 3, 0.8), "b": (2, 0.5, 0.5, 0.5), "c": (1, 0.5, 1.0, 2 / 3)}
    assert [c.label for c in report.classes] == ["a", "b", "c"]
    for c in report.classes:
        assert (c.support, c.precision, c.recall, c.f1) == pytest.approx(expected[c.label])
    assert report.accuracy == pytest.approx(4 / 6)
    assert report.macro_f1 == pytest.approx((0.8 + 0.5 + 2 / 3) / 3)
    assert report.confusions == [("a", "b", 1), ("b", "c", 1)]
    assert report.unknown_labels == {}
    assert report.rows == 6
    as_json = report.as_json()
    assert as_json["macro_f1"] == round((0.8 + 0.5 + 2 / 3) / 3, 6)
    assert as_json["per_class"]["c"] == {
        "support": 1,
        "precision": 0.5,
        "recall": 1.0,
        "f1": 0.6667,
    }
    assert as_json["confusions"][0] == {"true": "a", "predicted": "b", "count": 1}
    json.dumps(as_json)


def test_score_counts_only_labels_in_the_truth_and_reports_unknown_ones() -> None:
    truth = ["a", "a", "z", "z", "z"]
    predicted = ["a", "q", "a", "a", "q"]  # "q" is predicted but never true
    report = score(truth, predicted, known=["a", "q"])
    assert [c.label for c in report.classes] == ["a", "z"]
    # a: P 1/3, R 1/2, F1 0.4; z: 0
    assert report.macro_f1 == pytest.approx(0.4 / 2)
    assert report.unknown_labels == {"z": 3}
    assert report.confusions == [("z", "a", 2), ("a", "q", 1), ("z", "q", 1)]


def test_score_keeps_the_ten_largest_confusions_and_handles_nothing() -> None:
    truth = [f"t{i}" for i in range(12) for _ in range(i + 1)]
    predicted = ["x"] * len(truth)
    report = score(truth, predicted, known=["x"])
    assert len(report.confusions) == 10
    assert report.confusions[0] == ("t11", "x", 12)
    assert report.confusions[-1] == ("t2", "x", 3)
    empty = score([], [], known=["a"])
    assert (empty.accuracy, empty.macro_f1, empty.classes, empty.rows) == (0.0, 0.0, [], 0)
    with pytest.raises(ValueError):
        score(["a"], [], known=["a"])


# --- train, evaluate, save and load -------------------------------------------------------


@pytest.fixture(scope="module")
def model() -> TriageModel:
    return tiny_model(
        extra_heads={"tone": ["calm" if i % 3 else "upset" for i in range(24)]}, name="tiny"
    )


@pytest.fixture(scope="module")
def saved(model: TriageModel, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("saved") / "model"
    model.save(folder)
    return folder


def test_train_fits_every_head_and_evaluates(model: TriageModel) -> None:
    assert model.labels == LABELS
    assert set(model.heads) == {"intent", "tone"}
    assert model.heads["tone"].labels == ["calm", "upset"]
    assert model.heads["intent"].temperature > 0
    assert model.meta["trained_on"]["rows"] == 24
    assert model.meta["trained_on"]["label_counts"] == {label: 8 for label in LABELS}
    stages: list[tuple[str, int, int]] = []
    report = evaluate(model, dataset(), progress=lambda *a: stages.append(a), batch=10)
    assert report.accuracy == 1.0 and report.macro_f1 == 1.0
    assert stages == [("classifying", 10, 24), ("classifying", 20, 24), ("classifying", 24, 24)]
    ranked = model.rank(["我的充值还没到"], top=3)[0]
    assert ranked.label == "deposit"
    assert [label for label, _ in ranked.alternatives] and len(ranked.alternatives) == 2
    assert ranked.confidence >= max(p for _, p in ranked.alternatives)


def test_two_classes_give_probabilities_that_add_up() -> None:
    rows = [(t, label) for t, label in training_rows() if label != "login"]
    data = Dataset([t for t, _ in rows], [label for _, label in rows])
    two = train(data, None, TrainConfig(features=tiny_model().featurizer.config))
    probabilities = two.heads["intent"].probabilities(two.features(data.texts))
    assert probabilities.shape == (16, 2)
    assert np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    assert [r.label for r in two.rank(data.texts, top=1)] == data.labels


def test_save_and_load_give_identical_probabilities(model: TriageModel, saved: Path) -> None:
    assert sorted(p.name for p in saved.iterdir()) == ["model.json", "vocab.json", "weights.npz"]
    loaded = load_model(saved, no_embedder)
    texts = [training_rows()[0][0], "something else entirely", "充值 提现 登录", ""]
    for head in ("intent", "tone"):
        before = model.heads[head].probabilities(model.features(texts))
        after = loaded.heads[head].probabilities(loaded.features(texts))
        assert np.array_equal(before, after)
        assert loaded.heads[head].labels == model.heads[head].labels
        assert loaded.heads[head].temperature == model.heads[head].temperature
    assert loaded.version == model.version
    assert model.version.startswith("tiny-") and len(model.version) == len("tiny-") + 12
    assert loaded.meta["trained_on"] == model.meta["trained_on"]


def test_saving_again_gives_the_same_version(
    model: TriageModel, saved: Path, tmp_path: Path
) -> None:
    loaded = load_model(saved, no_embedder)
    assert loaded.save(tmp_path / "again") == model.version
    again = tmp_path / "again" / "vocab.json"
    assert again.read_bytes() == (saved / "vocab.json").read_bytes()


class FakeEmbedder:
    """Deterministic vectors from the characters of a text."""

    dim = 8

    def __init__(self, name: str = "fake-embedder/1") -> None:
        self.name = name
        self.calls = 0

    def _vectors(self, texts: Sequence[str]) -> Vectors:
        self.calls += 1
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for ch in text:
                out[row, ord(ch) % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return out / norms

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return self._vectors(texts)

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        return self._vectors(texts)


def test_a_model_with_embeddings_round_trips_and_asks_for_its_embedder(tmp_path: Path) -> None:
    embedder = FakeEmbedder()
    stages: list[tuple[str, int, int]] = []
    trained = train(dataset(), embedder, progress=lambda *a: stages.append(a))
    assert ("embedding", 24, 24) in stages
    assert stages[-1] == ("fitting intent", 1, 1)
    words = len(trained.featurizer.chars.vocabulary_) + len(trained.featurizer.words.vocabulary_)
    assert trained.heads["intent"].coef.shape == (3, words + 8)
    trained.save(tmp_path / "m")
    asked: list[str] = []

    def find(name: str) -> FakeEmbedder:
        asked.append(name)
        return FakeEmbedder(name)

    loaded = load_model(tmp_path / "m", find)
    assert asked == ["fake-embedder/1"]
    texts = [t for t, _ in training_rows()]
    assert np.array_equal(
        trained.heads["intent"].probabilities(trained.features(texts)),
        loaded.heads["intent"].probabilities(loaded.features(texts)),
    )

    def refuse(name: str) -> None:
        raise ModelError(f"no {name}")

    with pytest.raises(ModelError, match="no fake-embedder/1"):
        load_model(tmp_path / "m", refuse)


# --- damaged folders --------------------------------------------------------------------


def _meta(folder: Path, change: Callable[[dict[str, object]], object]) -> None:
    meta = json.loads((folder / "model.json").read_text(encoding="utf-8"))
    change(meta)
    (folder / "model.json").write_text(json.dumps(meta), encoding="utf-8")


def _weights(folder: Path, change: Callable[[dict[str, np.ndarray]], object]) -> None:
    with np.load(folder / "weights.npz") as data:
        arrays = {key: data[key] for key in data.files}
    change(arrays)
    np.savez(folder / "weights.npz", **arrays)  # type: ignore[arg-type]


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _narrower(arrays: dict[str, np.ndarray]) -> None:
    arrays["intent.coef"] = arrays["intent.coef"][:, :-1]


def _extra_label(meta: dict[str, object]) -> None:
    meta["heads"]["intent"]["labels"].append("zzz")  # type: ignore[index]


DAMAGE: list[tuple[str, Callable[[Path], object], str]] = [
    ("no model.json", lambda f: (f / "model.json").unlink(), "is not a triage model: model.json"),
    ("no vocab.json", lambda f: (f / "vocab.json").unlink(), "cannot read the triage model"),
    ("no weights", lambda f: (f / "weights.npz").unlink(), "cannot read the triage model"),
    ("truncated weights", lambda f: _truncate(f / "weights.npz"), "cannot read the triage model"),
    ("empty weights", lambda f: (f / "weights.npz").write_bytes(b""), "cannot read the triage"),
    ("weights not a zip", lambda f: (f / "weights.npz").write_text("x"), "cannot read the triage"),
    ("truncated json", lambda f: _truncate(f / "model.json"), "cannot read the triage model"),
    ("truncated vocab", lambda f: _truncate(f / "vocab.json"), "cannot read the triage model"),
    ("model.json not UTF-8", lambda f: (f / "model.json").write_bytes(b"\xff"), "cannot read"),
    (
        "unknown format",
        lambda f: _meta(f, lambda m: m.update(format="ledgerdesk-triage/9")),
        "unknown model format 'ledgerdesk-triage/9'",
    ),
    ("no format", lambda f: _meta(f, lambda m: m.pop("format")), "unknown model format None"),
    (
        "narrower weights",
        lambda f: _weights(f, _narrower),
        "head 'intent' has weights (3, ",
    ),
    ("a label too many", lambda f: _meta(f, _extra_label), "expected (4, "),
]


@pytest.mark.parametrize(("damage", "message"), [d[1:] for d in DAMAGE], ids=[d[0] for d in DAMAGE])
def test_a_damaged_folder_is_a_model_error(
    saved: Path, tmp_path: Path, damage: Callable[[Path], object], message: str
) -> None:
    folder = tmp_path / "model"
    shutil.copytree(saved, folder)
    damage(folder)
    with pytest.raises(ModelError) as caught:
        load_model(folder, no_embedder)
    assert message in str(caught.value)
    assert str(folder) in str(caught.value)


# Damage deeper in the files: missing keys, wrong types, vocabularies and weights that do not
# fit together. Each must be a ModelError at load time, not a crash while classifying.
UNCAUGHT: list[tuple[str, Callable[[Path], object]]] = [
    ("weights lack a head", lambda f: _weights(f, lambda a: a.pop("intent.coef"))),
    ("model.json lacks features", lambda f: _meta(f, lambda m: m.pop("features"))),
    ("model.json is a list", lambda f: (f / "model.json").write_text("[]")),
    (
        "vocab shorter than its weights",
        lambda f: (f / "vocab.json").write_text(
            json.dumps(
                {
                    k: v[:-1] if k == "chars" else v
                    for k, v in json.loads((f / "vocab.json").read_text("utf-8")).items()
                }
            )
        ),
    ),
    (
        "intercept of the wrong size",
        lambda f: _weights(f, lambda a: a.update({"intent.intercept": np.zeros(7, np.float32)})),
    ),
    ("no intent head", lambda f: _meta(f, lambda m: m["heads"].pop("intent"))),  # type: ignore[index]
]


@pytest.mark.parametrize("damage", [d[1] for d in UNCAUGHT], ids=[d[0] for d in UNCAUGHT])
def test_more_damage_is_a_model_error(
    saved: Path, tmp_path: Path, damage: Callable[[Path], object]
) -> None:
    folder = tmp_path / "model"
    shutil.copytree(saved, folder)
    damage(folder)
    with pytest.raises(ModelError):
        load_model(folder, no_embedder).rank(["hello"])


class Planted:
    """Unpickling this creates a file: proof that a loader ran code from the model folder."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (self.path, "w"))


def test_load_model_never_unpickles(saved: Path, tmp_path: Path) -> None:
    folder = tmp_path / "model"
    shutil.copytree(saved, folder)
    planted = tmp_path / "planted"
    evil = np.empty(1, dtype=object)
    evil[0] = Planted(planted)
    _weights(folder, lambda a: a.update({"intent.coef": evil}))
    with zipfile.ZipFile(folder / "weights.npz") as archive:  # the pickle really is in there
        assert any(b"planted" in archive.read(name) for name in archive.namelist())
    with pytest.raises(ModelError, match="cannot read the triage model") as caught:
        load_model(folder, no_embedder)
    assert "allow_pickle" in str(caught.value)
    assert not planted.exists()


def test_load_model_asks_numpy_not_to_unpickle(
    saved: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[object] = []
    real = np.load

    def spy(*args: object, **kwargs: object) -> object:
        seen.append(kwargs.get("allow_pickle"))
        return real(*args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(np, "load", spy)
    load_model(saved, no_embedder)
    assert seen == [False]


def test_format_constant_is_written(saved: Path) -> None:
    meta = json.loads((saved / "model.json").read_text(encoding="utf-8"))
    assert meta["format"] == FORMAT
    assert meta["heads"]["intent"]["labels"] == LABELS
    assert meta["heads"]["tone"]["labels"] == ["calm", "upset"]
    vocab = json.loads((saved / "vocab.json").read_text(encoding="utf-8"))
    assert set(vocab) == {"chars", "words"}
    assert "充值" in vocab["words"]
    assert ROWS  # the sample data is what the model saw
