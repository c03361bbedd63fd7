"""The generation backends: extractive (as built) and an OpenAI-compatible endpoint, served by
a local HTTP server answering with recorded completions (tests/assistant/recorded/README.md)."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator
from typing import Any

import opencc
import pytest

from ledgerdesk.ai.assistant.generative import EXTRACTIVE_MODEL, finish_reply
from ledgerdesk.ai.assistant.types import FaithCheck, Reply, Source
from ledgerdesk.ai.triage.language import detect_language
from ledgerdesk.core.settings import Settings
from tests.assistant.completions_server import Answer, CompletionsServer, recorded

PUBLIC = "https://desk.example.com"
SLUG = "deposit-not-credited"
LINK = f"{PUBLIC}/help/articles/{SLUG}"
MODEL = "qwen2.5:7b-instruct"
KEY = "sk-local-test-key-7f3a"

# The section "The three stages of a deposit" as the engine renders it (values filled in).
EN_SECTION = (
    "Sent – the other wallet or exchange has broadcast the transaction. Until then, nothing "
    "exists on the blockchain.\n"
    "Confirming – the transaction is on the blockchain and is collecting confirmations. Each "
    "network needs a different number, for example 2 for BTC and 20 for TRC20 tokens.\n"
    "Credited – we add the funds to your account. Some assets become tradable first and "
    "withdrawable a little later."
)
ZH_SECTION = (
    "转出方发起：对方广播交易后，链上才会有记录。\n"
    "区块确认中：交易已上链，正在累积确认数。不同网络要求不同，例如 BTC 需要 2 个确认，"
    "TRC20 需要 20 个确认。\n"
    "入账：达到确认数后资金计入账户。部分币种会先开放交易，稍后才可提币。"
)
EN_QUESTION = "my btc deposit still not showing, how many confirmations does it need??"
ZH_QUESTION = "我的BTC充值还没到账，需要几个确认啊"


def en_reply() -> Reply:
    source = Source(
        "article",
        SLUG,
        "en",
        EN_SECTION,
        url=f"/help/articles/{SLUG}",
        title="My crypto deposit has not arrived",
    )
    text = (
        f"{EN_SECTION}\n\nMy crypto deposit has not arrived: {LINK}\n\nDid this solve your problem?"
    )
    return Reply(
        action="answer",
        reply=text,
        citations=[SLUG],
        confidence=0.82,
        language="en",
        sources=[source],
        asks_feedback=True,
    )


def zh_reply(language: str = "zh-Hans") -> Reply:
    source = Source(
        "article",
        SLUG,
        "zh-CN",
        ZH_SECTION,
        url=f"/help/articles/{SLUG}",
        title="充值未到账怎么办？",
    )
    text = f"{ZH_SECTION}\n\n充值未到账怎么办？：{LINK}\n\n这个回答解决您的问题了吗？"
    if language == "zh-Hant":  # the engine converts replies to traditional-script customers
        text = opencc.OpenCC("s2t").convert(text)
    return Reply(
        action="answer",
        reply=text,
        citations=[SLUG],
        confidence=0.8,
        language=language,
        sources=[source],
        asks_feedback=True,
    )


@pytest.fixture(scope="module")
def module_server() -> Iterator[CompletionsServer]:
    server = CompletionsServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def server(module_server: CompletionsServer) -> CompletionsServer:
    module_server.received.clear()
    module_server.serve("faithful_en.json")
    return module_server


def openai(server: CompletionsServer, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "assistant_backend": "openai",
        "assistant_openai_url": server.url,
        "assistant_openai_model": MODEL,
        "assistant_openai_allow_private": True,
        "assistant_openai_timeout": 2.0,
        "public_url": PUBLIC,
    }
    values.update(overrides)
    return Settings(**values)


def content_of(name: str) -> str:
    import json

    return str(json.loads(recorded(name))["choices"][0]["message"]["content"])


def assert_fell_back(reply: Reply, draft: Reply, check: FaithCheck) -> None:
    assert reply.reply == draft.reply
    assert (reply.backend, reply.model) == ("extractive", EXTRACTIVE_MODEL)
    assert reply.check == check


# --- extractive ---------------------------------------------------------------------------


def test_extractive_records_backend_model_and_its_own_check() -> None:
    draft = en_reply()
    reply = finish_reply(en_reply(), EN_QUESTION, Settings(public_url=PUBLIC))
    assert reply.reply == draft.reply
    assert (reply.backend, reply.model) == ("extractive", EXTRACTIVE_MODEL)
    assert EXTRACTIVE_MODEL.startswith("ledgerdesk-extractive/")
    assert reply.check == FaithCheck(ok=True)


def test_extractive_check_lists_what_its_sources_do_not_say() -> None:
    draft = en_reply()
    draft.reply = draft.reply.replace("Did this", "A fee of 0.0005 BTC applies. Did this")
    reply = finish_reply(draft, EN_QUESTION, Settings(public_url=PUBLIC))
    assert reply.check == FaithCheck(ok=False, unsupported=("0.0005 BTC",))
    assert reply.backend == "extractive"


# --- openai: what goes out ----------------------------------------------------------------


def test_a_faithful_rewording_goes_out(server: CompletionsServer) -> None:
    reply = finish_reply(en_reply(), EN_QUESTION, openai(server))
    assert reply.reply == content_of("faithful_en.json")
    assert (reply.backend, reply.model) == ("openai", MODEL)
    assert reply.check == FaithCheck(ok=True)
    assert reply.citations == [SLUG] and reply.asks_feedback


def test_the_request_carries_model_messages_and_temperature_zero(server: CompletionsServer) -> None:
    draft = en_reply()
    finish_reply(en_reply(), EN_QUESTION, openai(server, assistant_openai_key=KEY))
    (request,) = server.received
    assert (request.method, request.path) == ("POST", "/v1/chat/completions")
    assert request.headers["authorization"] == f"Bearer {KEY}"
    body = request.json()
    assert body["model"] == MODEL
    assert body["temperature"] == 0
    system, user = body["messages"]
    assert system["role"] == "system" and user["role"] == "user"
    assert (
        "English" in system["content"] and "only facts stated in the sources" in system["content"]
    )
    assert "citation link" in system["content"] and "solved the problem" in system["content"]
    assert f'"My crypto deposit has not arrived" ({LINK})' in user["content"]
    for part in (EN_QUESTION, EN_SECTION, draft.reply):
        assert part in user["content"]


def test_no_key_no_authorization_header(server: CompletionsServer) -> None:
    finish_reply(en_reply(), EN_QUESTION, openai(server))
    (request,) = server.received
    assert "authorization" not in request.headers


def test_a_faithful_chinese_rewording_goes_out(server: CompletionsServer) -> None:
    server.serve("faithful_zh.json")
    reply = finish_reply(zh_reply(), ZH_QUESTION, openai(server))
    assert reply.reply == content_of("faithful_zh.json")
    assert reply.backend == "openai" and reply.check == FaithCheck(ok=True)
    assert "Simplified Chinese" in server.received[0].json()["messages"][0]["content"]


def test_traditional_script_customers_get_traditional_characters(server: CompletionsServer) -> None:
    server.serve("faithful_zh.json")  # the model answered in simplified characters
    reply = finish_reply(zh_reply("zh-Hant"), "我的BTC充值還沒到賬，需要幾個確認", openai(server))
    assert reply.backend == "openai" and reply.check == FaithCheck(ok=True)
    assert "20 個確認" in reply.reply and "這個回答解決您的問題了嗎" in reply.reply
    assert detect_language(reply.reply).language == "zh-Hant"
    assert "Traditional Chinese" in server.received[0].json()["messages"][0]["content"]


def test_a_reasoning_block_is_dropped(server: CompletionsServer) -> None:
    server.serve("reasoning_en.json")
    reply = finish_reply(en_reply(), EN_QUESTION, openai(server))
    assert reply.reply.startswith("Your BTC deposit is credited") and "think" not in reply.reply
    assert (reply.backend, reply.model) == ("openai", "deepseek-r1:8b")


def test_a_handover_keeps_its_template(server: CompletionsServer) -> None:
    text = "I'm passing this to a person. They will see this conversation."
    handover = Reply(action="handover", reply=text, reason="asked_for_person", language="en")
    reply = finish_reply(handover, "agent please", openai(server))
    assert reply.reply == text and reply.backend == "extractive"
    assert server.received == []


# --- openai: falling back -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "status", "check"),
    [
        ("invented_fee_en.json", 200, FaithCheck(False, ("0.0005 BTC",), True, "unsupported")),
        ("changed_confirmations_en.json", 200, FaithCheck(False, ("6",), True, "unsupported")),
        ("dropped_link_en.json", 200, FaithCheck(False, (), True, "citation")),
        ("cut_off_en.json", 200, FaithCheck(False, (), True, "bad_response")),
        ("empty_choices.json", 200, FaithCheck(False, (), True, "bad_response")),
        ("error_500.json", 500, FaithCheck(False, (), True, "unavailable")),
    ],
)
def test_a_failed_completion_falls_back(
    server: CompletionsServer, name: str, status: int, check: FaithCheck
) -> None:
    server.serve(name, status=status)
    reply = finish_reply(en_reply(), EN_QUESTION, openai(server))
    assert_fell_back(reply, en_reply(), check)
    assert len(server.received) == 1


def test_a_reply_in_the_wrong_language_falls_back(server: CompletionsServer) -> None:
    server.serve("english_for_chinese.json")
    reply = finish_reply(zh_reply(), ZH_QUESTION, openai(server))
    assert_fell_back(reply, zh_reply(), FaithCheck(False, (), True, "language"))


def test_malformed_json_falls_back(server: CompletionsServer) -> None:
    server.answer = Answer(recorded("faithful_en.json")[:120])
    reply = finish_reply(en_reply(), EN_QUESTION, openai(server))
    assert_fell_back(reply, en_reply(), FaithCheck(False, (), True, "bad_response"))


def test_a_timeout_falls_back_in_time(server: CompletionsServer) -> None:
    server.serve("faithful_en.json", delay=1.5)
    started = time.perf_counter()
    reply = finish_reply(en_reply(), EN_QUESTION, openai(server, assistant_openai_timeout=0.3))
    assert time.perf_counter() - started < 1.2
    assert_fell_back(reply, en_reply(), FaithCheck(False, (), True, "timeout"))


def test_an_unreachable_endpoint_falls_back() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = Settings(
        assistant_backend="openai",
        assistant_openai_url=f"http://127.0.0.1:{port}/v1",
        assistant_openai_model=MODEL,
        assistant_openai_allow_private=True,
        public_url=PUBLIC,
    )
    reply = finish_reply(en_reply(), EN_QUESTION, settings)
    assert_fell_back(reply, en_reply(), FaithCheck(False, (), True, "unavailable"))


@pytest.mark.parametrize(
    ("allow_private", "reason"), [(True, "unavailable"), (False, "refused_url")]
)
def test_a_malformed_endpoint_url_falls_back(allow_private: bool, reason: str) -> None:
    settings = Settings(
        assistant_backend="openai",
        assistant_openai_url="http://127.0.0.1:99999/v1",
        assistant_openai_model=MODEL,
        assistant_openai_allow_private=allow_private,
        public_url=PUBLIC,
    )
    reply = finish_reply(en_reply(), EN_QUESTION, settings)
    assert_fell_back(reply, en_reply(), FaithCheck(False, (), True, reason))


def test_a_private_address_is_refused_without_allow_private(server: CompletionsServer) -> None:
    settings = openai(server, assistant_openai_allow_private=False)
    reply = finish_reply(en_reply(), EN_QUESTION, settings)
    assert_fell_back(reply, en_reply(), FaithCheck(False, (), True, "refused_url"))
    assert server.received == []


def test_the_key_is_never_logged(
    server: CompletionsServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.serve("error_401.json", status=401)  # its message quotes the key, as OpenAI's does
    with caplog.at_level(logging.DEBUG):
        reply = finish_reply(en_reply(), EN_QUESTION, openai(server, assistant_openai_key=KEY))
    assert reply.check == FaithCheck(False, (), True, "bad_response")
    assert "401 (invalid_request_error/invalid_api_key)" in caplog.text
    assert KEY not in caplog.text and "7f3a" not in caplog.text
    assert server.received[0].headers["authorization"] == f"Bearer {KEY}"
