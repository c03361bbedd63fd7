"""The demo exchange's help page (``/``): what an exchange's own site looks like with the
desk's chat widget on it, for ``make run`` and the widget's browser test.

The page is the exchange's, not the desk's: it is served by the demo exchange on its own
origin, loads ``widget.js`` from the desk's public address, and signs a short-lived HS256
identity token (docs/chat-widget.md) for its signed-in demo customer with the secret the desk
verifies with (``LEDGERDESK_CHAT_JWT_SECRET``; ``make run`` sets both from
data/demo/chat-jwt-secret.txt). ``?guest=1`` shows the page signed out: the widget then asks
for an e-mail address."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import jwt
from fastapi import FastAPI, Query
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from ledgerdesk.exchange.demo_state import DemoExchange
from ledgerdesk.exchange.records import CustomerProfile

TOKEN_SECONDS = 600  # the page is reloaded long before; the chat keeps its own session
_TEMPLATES = Path(__file__).resolve().parent / "templates"
_env = Environment(loader=FileSystemLoader(str(_TEMPLATES)), autoescape=select_autoescape())

# The exchange's own words, in both languages of the desk.
TEXT: dict[str, dict[str, str]] = {
    "en": {
        "brand": "Kestrel Exchange",
        "markets": "Markets",
        "trade": "Trade",
        "assets": "Assets",
        "help": "Help Center",
        "signed_in": "Signed in as",
        "guest_link": "Browse as a guest",
        "sign_in_link": "Sign in as the demo customer",
        "guest": "Not signed in",
        "title": "How can we help?",
        "intro": "Answers to the questions we hear most. Still stuck? Our support team is on "
        "live chat around the clock.",
        "q1": "My deposit has not arrived",
        "a1": "Deposits are credited after the network confirmations listed on the deposit "
        "page (for example 20 on Tron, 64 on Ethereum). Check that you used the right "
        "network and, for XRP, EOS or a shared address, the memo. If it is confirmed on "
        "chain and still missing after an hour, send us the transaction ID in the chat.",
        "q2": "Why is my withdrawal pending?",
        "a2": "New withdrawal addresses and large amounts are reviewed by our risk team; a "
        "review usually takes less than 30 minutes. Withdrawals are also held for 24 hours "
        "after you change your password or 2FA.",
        "q3": "I lost my 2FA device",
        "a3": "Open a 2FA reset request from the sign-in page. For your safety we will never "
        "ask for your password, your 2FA codes or your seed phrase, in the chat or anywhere "
        "else.",
        "chat_cta": "Chat with support",
        "chat_note": "The chat opens in the corner of the page.",
        "demo_note": "A demo page served by the demo exchange of ledgerdesk; every account, "
        "amount and address on it is invented.",
        "other_lang": "中文",
    },
    "zh-CN": {
        "brand": "隼鸟交易所",
        "markets": "行情",
        "trade": "交易",
        "assets": "资产",
        "help": "帮助中心",
        "signed_in": "已登录：",
        "guest_link": "以访客身份浏览",
        "sign_in_link": "以演示用户登录",
        "guest": "未登录",
        "title": "有什么可以帮您？",
        "intro": "这里是大家最常问的问题。仍未解决？我们的客服团队全天候在线。",
        "q1": "充值一直没有到账",
        "a1": "充值在达到充值页面所列的网络确认数后入账（例如 Tron 20 个，以太坊 64 个）。"
        "请确认您选择的网络正确；XRP、EOS 或共享地址还需要填写备注（Memo）。"
        "如果链上已确认但一小时后仍未到账，请在在线客服中发送交易哈希。",
        "q2": "为什么我的提现一直在处理中？",
        "a2": "新的提现地址和大额提现需要风控团队审核，通常不超过 30 分钟。修改密码或二次验证后，"
        "提现也会暂停 24 小时。",
        "q3": "我的二次验证设备丢了",
        "a3": "请在登录页面提交二次验证重置申请。为了您的资金安全，我们绝不会在聊天或其他任何地方"
        "索要您的密码、验证码或助记词。",
        "chat_cta": "联系在线客服",
        "chat_note": "聊天窗口会在页面角落打开。",
        "demo_note": "这是 ledgerdesk 演示交易所提供的演示页面，页面上的账户、金额和地址均为虚构。",
        "other_lang": "English",
    },
}


@dataclass(frozen=True)
class ChatEmbed:
    """How the demo exchange embeds the desk's chat: where the desk is, the secret both share
    (empty: no signed identity, the widget asks for an e-mail), the audience the desk checks,
    and which demo customer is "signed in" on the page."""

    desk_url: str
    jwt_secret: str = ""
    audience: str = "ledgerdesk-chat"
    customer_id: str = ""
    color: str = "#f0b90b"


def identity_token(embed: ChatEmbed, profile: CustomerProfile, lang: str, now: int) -> str:
    """The exchange's signed statement "this visitor is customer ``profile.id``"."""
    claims = {
        "sub": profile.id,
        "email": profile.email or "",
        "name": profile.name or "",
        "locale": lang,
        "aud": embed.audience,
        "iat": now,
        "exp": now + TOKEN_SECONDS,
    }
    return jwt.encode(claims, embed.jwt_secret, algorithm="HS256")


def render_help_page(embed: ChatEmbed, state: DemoExchange, lang: str, guest: bool) -> str:
    lang = "zh-CN" if lang.lower().startswith("zh") else "en"
    profile = None if guest else state.customer(embed.customer_id)
    token = ""
    if profile is not None and embed.jwt_secret:
        token = identity_token(embed, profile, lang, int(time.time()))
    return _env.get_template("demo_help.html").render(
        t=TEXT[lang],
        lang=lang,
        other="en" if lang == "zh-CN" else "zh-CN",
        guest=guest,
        profile=profile,
        token=token,
        widget_src=embed.desk_url.rstrip("/") + "/static/chat/widget.js",
        color=embed.color,
    )


def add_help_page(app: FastAPI, state: DemoExchange, embed: ChatEmbed) -> None:
    """Serve the help page at ``/`` (not signed: it is for people, not the desk)."""

    @app.get("/", include_in_schema=False)
    def help_page(
        lang: Annotated[str, Query(max_length=16)] = "zh-CN",
        guest: bool = False,
    ) -> HTMLResponse:
        return HTMLResponse(render_help_page(embed, state, lang, guest))
