"""The assistant's tools against the demo world: a real local EVM chain (py-evm over HTTP)
and the demo exchange (signed HTTP), shared with the self-service tests (tests/demo_world.py).

Each answer is compared with what the chain diagnosis itself says for the same transfer,
asked directly with the network and asset the message only implied: the tool must have read
them right, and must say exactly the reviewed sentences of that verdict."""

from __future__ import annotations

import re
import secrets
import socket
import string
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from ledgerdesk.ai.assistant.tools import (
    ASK_ARTICLES,
    LOCK_ARTICLE,
    LOCK_REASON,
    VERDICT_ARTICLES,
    ToolAnswer,
    lock_account,
    run_tools,
    tool_texts,
)
from ledgerdesk.ai.assistant.types import Context
from ledgerdesk.chain.adapters import adapter_for
from ledgerdesk.chain.diagnosis import DEPOSIT_VERDICTS, NEEDS_PERSON, Diagnoser, Diagnosis
from ledgerdesk.chain.explain import explain
from ledgerdesk.chain.registry import get_registry, reset_registry
from ledgerdesk.core.paths import shipped_data_dir
from ledgerdesk.core.settings import get_settings
from ledgerdesk.demo.world import DEMO_KEY_ID, world_plan
from ledgerdesk.exchange.client import ExchangeClient, override_exchange
from tests.demo_world import DEMO_EMAIL, World, fresh_node_state

PLAN = world_plan()
CUSTOMER = PLAN["customer"]
LANGS = ("en", "zh-CN")
# A customer of the demo exchange whose lock no other test looks at.
LOCKABLE = "UID10000006"

MESSAGES = {
    "en": "my {asset} deposit hasn't arrived, txid {tx}",
    "zh-CN": "我的{asset}充值还没到账，交易哈希 {tx}",
}


@pytest.fixture(autouse=True)
def _fresh_node_state() -> Iterator[None]:
    with fresh_node_state():
        yield


@pytest.fixture
def desk(demo_desk: World) -> World:
    return demo_desk


def signed_in(customer: str = CUSTOMER, locale: str = "en") -> Context:
    return Context(customer_ref=customer, locale=locale, channel="chat")


ANONYMOUS = Context(locale="en", channel="chat")


def expected(world: World, network: str, asset: str, tx: str, customer: str | None) -> Diagnosis:
    """The chain diagnosis asked directly, with the network and asset spelled out."""
    ask = Diagnoser(world.registry, world.exchange, adapter_for)
    return ask.deposit(network_id=network, asset=asset, tx_hash=tx, customer_ref=customer)


def assert_says(answer: ToolAnswer, diagnosis: Diagnosis, world: World, lang: str) -> None:
    """The answer is the diagnosis: same verdict and facts, its reviewed sentences, its
    source, and a person when the verdict needs one."""
    assert answer.verdict == diagnosis.verdict, answer.facts
    assert answer.facts["facts"] == diagnosis.to_json()["facts"] or not _seen(diagnosis)
    assert (answer.facts["network"], answer.facts["asset"]) == (
        diagnosis.network,
        diagnosis.asset,
    )
    text = explain(diagnosis, world.registry, lang)
    assert answer.text.startswith(f"{text.title}\n{text.explanation}")
    needs_person = diagnosis.needs_person or diagnosis.verdict == "unavailable"
    assert answer.needs_person is needs_person
    assert (text.next_step in answer.text) is not diagnosis.needs_person
    assert answer.lang == lang and answer.asks_for is None
    assert [(s.kind, s.ref, s.lang, s.text) for s in answer.sources] == [
        ("tool", answer.name, lang, answer.text)
    ]
    article = VERDICT_ARTICLES.get((diagnosis.kind, diagnosis.verdict))
    assert answer.citations == ([article] if article else [])
    assert answer.diagnosis is not None and answer.diagnosis.verdict == diagnosis.verdict
    # Every number the reply says comes from its source (the faithfulness check's premise).
    for number in re.findall(r"\d+(?:\.\d+)?", answer.text):
        assert any(number in s.text for s in answer.sources)


