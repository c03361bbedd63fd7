"""Generation backends behind one interface: ``finish_reply`` takes the reply the engine built
(extractively: article sections, tool facts, reviewed templates) and returns it as it goes out.

- ``extractive`` (the default; offline, no model): the reply as built, with the check of it
  against its own sources recorded.
- ``openai``: any OpenAI-compatible ``/v1/chat/completions`` endpoint (a hosted API, or a local
  Ollama, vLLM or llama.cpp server) rewords an *answer* in the customer's language, from the
  same sources, at temperature 0. Handovers keep their reviewed template text. The reworded
  text goes out only when it passes the faithfulness check against the reply's sources
  (every number, amount, duration, network name and URL), is in the customer's language and
  script, and keeps the draft's links; otherwise, and on any endpoint error, timeout or
  malformed answer, the extractive text goes out and the check says it fell back and why.

The endpoint's address passes the outbound check (no private addresses unless allowed); the
API key is sent as a bearer token and never logged.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

import httpx
import opencc

import ledgerdesk
from ledgerdesk.ai.assistant.faithfulness import check_faithful, find_claims
from ledgerdesk.ai.assistant.types import FaithCheck, Reply, Source
from ledgerdesk.ai.triage.language import detect_language
from ledgerdesk.core.outbound import OutboundBlocked, check_outbound_url
from ledgerdesk.core.settings import Settings

__all__ = [
    "EXTRACTIVE_MODEL",
    "FALLBACK_REASONS",
    "Completion",
    "GenerationError",
    "build_messages",
    "chat_completion",
    "check_generated",
    "finish_reply",
]

log = logging.getLogger("ledgerdesk.assistant")

EXTRACTIVE_MODEL = f"ledgerdesk-extractive/{ledgerdesk.__version__}"
FALLBACK_REASONS: tuple[str, ...] = (
    "unsupported",  # the reworded reply states a claim its sources do not
    "language",  # not in the customer's language or script
    "citation",  # a link of the draft (the cited article) is missing
    "refused_url",  # the endpoint's address is private and not allowed
    "timeout",  # no answer within assistant_openai_timeout
    "unavailable",  # cannot connect, 5xx, 429
    "bad_response",  # another status, not JSON, no choices, no text, cut off
)
MAX_RESPONSE_BYTES = 2 * 1024 * 1024
_MODEL_CHARS = 120  # AssistantReply.model

_LANGUAGE_NAMES = {
    "en": "English",
    "zh-Hans": "Simplified Chinese (简体中文)",
    "zh-Hant": "Traditional Chinese (繁體中文)",
}

SYSTEM_PROMPT = """\
You reword replies for the customer support of a cryptocurrency exchange. You get the \
customer's message, the sources the reply may use (help-center article sections and facts from \
the exchange's systems) and a correct but stiff draft reply built from those sources. Rewrite \
the draft so it reads naturally and answers the customer's message directly.

Rules:
- Write in {language} only.
- Use only facts stated in the sources. Never add, change, round or convert a number, amount, \
fee, percentage, duration, confirmation count, network name, address, e-mail address or link, \
and never add a fact, promise or piece of advice that is not in the sources.
- Keep the draft's citation link exactly as written.
- Keep the draft's closing question that asks whether this solved the problem.
- Plain text, short paragraphs or a short list; no headings.
- Answer with the reworded reply only."""


class GenerationError(Exception):
    """The endpoint gave no usable completion. ``reason``: one of FALLBACK_REASONS; the
    message (English, for operators) names the host at most, never the key or the path."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class Completion:
    text: str
    model: str  # the response's ``model`` (the version that really answered)


# --- the request ------------------------------------------------------------------------


def _describe(source: Source, number: int) -> str:
    if source.kind == "article":
        head = f'[{number}] Help-center article "{source.title}"'
        head += f" ({source.url})" if source.url else ""
    elif source.kind == "tool":
        head = f"[{number}] Result of the check {source.ref}"
    else:
        head = f"[{number}] Reviewed reply text ({source.ref})"
    return f"{head}\n{source.text.strip()}"


