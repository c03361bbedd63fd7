"""Webhook routes the platforms call: Telegram updates and Discord interactions.

Thin: authenticate the platform (secret token / Ed25519 signature) before reading anything,
parse the JSON, hand it to the platform module in one transaction, commit, answer.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse

from ledgerdesk.channels.messenger import discord, telegram
from ledgerdesk.core.errors import InvalidInput
from ledgerdesk.core.settings import Settings
from ledgerdesk.web.deps import Db
from ledgerdesk.web.openapi import ERROR_DESCRIPTIONS

router = APIRouter(prefix="/api/v1/channels", tags=["channels"])
_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"description": ERROR_DESCRIPTIONS[code]} for code in (401, 403, 404, 422)
}


async def raw_body(request: Request) -> bytes:
    return await request.body()


RawBody = Annotated[bytes, Depends(raw_body)]


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("The body is not JSON") from None
    if not isinstance(value, dict):
        raise InvalidInput("The body must be a JSON object")
    return value


@router.post("/telegram/webhook", responses=_ERRORS)
def telegram_webhook(
    request: Request,
    db: Db,
    body: RawBody,
    secret: Annotated[str | None, Header(alias=telegram.SECRET_HEADER)] = None,
) -> JSONResponse:
    """An update from Telegram (set with ``setWebhook``; see docs/messengers.md). The answer
    may be a Bot API call Telegram performs for us."""
    telegram.check_secret(_settings(request), secret)
    answer = telegram.handle_update(db, _json_object(body))
    db.commit()
    return JSONResponse(answer)


@router.post("/discord/interactions", responses=_ERRORS)
def discord_interactions(
    request: Request,
    db: Db,
    body: RawBody,
    signature: Annotated[str | None, Header(alias="X-Signature-Ed25519")] = None,
    timestamp: Annotated[str | None, Header(alias="X-Signature-Timestamp")] = None,
) -> JSONResponse:
    """A Discord interaction (PING, the ``/support`` command, the bot's button)."""
    discord.verify(_settings(request), signature, timestamp, body)
    answer = discord.handle_interaction(db, _json_object(body))
    db.commit()
    return JSONResponse(answer)