def _seen(diagnosis: Diagnosis) -> bool:
    from ledgerdesk.chain.services import SEEN_AS_TRANSACTION

    return diagnosis.verdict in SEEN_AS_TRANSACTION


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def random_hash() -> str:
    return "0x" + secrets.token_hex(32)


def world_settings(world: World, *files: Path) -> None:
    """Load the app's registry from ``files`` (default: the world's own)."""
    names = ",".join(str(p) for p in (files or world.registry_files))
    settings = get_settings().model_copy(update={"chain_registry": names, "demo_services": False})
    reset_registry()
    get_registry(settings)


@contextmanager
def node_down(world: World, tmp_path: Path, network_id: str = "devnet") -> Iterator[None]:
    """The app's registry names a node for ``network_id`` that refuses connections."""
    url = world.demo.nodes[network_id].url
    shipped, devnet = world.registry_files
    text = devnet.read_text(encoding="utf-8")
    assert text.count(f'"{url}"') == 1
    dead = tmp_path / "devnet-dead.yaml"
    dead.write_text(text.replace(f'"{url}"', f'"{closed_port_url()}"'), encoding="utf-8")
    world_settings(world, shipped, dead)
    try:
        yield
    finally:
        world_settings(world)


# --- a transaction hash in the message -----------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("planned", PLAN["deposits"], ids=[d["name"] for d in PLAN["deposits"]])
def test_every_demo_deposit_gets_its_verdict(
    desk: World, planned: dict[str, str], lang: str
) -> None:
    deposit = desk.deposit(planned["name"])
    message = MESSAGES[lang].format(asset=deposit.asset, tx=deposit.tx_hash)
    for context, customer, verdict in (
        (signed_in(locale=lang), CUSTOMER, planned["expect"]),
        (ANONYMOUS, None, planned["expect_signed_out"]),
    ):
        answer = run_tools(message, context, lang)
        assert answer is not None and answer.name == "deposit_check"
        diagnosis = expected(desk, deposit.network, deposit.asset, deposit.tx_hash, customer)
        assert diagnosis.verdict == verdict
        assert_says(answer, diagnosis, desk, lang)
        assert answer.facts["tx_hash"] == deposit.tx_hash


def test_the_memo_chain_is_found_without_being_named(desk: World) -> None:
    # "my ETH deposit": devnet and the memo chain both carry ETH; only one knows the hash.
    memo = desk.deposit("memo_missing")
    answer = run_tools(f"my ETH deposit is missing {memo.tx_hash}", signed_in(), "en")
    assert answer is not None and answer.verdict == "missing_or_wrong_memo"
    assert answer.facts["network"] == "devnet-memo" and answer.needs_person
    assert answer.citations == ["deposit-missing-memo-tag"]
    assert "Local memo chain (EVM)" in answer.text


@pytest.mark.parametrize(
    ("lang", "template"),
    [
        ("en", "my ETH deposit on devnet hasn't arrived, txid {tx}"),
        ("zh-CN", "我在本地测试链上的ETH充值没到账 {tx}"),
    ],
)
def test_a_network_named_in_the_message_is_the_one_checked(
    desk: World, lang: str, template: str
) -> None:
    memo = desk.deposit("memo_missing")
    answer = run_tools(template.format(tx=memo.tx_hash), signed_in(locale=lang), lang)
    assert answer is not None
    assert_says(answer, expected(desk, "devnet", "ETH", memo.tx_hash, CUSTOMER), desk, lang)
    assert answer.verdict == "wrong_network" and answer.facts["facts"]["found_on"] == "devnet-memo"
    assert answer.citations == ["deposit-wrong-network"]


@pytest.mark.parametrize("lang", LANGS)
def test_a_hash_no_chain_knows_is_not_found(desk: World, lang: str) -> None:
    tx = random_hash()
    message = {
        "en": f"USDT deposit via devnet not credited {tx}",
        "zh-CN": f"本地测试链 USDT 没到账 {tx}",
    }
    for context, customer in ((signed_in(locale=lang), CUSTOMER), (ANONYMOUS, None)):
        answer = run_tools(message[lang], context, lang)
        assert answer is not None
        assert_says(answer, expected(desk, "devnet", "USDT", tx, customer), desk, lang)
        assert answer.verdict == "not_found" and not answer.needs_person
        # Not shown to be a transaction: it may be a pasted key, so only its ends are kept.
        assert answer.facts["tx_hash"] == f"{tx[:6]}…{tx[-4:]}"
        assert "explorer_url" not in answer.facts["facts"]
        assert tx not in answer.text
        assert answer.diagnosis is not None and answer.diagnosis.tx_hash == tx


