"""``Triager.classify`` on the bundled model (being retrained: only unmistakable texts get a
label check) and ``classify_stream``, the loop behind ``ledgerdesk triage classify``."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from ledgerdesk.ai.triage import (
    DEFAULT_MODEL_DIR,
    ModelError,
    Triager,
    TriageResult,
    get_triager,
    load_triager,
)
from ledgerdesk.ai.triage.bundled import SENTIMENTS
from ledgerdesk.ai.triage.cli import BATCH, classify_stream
from ledgerdesk.ai.triage.language import detect_language
from ledgerdesk.ai.triage.priority import LEVELS
from ledgerdesk.core.settings import Settings
from tests.triage.samples import LABELS, ROWS, tiny_model

TEXTS = [
    "My USDT deposit has not arrived in my account",
    "充值一直没到账，已经三个小时了",
    "我的帳戶被鎖定了，怎麼辦",
    "I deposited 2 ETH yesterday and it is still not there",
    "hello",
    "Mi depósito no ha llegado",
    "提现 5000U 一直在审核中",
    "?",
]


def settings(**kwargs: object) -> Settings:
    kwargs.setdefault("triage_model", None)
    return Settings(**kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def triager() -> Triager:
    return load_triager(settings())


def with_settings(base: Triager, **kwargs: object) -> Triager:
    """The same loaded models under other settings."""
    return Triager(base.intent_model, base.tone_model, settings(**kwargs))


def test_one_result_per_text(triager: Triager) -> None:
    results = triager.classify(TEXTS)
    assert len(results) == len(TEXTS)
    assert triager.classify([]) == []
    for text, result in zip(TEXTS, results, strict=True):
        assert result.label in triager.labels
        assert 0.0 <= result.confidence <= 1.0
        assert 0.0 <= result.sentiment_confidence <= 1.0
        assert 0.0 <= result.distressed_confidence <= 1.0
        assert result.sentiment in SENTIMENTS
        assert result.priority in LEVELS
        assert result.language == detect_language(text).language
        assert len(result.alternatives) <= 2
        assert all(p <= result.confidence for _, p in result.alternatives)
        assert result.model_version == triager.version
        assert result.reasons
        assert (result.intent is None) == (result.confidence < triager.min_confidence)
    assert triager.version.startswith("ledgerdesk-default-")


def test_unmistakable_texts(triager: Triager) -> None:
    english, chinese = triager.classify(TEXTS[:2])
    assert english.intent == "deposit_missing"
    assert chinese.intent == "deposit_missing"
    assert (english.language, chinese.language) == ("en", "zh-Hans")


def test_a_high_floor_makes_the_intent_uncertain(triager: Triager) -> None:
    strict = with_settings(triager, triage_min_confidence=0.99)
    results = strict.classify(TEXTS)
    unsure = [r for r in results if r.confidence < 0.99]
    assert unsure, "expected at least one text below 0.99"
    for result in results:
        assert (result.intent is None) == (result.confidence < 0.99)
        assert result.intent in (None, result.label)
    for result in unsure:
        assert result.reasons[0] == "intent uncertain: normal"
        assert result.public()["uncertain"] is True
        assert result.public()["intent"] == result.label  # the best guess is still shown
    never = with_settings(triager, triage_min_confidence=0.0).classify(TEXTS)
    assert all(r.intent == r.label for r in never)
    always = with_settings(triager, triage_min_confidence=1.0).classify(["hello"])
    assert always[0].intent is None or always[0].confidence == 1.0


def test_vip_raises_the_priority(triager: Triager) -> None:
    text = TEXTS[0]
    plain, vip = triager.classify([text, text], vip=[False, True])
    assert plain.label == vip.label and plain.confidence == vip.confidence
    expected = min(LEVELS.index(plain.priority) + 1, len(LEVELS) - 1)
    assert LEVELS.index(vip.priority) == expected
    assert "VIP customer: +1" not in plain.reasons
    if plain.priority != "urgent":
        assert vip.reasons[-1] == "VIP customer: +1"


def test_amounts_feed_amount_usd_and_priority(triager: Triager) -> None:
    two_eth = TEXTS[3]
    (result,) = triager.classify([two_eth])
    assert result.amount_usd == pytest.approx(6000.0)
    assert result.public()["amount_usd"] == 6000.0
    (cheap,) = with_settings(triager, triage_prices={"eth": 2000.0}).classify([two_eth])
    assert cheap.amount_usd == pytest.approx(4000.0)
    low_bar = with_settings(triager, triage_large_amount_usd=1000.0)
    (large,) = low_bar.classify([two_eth])
    assert any(r.startswith("about $6,000 at stake") for r in large.reasons)
    assert LEVELS.index(large.priority) >= LEVELS.index(result.priority)
    (chinese,) = triager.classify(["提现 5000U 一直在审核中"])
    assert chinese.amount_usd == pytest.approx(5000.0)
    (none,) = triager.classify(["hello"])
    assert none.amount_usd == 0.0


def test_public_line(triager: Triager) -> None:
    (result,) = triager.classify([TEXTS[1]])
    line = result.public()
    assert set(line) == {
        "intent",
        "confidence",
        "uncertain",
        "language",
        "sentiment",
        "distressed",
        "priority",
        "alternatives",
        "amount_usd",
        "model",
    }
    assert line["intent"] == result.label
    assert line["uncertain"] is (result.intent is None)
    assert all(set(a) == {"intent", "confidence"} for a in line["alternatives"])
    assert json.loads(json.dumps(line, ensure_ascii=False)) == line
    assert isinstance(result, TriageResult)


def test_an_exchange_model_keeps_the_bundled_tone(tmp_path: Path, triager: Triager) -> None:
    tiny_model().save(tmp_path / "own")
    own = load_triager(settings(), tmp_path / "own")
    assert own.labels == LABELS
    assert own.tone_model is not own.intent_model
    results = own.classify([ROWS["login"][0], ROWS["withdraw"][5]])
    assert [r.label for r in results] == ["login", "withdraw"]
    assert all(r.sentiment in SENTIMENTS for r in results)
    configured = load_triager(settings(triage_model=tmp_path / "own"))
    assert configured.labels == LABELS
    with pytest.raises(ModelError, match="the tone model lacks the heads"):
        Triager(own.intent_model, own.intent_model, settings())


def test_a_model_trained_with_other_embeddings_is_refused(tmp_path: Path) -> None:
    model = tiny_model()
    model.save(tmp_path / "own")
    meta = json.loads((tmp_path / "own" / "model.json").read_text(encoding="utf-8"))
    meta["embedder"] = "openai:text-embedding-3-small@http://x"
    (tmp_path / "own" / "model.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelError, match=r"trained with the embeddings 'openai:.*provides 'none'"):
        load_triager(settings(embeddings="none"), tmp_path / "own")


def test_get_triager_loads_once_per_configuration() -> None:
    first = get_triager(settings())
    assert get_triager(settings()) is first
    assert get_triager(settings(triage_min_confidence=0.9)) is not first
    assert DEFAULT_MODEL_DIR.is_dir()


# --- classify_stream --------------------------------------------------------------------


def stream(triager: Triager, data: bytes) -> tuple[int, list[dict[str, object]]]:
    out = io.StringIO()
    bad = classify_stream(triager, io.BytesIO(data), out)
    return bad, [json.loads(line) for line in out.getvalue().splitlines()]


def test_stream_answers_every_line_in_order(triager: Triager) -> None:
    own = Triager(tiny_model(), triager.tone_model, settings())
    lines = []
    expected: list[str | None] = []
    for i in range(BATCH * 2 + 5):
        if i % 17 == 5:
            lines.append(b"{oops\n")
            expected.append(None)
        else:
            label = LABELS[i % 3]
            lines.append(json.dumps({"text": ROWS[label][i % 8]}).encode() + b"\n")
            expected.append(label)
    bad, out = stream(own, b"".join(lines))
    assert bad == expected.count(None)
    assert len(out) == len(lines)
    for number, (item, label) in enumerate(zip(out, expected, strict=True), start=1):
        if label is None:
            assert item == {"error": f"line {number}: not valid JSON"}
        else:
            assert item["intent"] == label


@pytest.mark.parametrize(
    ("line", "error"),
    [
        (b"not json", "not valid JSON"),
        (b'"just a string"', 'expected an object with a string "text"'),
        (b"[1, 2]", 'expected an object with a string "text"'),
        (b"null", 'expected an object with a string "text"'),
        (b'{"body": "x"}', 'expected an object with a string "text"'),
        (b'{"text": null}', 'expected an object with a string "text"'),
        (b'{"text": ["a"]}', 'expected an object with a string "text"'),
        (b'{"text": ""}', '"text" is empty'),
        (b'{"text": " \\n\\t "}', '"text" is empty'),
        (b'{"text": "caf\xe9"}', "not UTF-8 (byte 13)"),
        (b"   ", "empty line"),
        (b'{"text": "' + b"x" * 1_000_000 + b'"}', "longer than 1,000,000 bytes"),
    ],
)
def test_stream_bad_line_between_good_ones(triager: Triager, line: bytes, error: str) -> None:
    good = b'{"text": "My USDT deposit has not arrived"}\n'
    bad, out = stream(triager, good + line + b"\n" + good)
    assert bad == 1
    assert len(out) == 3
    assert out[1] == {"error": f"line 2: {error}"}
    assert out[0] == out[2]
    assert out[0]["intent"] == "deposit_missing"


def test_stream_edge_cases(triager: Triager) -> None:
    assert stream(triager, b"") == (0, [])
    bad, out = stream(triager, b'{"text": "no newline at the end"}')
    assert (bad, len(out)) == (0, 1)
    bad, out = stream(triager, b'{"text": "windows"}\r\n{"text": "lines", "extra": 1}\r\n')
    assert (bad, len(out)) == (0, 2)
