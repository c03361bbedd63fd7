"""How verification answers and official channels are put into words, in the reader's
language. Shared by the public page, the JSON API and the console."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from ledgerdesk.core.i18n import gettext
from ledgerdesk.core.settings import Settings
from ledgerdesk.trust import lookalike
from ledgerdesk.trust import services as svc
from ledgerdesk.trust.models import ChannelKind, CheckResult, OfficialChannel, QueryKind


@dataclass(frozen=True)
class ChannelView:
    """An official channel as shown to the public; ``id`` is ``None`` for a domain that comes
    from the configuration (``LEDGERDESK_OFFICIAL_DOMAINS``) rather than the registry."""

    id: int | None
    kind: ChannelKind
    value: str
    label: str
    url: str | None
    shown: str  # ``@name`` for Telegram and X accounts, else the value


def kind_name(kind: str) -> str:
    names = {
        "domain": gettext("Website"),
        "url": gettext("Link"),
        "email": gettext("E-mail"),
        "telegram": gettext("Telegram"),
        "discord": gettext("Discord"),
        "x": gettext("X (Twitter)"),
        "handle": gettext("Account name"),
        "phone": gettext("Phone"),
        "chain_address": gettext("Chain address"),
    }
    return names.get(kind, gettext("Unknown"))


def kind_names() -> dict[str, str]:
    """Every query and channel kind in the reader's language."""
    return {kind.value: kind_name(kind.value) for kind in QueryKind}


def channel_url(kind: ChannelKind, value: str) -> str | None:
    """Where the channel lives, for a link on our own pages (never the checked input)."""
    prefix = {
        ChannelKind.domain: "https://",
        ChannelKind.email: "mailto:",
        ChannelKind.telegram: "https://t.me/",
        ChannelKind.x: "https://x.com/",
        ChannelKind.discord: "https://discord.gg/",
        ChannelKind.phone: "tel:",
    }
    return prefix[kind] + value if kind in prefix else None


def shown_value(kind: ChannelKind, value: str) -> str:
    return "@" + value if kind in (ChannelKind.telegram, ChannelKind.x) else value


def channel_view(channel: OfficialChannel) -> ChannelView:
    return ChannelView(
        channel.id,
        channel.kind,
        channel.value,
        channel.label,
        channel_url(channel.kind, channel.value),
        shown_value(channel.kind, channel.value),
    )


def configured_view(domain: str) -> ChannelView:
    return ChannelView(
        None, ChannelKind.domain, domain, gettext("Official website"), "https://" + domain, domain
    )


def public_channels(session: Session, settings: Settings) -> list[ChannelView]:
    """Every active channel; configured domains that are not registered come first."""
    channels = svc.list_channels(session)
    registered = {c.value for c in channels if c.kind == ChannelKind.domain}
    configured = [
        configured_view(d) for d in svc.official_domains(session, settings) if d not in registered
    ]
    return configured + [channel_view(c) for c in channels]


def matched_view(result: svc.VerificationResult) -> ChannelView | None:
    """The official channel an ``official`` answer names."""
    if result.channel is not None:
        return channel_view(result.channel)
    if result.official and result.matched:
        return configured_view(result.matched)
    return None


def _label_of(value: str) -> str:
    """The part of a host or handle a person reads as the name (``binance`` of binance.com)."""
    name = value.removeprefix("@")
    _sub, label, _suffix = lookalike.host_parts(name) if "." in name else ("", name, "")
    return label or name


def reason_text(code: str, result: svc.VerificationResult) -> str:
    """One reason code in plain words, naming what it imitates."""
    official = result.lookalike_of or ""
    if code == "typosquat":
        return _typo_text(result, official)
    texts = {
        "homoglyph": gettext("It uses look-alike characters to imitate %(official)s"),
        "extra_words": gettext(
            "It adds other words to our name (%(official)s); we never use such addresses"
        ),
        "lookalike_tld": gettext("It uses our name with another ending than %(official)s"),
        "brand_in_subdomain": gettext(
            "It puts our name in front, but the address really belongs to %(owner)s"
        ),
        "brand_name": gettext("It uses our name, but it is not one of our registered accounts"),
        "punycode": gettext("It is written in punycode (xn--), which hides its real letters"),
        "mixed_script": gettext("It mixes letters from different alphabets"),
        "bidi_control": gettext("It contains hidden characters that change how it is displayed"),
        "ip_address": gettext("It is a bare IP address, not one of our names"),
        "watchlist": gettext(
            "It was reported in confirmed scam reports: do not send funds to it or open it"
        ),
    }
    text = texts.get(code, code)
    owner = lookalike.registrable_domain(result.subject or "")
    return text % {"official": official, "owner": owner} if "%(" in text else text


def _typo_text(result: svc.VerificationResult, official: str) -> str:
    if result.kind == QueryKind.phone:
        return gettext("It looks like our number %(official)s, but a digit differs") % {
            "official": official
        }
    count = lookalike.differing_letters(_label_of(result.subject or ""), _label_of(official))
    if count <= 1:
        return gettext("It looks like %(official)s, but one letter differs") % {
            "official": official
        }
    return gettext("It looks like %(official)s, but %(count)s letters differ") % {
        "official": official,
        "count": count,
    }


def reasons(result: svc.VerificationResult) -> list[str]:
    return [reason_text(code, result) for code in result.reasons]


def message(result: svc.VerificationResult, platform: str) -> str:
    """The answer in one or two sentences, for the API and the page title."""
    if result.result == CheckResult.invalid:
        return gettext(result.detail)
    if result.reported:
        return gettext("Reported in confirmed scam reports — do not send funds to it or open it.")
    if result.kind == QueryKind.address:
        return gettext(
            "This address is not on our list of reported scam addresses. That alone does not "
            "make it safe: send funds only to an address you got from someone you trust."
        )
    if result.official:
        view = matched_view(result)
        shown = view.shown if view else (result.matched or "")
        return gettext("This is an official %(platform)s channel: %(value)s") % {
            "platform": platform,
            "value": shown,
        }
    first = reasons(result)[:1]
    head = gettext("This is NOT an official %(platform)s channel.") % {"platform": platform}
    if first:
        return f"{head} {first[0]}."
    return f"{head} {gettext('It is not on our list of official channels.')}"