def test_an_unknown_hash_on_no_named_network_asks_for_it(desk: World) -> None:
    # Ethereum, BSC, Polygon... have no node here: the hash may be on any of them.
    answer = run_tools(f"my USDT deposit hasn't arrived {random_hash()}", ANONYMOUS, "en")
    assert answer is not None and answer.asks_for == "network" and answer.verdict is None
    assert "Ethereum" in answer.text and "BNB Smart Chain" in answer.text
    assert "Local devnet (EVM)" in answer.text and "Bitcoin" not in answer.text
    assert not answer.needs_person and answer.diagnosis is None


@pytest.mark.parametrize("lang", LANGS)
def test_an_asset_the_network_does_not_take_is_unsupported(desk: World, lang: str) -> None:
    tx = desk.deposit("eth_credited").tx_hash
    answer = run_tools(MESSAGES[lang].format(asset="BTC", tx=tx), signed_in(locale=lang), lang)
    assert answer is not None
    assert_says(answer, expected(desk, "devnet", "BTC", tx, CUSTOMER), desk, lang)
    assert answer.verdict == "unsupported_asset"
    assert answer.citations == ["deposit-unsupported-token"]


def test_the_asset_is_found_from_the_transfer_when_not_named(desk: World) -> None:
    stuck = desk.deposit("usdt_stuck")
    answer = run_tools(f"deposit not credited, txid {stuck.tx_hash}", signed_in(), "en")
    assert answer is not None
    assert (answer.verdict, answer.facts["asset"]) == ("confirmed_not_credited", "USDT")
    assert answer.facts["facts"]["amount"] == "250"
    assert "asset_chosen" not in answer.facts["facts"]  # the customer chose none
    assert answer.needs_person and answer.citations == ["deposit-not-credited"]


def test_the_network_comes_from_the_customers_deposit_record(desk: World) -> None:
    # A 64-hex hash is Bitcoin's or Tron's; the exchange's record of it says Tron.
    record = next(d for d in desk.exchange.deposits(CUSTOMER) if d.network == "tron")
    tx = record.tx_hash or ""
    for lang, message in (
        ("en", f"my USDT deposit has not arrived {tx}"),
        ("zh-CN", f"我的充值没到账 {tx}"),
    ):
        answer = run_tools(message, signed_in(locale=lang), lang)
        assert answer is not None
        assert_says(answer, expected(desk, "tron", "USDT", tx, CUSTOMER), desk, lang)
        assert answer.verdict == "credited" and answer.facts["network"] == "tron"
        assert "1500" in answer.text
    # Signed out, nothing tells Bitcoin from Tron: the one question asked is the network.
    for lang in LANGS:
        answer = run_tools(MESSAGES[lang].format(asset="USDT", tx=tx), ANONYMOUS, lang)
        assert answer is not None and answer.asks_for == "network"
        names = ("Bitcoin", "Tron") if lang == "en" else ("比特币", "波场 (TRON)")
        assert all(name in answer.text for name in names)
        assert "Ethereum" not in answer.text and "以太坊" not in answer.text
        assert answer.text == tool_texts()["ask"]["network"][lang].format(
            networks=answer.text.split("（" if lang == "zh-CN" else "(")[1].split(
                "）" if lang == "zh-CN" else ")"
            )[0]
        )