def build_messages(
    reply: Reply, question: str, sources: Sequence[Source] | None = None
) -> list[dict[str, str]]:
    """The chat messages asking to reword ``reply`` from ``sources`` (its own by default)."""
    language = _LANGUAGE_NAMES.get(reply.language, _LANGUAGE_NAMES["en"])
    given = reply.sources if sources is None else sources
    described = "\n\n".join(_describe(s, i) for i, s in enumerate(given, start=1))
    user = (
        f"Customer's message:\n<<<\n{question.strip()}\n>>>\n\n"
        f"Sources (the only facts you may use):\n{described or '(none)'}\n\n"
        f"Draft reply:\n<<<\n{reply.reply.strip()}\n>>>\n\n"
        f"Reword the draft in {language}."
    )
    return [
        {"role": "system", "content": SYSTEM_PROMPT.format(language=language)},
        {"role": "user", "content": user},
    ]


def chat_completion(settings: Settings, messages: list[dict[str, str]]) -> Completion:
    """POST ``messages`` to ``{assistant_openai_url}/chat/completions`` at temperature 0.
    Raises GenerationError for every way it can fail."""
    base = settings.assistant_openai_url.rstrip("/")
    try:
        host = check_outbound_url(base, allow_private=settings.assistant_openai_allow_private)
    except (OutboundBlocked, ValueError) as exc:  # ValueError: a port out of range
        raise GenerationError("refused_url", f"the endpoint is refused: {exc}") from None
    headers = {
        "Accept": "application/json",
        "User-Agent": f"ledgerdesk/{ledgerdesk.__version__}",
    }
    if settings.assistant_openai_key:
        headers["Authorization"] = f"Bearer {settings.assistant_openai_key}"
    body = {"model": settings.assistant_openai_model, "messages": messages, "temperature": 0}
    timeout = settings.assistant_openai_timeout
    try:
        with httpx.Client(
            timeout=httpx.Timeout(timeout), follow_redirects=False, trust_env=False
        ) as client:
            response = client.post(f"{base}/chat/completions", json=body, headers=headers)
    except httpx.TimeoutException:
        raise GenerationError("timeout", f"{host} did not answer within {timeout:g} s") from None
    except httpx.InvalidURL:
        raise GenerationError("refused_url", f"the endpoint's URL is not valid ({host})") from None
    except (httpx.HTTPError, httpx.StreamError, OSError) as exc:
        raise GenerationError("unavailable", f"cannot reach {host}: {type(exc).__name__}") from None
    return _completion(response, host, settings.assistant_openai_model)


def _completion(response: httpx.Response, host: str, requested_model: str) -> Completion:
    status = response.status_code
    if status == 429 or status >= 500:
        raise GenerationError("unavailable", f"{host} answered {status}{_error_kind(response)}")
    if status != 200:
        raise GenerationError("bad_response", f"{host} answered {status}{_error_kind(response)}")
    if len(response.content) > MAX_RESPONSE_BYTES:
        raise GenerationError("bad_response", f"{host} answered more than 2 MiB")
    try:
        payload = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        raise GenerationError("bad_response", f"{host} did not answer JSON") from None
    text, finish = _choice(payload)
    if text is None:
        raise GenerationError("bad_response", f"{host} answered no choice with text")
    if finish in ("length", "content_filter", "tool_calls", "function_call"):
        raise GenerationError("bad_response", f"{host} stopped the completion: {finish}")
    model = payload.get("model")
    model = model if isinstance(model, str) and model.strip() else requested_model
    return Completion(text=text, model=model.strip()[:_MODEL_CHARS])


def _choice(payload: Any) -> tuple[str | None, str | None]:
    """The first choice's text (None when there is none) and its finish reason."""
    if not isinstance(payload, dict):
        return None, None
    choices = payload.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        return None, None
    message = choices[0].get("message")
    content = message.get("content") if isinstance(message, dict) else None
    finish = choices[0].get("finish_reason")
    text = _strip_reasoning(content) if isinstance(content, str) else ""
    return (text or None), (finish if isinstance(finish, str) else None)


