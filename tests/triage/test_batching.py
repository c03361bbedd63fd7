"""Triage in batches gives each message exactly what it gets alone, and the encoder reads only
a bounded prefix of a message (the TF-IDF blocks still read the whole of it)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ledgerdesk.ai.embeddings import Embedder, Vectors
from ledgerdesk.ai.triage import DEFAULT_MODEL_DIR, Triager, get_triager, load_triager
from ledgerdesk.ai.triage.model import EMBED_CHARS, load_model
from ledgerdesk.ai.triage.vectors import VectorCache
from ledgerdesk.core.settings import Settings, get_settings
from ledgerdesk.jobs.models import OutboxEntry
from ledgerdesk.routing import tasks
from ledgerdesk.routing.models import TriagePrediction
from ledgerdesk.tickets.models import Message
from tests.conftest import make_customer, make_ticket

LONG_EN = (
    "My USDT withdrawal to my TRC20 wallet has been pending for six hours. Hello, my user ID is "
    "48213377, I am using the Android app version 5.2.1 and I have been trading with you for "
    "three years. The withdrawal was 2,500 USDT. Please let me know as soon as you can, thanks."
)
LONG_ZH = (
    "我的账号被盗了！有人异地登录，把我的USDT全部提走了，不是我操作的，快帮我冻结！你好，我的UID是"
    "58213377，我用的是安卓App，版本5.2.1，在你们平台交易三年了。大概是今天下午三点开始的，"
    "麻烦尽快帮我看一下，谢谢你们的帮助。需要的话我可以发截图。"
)
TEXTS = [
    LONG_EN,
    LONG_ZH,
    "充值一直没到账，已经三个小时了",
    "How do I reset my 2FA? I lost my phone.",
    LONG_EN,  # the same text twice in one batch
    "我的帳戶被鎖定了，怎麼辦",
    "I was charged the withdrawal fee twice " * 8,
]


class Recording:
    """The real embedder, noting every call it gets."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.calls: list[list[str]] = []

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        self.calls.append(list(texts))
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        self.calls.append(list(texts))
        return self.inner.embed_passages(texts)


def recorded(triager: Triager, cache: VectorCache | None) -> Recording:
    """Make ``triager``'s models embed through one recorder (and ``cache``)."""
    featurizer = triager.intent_model.featurizer
    assert featurizer.embedder is not None
    recorder = Recording(featurizer.embedder)
    for model in (triager.intent_model, triager.tone_model):
        model.featurizer.embedder = recorder
        model.featurizer.cache = cache
    return recorder


def test_the_encoder_gives_a_text_the_same_vector_in_a_batch_and_alone() -> None:
    embedder = load_triager(Settings(triage_model=None)).intent_model.featurizer.embedder
    assert embedder is not None
    together = embedder.embed_queries(TEXTS)
    alone = np.vstack([embedder.embed_queries([t]) for t in TEXTS])
    assert np.array_equal(together, alone)


def test_warmed_batch_classifies_each_text_exactly_as_alone() -> None:
    alone_triager = load_triager(Settings(triage_model=None), cache_size=0)
    alone = [alone_triager.classify([t])[0] for t in TEXTS]

    triager = load_triager(Settings(triage_model=None))
    recorder = recorded(triager, VectorCache())
    assert triager.warm(TEXTS) == len(set(TEXTS))  # a repeated text is embedded once
    assert len(recorder.calls) == 1  # one model call for the whole batch
    warmed = [triager.classify([t])[0] for t in TEXTS]
    assert len(recorder.calls) == 1  # classifying found every vector
    assert warmed == alone
    assert triager.warm(TEXTS) == 0  # nothing left to do


def test_a_custom_intent_model_and_the_tone_model_embed_a_text_once(tmp_path: Path) -> None:
    folder = tmp_path / "intent"
    shutil.copytree(DEFAULT_MODEL_DIR, folder)  # another folder: another TriageModel object
    triager = load_triager(Settings(triage_model=folder))
    assert triager.intent_model is not triager.tone_model
    recorder = recorded(triager, VectorCache())
    triager.classify([LONG_EN])
    assert len(recorder.calls) == 1


def test_the_encoder_reads_only_the_bounded_prefix() -> None:
    triager = load_triager(Settings(triage_model=None), cache_size=0)
    config = triager.intent_model.featurizer.config
    assert config.embed_chars == EMBED_CHARS > 0
    recorder = recorded(triager, None)
    results = triager.classify(TEXTS)
    embedded = [t for call in recorder.calls for t in call]
    assert embedded and max(len(t) for t in embedded) == EMBED_CHARS  # long texts were cut
    prepared = triager.intent_model.prepared(TEXTS)
    assert embedded == [p[:EMBED_CHARS] for p in prepared]
    # What the encoder does not read still counts: the TF-IDF blocks see the whole text.
    tail = LONG_EN + " My account was hacked and my BTC was stolen, freeze it now."
    assert triager.intent_model.prepared([tail])[0][:EMBED_CHARS] == prepared[0][:EMBED_CHARS]
    assert triager.classify([tail])[0] != results[0]