@pytest.mark.parametrize(
    ("message", "network"),
    [
        ("my USDT TRC20 deposit hasn't arrived {tx}", "tron"),
        ("波场USDT充值没到账 {tx}", "tron"),
        ("比特币充值三个小时了还没到账 {tx}", "bitcoin"),
    ],
)
def test_a_network_the_message_names_is_never_asked_again(
    desk: World, message: str, network: str
) -> None:
    tx = secrets.token_hex(32)
    answer = run_tools(message.format(tx=tx), ANONYMOUS, "en")
    assert answer is not None and answer.asks_for is None
    # No node for it on this desk: the check says so and a person takes over.
    assert answer.facts["network"] == network and answer.verdict == "unavailable"
    assert answer.facts["facts"]["error"] == "not_configured" and answer.needs_person


def test_a_withdrawal_worded_transfer_to_us_is_checked_as_a_deposit(desk: World) -> None:
    # "I withdrew from my wallet to you": not one of their withdrawals here, so a deposit.
    stuck = desk.deposit("usdt_stuck")
    answer = run_tools(
        f"I withdrew USDT to you yesterday, still nothing {stuck.tx_hash}", signed_in(), "en"
    )
    assert answer is not None and answer.name == "deposit_check"
    assert answer.verdict == "confirmed_not_credited"


# --- "my deposit hasn't arrived" -----------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "message"),
    [("en", "my deposit hasn't arrived yet"), ("zh-CN", "我的充值还没到账")],
)
def test_my_deposit_with_a_customer_is_their_deposit_on_its_way(
    desk: World, lang: str, message: str
) -> None:
    pending = desk.deposit("eth_pending")
    answer = run_tools(message, signed_in(locale=lang), lang)
    assert answer is not None and answer.name == "deposit_records"
    diagnosis = expected(desk, pending.network, pending.asset, pending.tx_hash, CUSTOMER)
    assert_says(answer, diagnosis, desk, lang)
    assert answer.verdict == "pending_confirmations"
    assert answer.citations == ["deposit-confirmations"]
    facts = answer.facts["facts"]
    assert facts["required"] == 3 and 0 < facts["confirmations"] < 3
    assert str(facts["required"]) in answer.text


def test_my_usdt_deposit_when_none_is_on_its_way_asks_for_the_hash(desk: World) -> None:
    # Their only deposit on its way is ETH: about USDT the account has nothing to tell.
    for lang, message in (("en", "my USDT deposit is missing"), ("zh-CN", "我的USDT没到账")):
        answer = run_tools(message, signed_in(locale=lang), lang)
        assert answer is not None and answer.asks_for == "tx_hash"
        assert answer.text == tool_texts()["ask"]["tx_hash_no_waiting"][lang]
        assert answer.citations == ["deposit-find-txid"] and not answer.needs_person


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("en", "my deposit hasn't arrived"),
        ("en", "where is my USDT deposit??"),
        ("zh-CN", "我的充值还没到账"),
        ("zh-CN", "充值三个小时了还没到账"),
        ("zh-CN", "我的幣還沒到帳"),  # traditional characters
        ("en", "deposited usdt 3 hrs ago nothing in my account"),
    ],
)
def test_my_deposit_without_a_customer_asks_for_the_hash(lang: str, message: str) -> None:
    answer = run_tools(message, ANONYMOUS, lang)
    assert answer is not None and answer.asks_for == "tx_hash"
    assert answer.text == tool_texts()["ask"]["tx_hash"][lang]
    assert answer.citations == [ASK_ARTICLES["tx_hash"]] and not answer.needs_person
    assert answer.sources[0].text == answer.text and answer.diagnosis is None


@pytest.mark.parametrize(
    "message",
    [
        "how do I reset my 2FA",
        "what is the minimum BTC deposit?",
        "how long does a withdrawal take",
        "how do I check my deposit address?",
        "怎么查询我的充值地址",
        "my verification code hasn't arrived",
        "I forgot the memo on my deposit and it hasn't arrived",  # the memo article answers
        "我忘记密码了",
        "充值需要多少个确认",
        "提现手续费是多少",
    ],
)
def test_no_tool_for_questions_the_help_center_answers(message: str) -> None:
    assert run_tools(message, ANONYMOUS, "en") is None