def _strip_reasoning(content: str) -> str:
    """Reasoning models served by Ollama or vLLM may lead with a ``<think>`` block."""
    return re.sub(r"^\s*<think>.*?</think>", "", content, flags=re.DOTALL).strip()


def _error_kind(response: httpx.Response) -> str:
    """`` (type/code)`` of an OpenAI error body. Never its message: some servers quote part of
    the key there ("Incorrect API key provided: sk-…abcd")."""
    try:
        error = json.loads(response.content)["error"]
        kinds = [str(error[k])[:40] for k in ("type", "code") if error.get(k)]
    except (ValueError, UnicodeDecodeError, KeyError, TypeError, AttributeError):
        return ""
    return f" ({'/'.join(kinds)})" if kinds else ""


# --- checking what came back ------------------------------------------------------------


@cache
def _to_traditional() -> opencc.OpenCC:
    return opencc.OpenCC("s2t")


def _in_script(text: str, language: str) -> str:
    """Replies to traditional-script customers are converted as the engine converts its own
    (a model asked for traditional characters may still answer with simplified ones)."""
    return _to_traditional().convert(text) if language == "zh-Hant" else text


_ADDRESSES = re.compile(r"https?://\S+|[\w.+-]+@[\w.-]+", re.IGNORECASE)


def _language_of(text: str) -> str:
    """The language of the words, links and e-mail addresses left out."""
    return detect_language(_ADDRESSES.sub(" ", text)).language


def _links(text: str) -> set[str]:
    return {str(c.key) for c in find_claims(text) if c.kind == "url"}


def check_generated(text: str, draft: Reply, sources: list[Source]) -> FaithCheck:
    """The check of a generated ``text`` for ``draft``: ok, or why it must fall back."""
    found = check_faithful(text, sources)
    if not found.ok:
        return replace(found, fell_back=True, reason="unsupported")
    if _language_of(text) != draft.language:
        return FaithCheck(ok=False, fell_back=True, reason="language")
    if not _links(draft.reply) <= _links(text):
        return FaithCheck(ok=False, fell_back=True, reason="citation")
    return found


# --- the interface ----------------------------------------------------------------------


def _linked_sources(sources: list[Source], settings: Settings) -> list[Source]:
    """Sources whose site-relative link (``/help/articles/x``) is made absolute, the way the
    reply's citation line writes it."""
    base = settings.resolved_public_url
    return [replace(s, url=base + s.url) if s.url.startswith("/") else s for s in sources]


def finish_reply(reply: Reply, question: str, settings: Settings) -> Reply:
    """The reply as it goes out, with ``backend``, ``model`` and ``check`` set. With the
    ``openai`` backend an answer is reworded and checked; a handover stays as built."""
    sources = _linked_sources(reply.sources, settings)
    reply.backend, reply.model = "extractive", EXTRACTIVE_MODEL
    reply.check = check_faithful(reply.reply, sources)
    if settings.assistant_backend != "openai" or reply.action != "answer":
        return reply
    try:
        completion = chat_completion(settings, build_messages(reply, question, sources))
    except GenerationError as exc:
        log.warning("assistant: extractive reply sent, the endpoint failed (%s)", exc.message)
        reply.check = FaithCheck(ok=False, fell_back=True, reason=exc.reason)
        return reply
    text = _in_script(completion.text, reply.language)
    checked = check_generated(text, reply, sources)
    if checked.fell_back:
        log.warning(
            "assistant: extractive reply sent, %s's reply failed the check (%s: %s)",
            completion.model,
            checked.reason,
            ", ".join(checked.unsupported) or "-",
        )
        reply.check = checked
        return reply
    reply.reply, reply.backend, reply.model, reply.check = text, "openai", completion.model, checked
    return reply