def test_embed_chars_zero_embeds_the_whole_text_and_old_models_get_the_bound(
    tmp_path: Path,
) -> None:
    meta = json.loads((DEFAULT_MODEL_DIR / "model.json").read_text(encoding="utf-8"))
    assert "embed_chars" not in meta["features"]  # saved before the setting existed
    embedder = load_triager(Settings(triage_model=None)).intent_model.featurizer.embedder

    def find(name: str) -> Any:
        return embedder

    assert load_model(DEFAULT_MODEL_DIR, find).featurizer.config.embed_chars == EMBED_CHARS
    folder = tmp_path / "whole"
    shutil.copytree(DEFAULT_MODEL_DIR, folder)
    meta["features"]["embed_chars"] = 0
    (folder / "model.json").write_text(json.dumps(meta), encoding="utf-8")
    triager = load_triager(Settings(triage_model=folder), cache_size=0)
    recorder = recorded(triager, None)
    triager.intent_model.features([LONG_ZH])
    assert recorder.calls == [triager.intent_model.prepared([LONG_ZH])]


def test_the_job_embeds_the_waiting_messages_in_one_call_and_outcomes_match_alone(
    db_session: Session, triage_on: None
) -> None:
    texts = [LONG_EN, LONG_ZH, "充值一直没到账，已经三个小时了", "How do I reset my 2FA?"]
    ids: list[int] = []
    for i, text in enumerate(texts):
        ticket = make_ticket(db_session, make_customer(db_session), subject=f"help {i}", body=text)
        ids.append(
            db_session.scalars(select(Message.id).where(Message.ticket_id == ticket.id)).one()
        )

    def mine() -> list[OutboxEntry]:
        jobs = db_session.scalars(select(OutboxEntry).where(OutboxEntry.topic == tasks.TOPIC))
        return [e for e in jobs if e.payload.get("message_id") in ids]

    # Only this test's jobs wait (other tests may have left committed ones behind).
    db_session.execute(
        delete(OutboxEntry).where(
            OutboxEntry.topic == tasks.TOPIC, OutboxEntry.id.not_in([e.id for e in mine()])
        )
    )
    assert len(mine()) == len(ids)
    triager = get_triager(get_settings())
    cache = VectorCache()
    recorder = recorded(triager, cache)
    embedder = recorder.inner
    if db_session.get_bind().dialect.name == "sqlite":
        # One writer: a job that held the write lock through a batch would stall requests,
        # so on SQLite each message is triaged by its own job.
        try:
            tasks.triage_job(db_session, {"message_id": ids[1]})
        finally:
            for model in (triager.intent_model, triager.tone_model):
                model.featurizer.embedder = embedder
                model.featurizer.cache = VectorCache()
        # No other job was claimed (this job's own row is the runner's to delete).
        assert sorted(e.payload["message_id"] for e in mine()) == sorted(ids)
        done = db_session.scalars(
            select(TriagePrediction.message_id).where(TriagePrediction.message_id.in_(ids))
        )
        assert list(done) == [ids[1]]
        return
    try:
        tasks.triage_job(db_session, {"message_id": ids[1]})
        assert len(recorder.calls) == 1  # one job embedded all four together
        # ... triaged them all, and took the other jobs off the queue (claimed and done).
        assert mine() == []
        done = db_session.scalars(
            select(TriagePrediction.message_id).where(TriagePrediction.message_id.in_(ids))
        )
        assert sorted(done) == ids
        assert sorted(recorder.calls[0]) == sorted(
            triager.intent_model.featurizer.embedded_text(p)
            for p in triager.intent_model.prepared([f"help {i}\n{t}" for i, t in enumerate(texts)])
        )
    finally:
        for model in (triager.intent_model, triager.tone_model):
            model.featurizer.embedder = embedder
            model.featurizer.cache = VectorCache()
    alone = load_triager(Settings(triage_model=None), cache_size=0)
    for i, message_id in enumerate(ids):
        prediction = db_session.scalars(
            select(TriagePrediction).where(TriagePrediction.message_id == message_id)
        ).one()
        expected = alone.classify([f"help {i}\n{texts[i]}"])[0]
        assert (prediction.intent, prediction.intent_confidence) == (
            expected.label,
            expected.confidence,
        )
        assert prediction.alternatives == [list(a) for a in expected.alternatives]
        assert (prediction.sentiment, prediction.distressed_confidence, prediction.language) == (
            expected.sentiment,
            expected.distressed_confidence,
            expected.language,
        )


def test_a_message_failing_in_a_batch_keeps_its_job_and_the_others_are_done(
    db_session: Session, triage_on: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if db_session.get_bind().dialect.name == "sqlite":
        pytest.skip("no batches on SQLite: each message is triaged by its own job")
    ids: list[int] = []
    for i in range(3):
        ticket = make_ticket(db_session, make_customer(db_session), subject=f"q {i}", body="hi")
        ids.append(
            db_session.scalars(select(Message.id).where(Message.ticket_id == ticket.id)).one()
        )
    jobs = db_session.scalars(select(OutboxEntry).where(OutboxEntry.topic == tasks.TOPIC))
    others = [e.id for e in jobs if e.payload.get("message_id") not in ids]
    db_session.execute(delete(OutboxEntry).where(OutboxEntry.id.in_(others)))
    real = tasks.triage_message

    def failing(session: Session, message_id: int) -> TriagePrediction | None:
        if message_id == ids[2]:  # a fault in one claimed message (injected)
            raise RuntimeError("boom")
        return real(session, message_id)

    monkeypatch.setattr(tasks, "triage_message", failing)
    tasks.triage_job(db_session, {"message_id": ids[0]})
    left = db_session.scalars(select(OutboxEntry).where(OutboxEntry.topic == tasks.TOPIC))
    assert [e.payload["message_id"] for e in left] == [ids[2]]  # its own job retries it
    done = db_session.scalars(
        select(TriagePrediction.message_id).where(TriagePrediction.message_id.in_(ids))
    )
    assert sorted(done) == ids[:2]