# --- withdrawals ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("en", "my withdrawal is on hold, when will it be released?"),
        ("zh-CN", "我的提现被冻结了，什么时候能到账？"),
        ("zh-CN", "我的提幣被凍結了"),  # traditional characters
    ],
)
def test_a_withdrawal_on_hold_says_until_when(desk: World, lang: str, message: str) -> None:
    held = next(w for w in desk.exchange.withdrawals(CUSTOMER) if w.status == "on_hold")
    assert held.release_at is not None
    answer = run_tools(message, signed_in(locale=lang), lang)
    assert answer is not None and answer.name == "withdrawal_records"
    assert answer.verdict == "on_hold" and not answer.needs_person
    facts = answer.facts["facts"]
    assert facts["withdrawal_id"] == held.id and facts["hold_reason"] == "2fa_reset"
    assert held.release_at.strftime("%Y-%m-%d %H:%M UTC") in answer.text
    diagnosis = Diagnoser(desk.registry, desk.exchange, adapter_for).withdrawal(
        customer_ref=CUSTOMER, reference=held.id
    )
    assert answer.text.startswith(explain(diagnosis, desk.registry, lang).title)
    assert answer.citations == ["withdrawal-security-hold"]


def test_where_is_my_withdrawal_is_the_latest_not_completed(desk: World) -> None:
    answer = run_tools("where is my withdrawal", signed_in(), "en")
    assert answer is not None and answer.verdict == "processing"
    assert answer.facts["facts"]["withdrawal_id"] == "W7000000103"  # newer than the held one
    answer = run_tools("my withdrawal W7000000104 failed, why?", signed_in(), "en")
    assert answer is not None and answer.verdict == "failed"
    assert "not valid on this network" in answer.text
    answer = run_tools("我的BTC提现为什么被取消了", signed_in(locale="zh-CN"), "zh-CN")
    assert answer is not None and answer.verdict == "failed"
    assert answer.facts["facts"]["withdrawal_id"] == "W7000000105"
    assert "该提现已被取消" in answer.text


def test_a_withdrawal_by_its_hash(desk: World) -> None:
    tx = desk.demo.withdrawal_tx or ""
    answer = run_tools(f"I withdrew 0.8 ETH, txid {tx}, not received", signed_in(), "en")
    assert answer is not None and answer.name == "withdrawal_check"
    assert answer.verdict == "sent" and answer.facts["facts"]["tx_hash"] == tx
    assert tx in answer.text and answer.citations == ["withdrawal-sent-not-received"]


def test_a_withdrawal_question_without_a_customer_asks_for_the_account() -> None:
    for lang, message in (
        ("en", "where is my withdrawal?"),
        ("en", "I withdrew to my metamask but nothing arrived"),
        ("zh-CN", "我的提现还没到"),
        ("zh-CN", "老哥 我提币卡住了"),
    ):
        answer = run_tools(message, ANONYMOUS, lang)
        assert answer is not None and answer.asks_for == "account"
        assert answer.text == tool_texts()["ask"]["account"][lang]


# --- failures never raise ------------------------------------------------------------------


def test_the_chain_node_down_is_unavailable_not_an_exception(desk: World, tmp_path: Path) -> None:
    stuck = desk.deposit("usdt_stuck")
    with node_down(desk, tmp_path):
        for context in (signed_in(), ANONYMOUS):
            for message in (
                f"my USDT deposit hasn't arrived, txid {stuck.tx_hash}",
                f"my USDT deposit on devnet hasn't arrived, txid {stuck.tx_hash}",
            ):
                answer = run_tools(message, context, "en")
                assert answer is not None and answer.verdict == "unavailable"
                assert answer.facts["network"] == "devnet"
                assert answer.facts["facts"]["source"] == "chain" and answer.needs_person
                assert answer.text.startswith("We cannot check right now\n")
                assert "Local devnet (EVM)" in answer.text
        zh = run_tools(MESSAGES["zh-CN"].format(asset="USDT", tx=stuck.tx_hash), ANONYMOUS, "zh-CN")
        assert zh is not None and zh.text.startswith("暂时无法查询\n")


