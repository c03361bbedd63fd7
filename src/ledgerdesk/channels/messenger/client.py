"""Calls to the Telegram Bot API and the Discord HTTP API.

Every URL passes ``core.outbound.check_outbound_url`` first (private addresses only when the
operator allowed them for that platform). The Telegram token is part of the URL
(``/bot<token>/<method>``), so errors and log lines name the method, never the URL.
A rate limit (429) or a platform failure (5xx, network) raises ``RetryLater`` with the wait
the platform asked for; any other refusal raises ``Refused`` (retrying cannot help).
"""

from __future__ import annotations

import logging
import re
from typing import Any

import httpx

from ledgerdesk.core.outbound import check_outbound_url
from ledgerdesk.core.settings import Settings, get_settings

log = logging.getLogger("ledgerdesk.messenger")
_BOT_PATH = re.compile(r"/bot[0-9]+:[A-Za-z0-9_-]+")


class _HideBotTokens(logging.Filter):
    """httpx logs every request's URL at INFO; a Bot API URL holds the token."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/bot" in message:
            record.msg, record.args = _BOT_PATH.sub("/bot<token>", message), ()
        return True


logging.getLogger("httpx").addFilter(_HideBotTokens())

DEFAULT_WAIT = 5.0  # seconds, when a 5xx or network failure names no wait
MAX_WAIT = 3600.0


class PlatformError(Exception):
    """A call to Telegram or Discord failed. The message never holds a token."""


class RetryLater(PlatformError):
    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = min(max(retry_after, 0.0), MAX_WAIT)


class Refused(PlatformError):
    """The platform answered 4xx (not 429): a blocked bot, a deleted chat, a bad request."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class NotConfigured(PlatformError):
    """The platform's bot token is not set."""


def _redact(text: str, secret: str) -> str:
    return text.replace(secret, "<token>") if secret else text


def _telegram_url(settings: Settings, path: str) -> tuple[str, str]:
    """The bot token and the checked Bot API URL of ``path`` (``{token}`` stands for it)."""
    token = settings.telegram_bot_token
    if not token:
        raise NotConfigured("LEDGERDESK_TELEGRAM_BOT_TOKEN is not set")
    url = f"{settings.telegram_api_url.rstrip('/')}/" + path.replace("{token}", token)
    check_outbound_url(url, allow_private=settings.telegram_allow_private)
    return token, url


def telegram_call(
    method: str, params: dict[str, Any], *, settings: Settings | None = None
) -> dict[str, Any]:
    """Call Bot API ``method`` with JSON ``params``; return its ``result``."""
    settings = settings or get_settings()
    token, url = _telegram_url(settings, f"bot{{token}}/{method}")
    what = f"telegram {method}"
    try:
        response = httpx.post(url, json=params, timeout=settings.messenger_timeout)
    except httpx.HTTPError as exc:
        raise RetryLater(f"{what}: {_redact(str(exc), token)}", DEFAULT_WAIT) from None
    body = _json(response)
    if response.status_code == 200 and body.get("ok") is True:
        result = body.get("result")
        return result if isinstance(result, dict) else {"value": result}
    description = _redact(str(body.get("description", ""))[:300], token)
    _raise_for(what, response, description, _telegram_wait(body))
    raise RetryLater(f"{what}: unexpected answer {response.status_code}", DEFAULT_WAIT)


def telegram_file(file_path: str, max_bytes: int, *, settings: Settings | None = None) -> bytes:
    """Download a file ``getFile`` named (``file_path``), refusing more than ``max_bytes``."""
    settings = settings or get_settings()
    token, url = _telegram_url(settings, f"file/bot{{token}}/{file_path.lstrip('/')}")
    try:
        with httpx.stream("GET", url, timeout=settings.messenger_timeout) as response:
            if response.status_code != 200:
                _raise_for("telegram file", response, "", None)
            data = bytearray()
            for chunk in response.iter_bytes():
                data += chunk
                if len(data) > max_bytes:
                    raise Refused(f"telegram file: over {max_bytes} bytes", 413)
            return bytes(data)
    except httpx.HTTPError as exc:
        raise RetryLater(f"telegram file: {_redact(str(exc), token)}", DEFAULT_WAIT) from None


def discord_call(
    method: str,
    path: str,
    params: dict[str, Any] | None = None,
    *,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """``method`` (GET/POST/PUT) ``path`` under the Discord API as the bot; the JSON answer."""
    settings = settings or get_settings()
    token = settings.discord_bot_token
    if not token:
        raise NotConfigured("LEDGERDESK_DISCORD_BOT_TOKEN is not set")
    url = f"{settings.discord_api_url.rstrip('/')}{path}"
    check_outbound_url(url, allow_private=settings.discord_allow_private)
    what = f"discord {method} {path}"
    headers = {"Authorization": f"Bot {token}", "User-Agent": "DiscordBot (ledgerdesk, 1)"}
    try:
        response = httpx.request(
            method, url, json=params, headers=headers, timeout=settings.messenger_timeout
        )
    except httpx.HTTPError as exc:
        raise RetryLater(f"{what}: {_redact(str(exc), token)}", DEFAULT_WAIT) from None
    if response.status_code == 204:
        return {}
    body = _json(response)
    if 200 <= response.status_code < 300:
        return body
    description = _redact(str(body.get("message", ""))[:300], token)
    wait = body.get("retry_after", response.headers.get("retry-after"))
    _raise_for(what, response, description, _number(wait))
    raise RetryLater(f"{what}: unexpected answer {response.status_code}", DEFAULT_WAIT)


def _raise_for(what: str, response: httpx.Response, description: str, wait: float | None) -> None:
    status = response.status_code
    if status == 429 or status >= 500:
        raise RetryLater(f"{what}: {status} {description}".strip(), wait or DEFAULT_WAIT)
    if 400 <= status < 500:
        raise Refused(f"{what}: {status} {description}".strip(), status)


def _telegram_wait(body: dict[str, Any]) -> float | None:
    parameters = body.get("parameters")
    if isinstance(parameters, dict):
        return _number(parameters.get("retry_after"))
    return None


def _number(value: Any) -> float | None:
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
