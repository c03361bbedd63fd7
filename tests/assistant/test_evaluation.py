"""The evaluation's measures (ai/assistant/evaluation.py) on hand-made replies: what counts as
a correct cited answer, a handover, a wrong language and an unsupported number. The engine
itself is measured by bench/assistant_eval.py, not here."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ledgerdesk.ai.assistant.evaluation import Item, Score, goals, in_split, judge
from ledgerdesk.ai.assistant.types import FaithCheck, Reply, Source

EN_ANSWER = Item(
    "en-1", "my usdt deposit not here", "en", "answer", "tune", ("deposit-not-credited",)
)
ZH_ANSWER = Item(
    "hant-1", "入金還沒到帳", "zh-Hant", "answer", "holdout", ("deposit-not-credited",)
)
EN_HANDOVER = Item("en-2", "agent pls", "en", "handover", "tune", (), "asked_for_person")
ZH_HANDOVER = Item(
    "hans-1", "账号被盗了", "zh-Hans", "handover", "holdout", (), "account_compromised"
)

SOURCE = Source("article", "deposit-not-credited", "en", "Deposits need 2 confirmations.")


def reply(action: str, text: str, citations: Sequence[str] = (), **kw: object) -> Reply:
    return Reply(action=action, reply=text, citations=list(citations), sources=[SOURCE], **kw)  # type: ignore[arg-type]


def numbers_in_sources(text: str, sources: Sequence[Source]) -> FaithCheck:
    """A small stand-in for faithfulness.check_faithful: digits must appear in a source."""
    said = set(re.findall(r"\d+(?:\.\d+)?", text))
    missing = tuple(sorted(w for w in said if not any(w in s.text for s in sources)))
    return FaithCheck(ok=not missing, unsupported=missing)


def test_a_correct_answer_cites_an_acceptable_slug_first() -> None:
    good = judge(
        EN_ANSWER,
        reply("answer", "Your deposit needs 2 confirmations.", ["deposit-not-credited"]),
        numbers_in_sources,
    )
    second = judge(
        EN_ANSWER,
        reply(
            "answer", "Check the network first.", ["deposit-wrong-network", "deposit-not-credited"]
        ),
        None,
    )
    bare = judge(EN_ANSWER, reply("answer", "Please wait a little longer."), None)
    handed = judge(
        EN_ANSWER, reply("handover", "A person will take over.", reason="low_confidence"), None
    )
    assert good.correct and not good.unsupported and not good.wrong_language
    assert not second.correct and not bare.correct and not handed.correct
    counts = Score([good, second, bare, handed]).counts()
    assert counts["correct_cited_answers"] == 1 and counts["correct_cited_answer_rate"] == 0.25
    assert counts["answerable_handed_over"] == 1 and counts["answerable_wrong_citation"] == 2


def test_handovers_and_reason_agreement() -> None:
    same = judge(
        EN_HANDOVER,
        reply("handover", "A person from our team will take over.", reason="asked_for_person"),
        None,
    )
    other = judge(
        ZH_HANDOVER,
        reply(
            "handover", "我们的同事会接手这个对话。", reason="low_confidence", language="zh-Hans"
        ),
        None,
    )
    missed = judge(
        EN_HANDOVER,
        reply("answer", "You can reach us by chat.", ["contact-support-human-agent"]),
        None,
    )
    score = Score([same, other, missed])
    counts = score.counts()
    assert (counts["must_handover"], counts["handovers"], counts["reason_agreement"]) == (3, 2, 1)
    assert counts["handover_rate"] == round(2 / 3, 4) and counts["reason_agreement_rate"] == 0.5
    assert score.reason_confusion() == {
        "account_compromised": {"low_confidence": 1},
        "asked_for_person": {"answer": 1, "asked_for_person": 1},
    }
    # A handover with another reason is in the confusion table, not among the failures.
    assert [f["id"] for f in score.failures()] == ["en-2"]
    assert score.failures()[0]["problems"] == ["handover missed"]


def test_wrong_script_and_unsupported_numbers_are_failures() -> None:
    simplified = judge(
        ZH_ANSWER,
        reply(
            "answer",
            "您的充值需要2个确认，请耐心等待。",
            ["deposit-not-credited"],
            language="zh-Hant",
        ),
        numbers_in_sources,
    )
    invented = judge(
        EN_ANSWER,
        reply("answer", "Your deposit needs 12 confirmations.", ["deposit-not-credited"]),
        numbers_in_sources,
    )
    assert (
        simplified.correct and simplified.wrong_language and simplified.reply_language == "zh-Hans"
    )
    assert invented.unsupported == ("12",)
    score = Score([simplified, invented])
    counts = score.counts()
    assert counts["wrong_language"] == 1 and counts["claimed_language_mismatch"] == 0
    assert counts["unsupported_numbers"] == 1
    problems = {f["id"]: f["problems"] for f in score.failures()}
    assert problems == {"hant-1": ["language zh-Hans"], "en-1": ["unsupported 12"]}
    per = score.per_language()
    assert set(per) == {"en", "zh-Hant"} and per["zh-Hant"]["wrong_language"] == 1


def test_goals_and_splits() -> None:
    answered = judge(EN_ANSWER, reply("answer", "See the article.", ["deposit-not-credited"]), None)
    handed = judge(
        EN_HANDOVER, reply("handover", "A person will take over.", reason="asked_for_person"), None
    )
    assert all(ok for _, ok in goals(Score([answered, handed]).counts()))
    assert not all(ok for _, ok in goals(Score([answered]).counts()))  # nothing to hand over
    items = [EN_ANSWER, ZH_ANSWER, EN_HANDOVER, ZH_HANDOVER]
    assert [i.id for i in in_split(items, "holdout")] == ["hant-1", "hans-1"]
    assert in_split(items, "all") == items