def test_the_exchange_down_is_unavailable_not_an_exception(desk: World) -> None:
    down = ExchangeClient(closed_port_url(), DEMO_KEY_ID, desk.demo.secret, allow_private=True)
    stuck = desk.deposit("usdt_stuck")
    with override_exchange(down):
        for message in (
            "my deposit hasn't arrived",
            "where is my withdrawal",
            f"my USDT deposit hasn't arrived {stuck.tx_hash}",
            f"my withdrawal {stuck.tx_hash} has not arrived",
        ):
            answer = run_tools(message, signed_in(), "en")
            assert answer is not None and answer.verdict == "unavailable", message
            assert answer.facts["facts"] == {"source": "exchange", "error": "unavailable"}
            assert answer.needs_person
            assert "Your account records could not be reached just now." in answer.text
        # Signed out, the exchange is not asked: the chain answers.
        answer = run_tools(f"my USDT deposit hasn't arrived {stuck.tx_hash}", ANONYMOUS, "en")
        assert answer is not None and answer.verdict == "confirmed"


# --- locking the account -------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_lock_account_locks_it_and_says_since_when(desk: World, lang: str) -> None:
    ref = LOCKABLE if lang == "en" else "email:" + _email(desk, LOCKABLE)
    answer = lock_account(signed_in(ref, lang), lang)
    assert answer.name == "lock" and answer.verdict == "locked" and not answer.needs_person
    assert desk.fresh_exchange().customer(LOCKABLE).locked
    event = next(e for e in desk.demo.exchange.lock_events() if e.customer_id == LOCKABLE)
    assert event.reason == LOCK_REASON
    when = event.locked_at.strftime("%Y-%m-%d %H:%M UTC")
    assert answer.text == tool_texts()["lock"]["locked"][lang].format(locked_at=when)
    assert answer.facts["locked"] is True and answer.facts["customer_id"] == LOCKABLE
    assert answer.citations == [LOCK_ARTICLE] and answer.sources[0].text == answer.text


def _email(world: World, customer: str) -> str:
    email = world.exchange.customer(customer).email
    assert email
    return email


def test_lock_account_without_a_customer_or_exchange_needs_a_person(desk: World) -> None:
    for context, key in (
        (ANONYMOUS, "no_customer"),
        (signed_in("email:nobody@example.com"), "no_customer"),
    ):
        answer = lock_account(context, "en")
        assert answer.needs_person and answer.verdict == "not_locked"
        assert answer.text == tool_texts()["lock"][key]["en"]
    down = ExchangeClient(closed_port_url(), DEMO_KEY_ID, desk.demo.secret, allow_private=True)
    with override_exchange(down):
        answer = lock_account(signed_in(CUSTOMER, "zh-CN"), "zh-CN")
    assert answer.needs_person and answer.text == tool_texts()["lock"]["failed"]["zh-CN"]
    assert not desk.fresh_exchange().customer(CUSTOMER).locked
    with override_exchange(None):  # no exchange configured at all
        assert lock_account(ANONYMOUS, "en").text == tool_texts()["lock"]["no_customer"]["en"]
        answer = lock_account(signed_in(CUSTOMER), "en")
        assert answer.needs_person and answer.text == tool_texts()["lock"]["failed"]["en"]
    assert DEMO_EMAIL  # the demo customer is never locked by these tests


# --- the fixed texts -----------------------------------------------------------------------


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_fixed_sentence_is_in_both_languages_with_the_same_placeholders() -> None:
    for section, entries in tool_texts().items():
        for key, texts in entries.items():
            assert set(texts) == set(LANGS), (section, key)
            assert _placeholders(texts["en"]) == _placeholders(texts["zh-CN"]), (section, key)
            assert re.search(r"[\u4e00-\u9fff]", texts["zh-CN"]), (section, key)


def test_every_cited_article_exists_in_both_languages() -> None:
    articles = shipped_data_dir() / "kb" / "articles"
    slugs = {*VERDICT_ARTICLES.values(), *ASK_ARTICLES.values(), LOCK_ARTICLE}
    for slug in slugs:
        for lang in LANGS:
            assert (articles / f"{slug}.{lang}.md").is_file(), (slug, lang)
    assert {verdict for kind, verdict in VERDICT_ARTICLES if kind == "deposit"} <= set(
        DEPOSIT_VERDICTS
    )
    assert not NEEDS_PERSON - set(DEPOSIT_VERDICTS)
