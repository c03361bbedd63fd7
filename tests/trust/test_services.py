"""The official-channel registry and verification on SQLite and PostgreSQL: normalisation,
duplicates, permissions, every kind of query, the check log and the official-domain cache."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Role
from ledgerdesk.accounts.services import SYSTEM, customer_actor
from ledgerdesk.core.errors import Conflict, InvalidInput, NotFound, NotPermitted
from ledgerdesk.core.settings import Settings
from ledgerdesk.trust import services as svc
from ledgerdesk.trust.models import (
    ChannelKind,
    CheckResult,
    CheckSource,
    OfficialChannel,
    QueryKind,
    VerificationCheck,
)
from tests.conftest import actor_of, make_agent, make_customer

SETTINGS = Settings(official_domains=["binance.com"])


@pytest.fixture(autouse=True)
def _fresh_domain_cache() -> None:
    svc.clear_domain_cache()


def add(session: Session, kind: str, value: str, label: str = "Official") -> OfficialChannel:
    return svc.do_add_channel(session, SYSTEM, kind, value, label)


def verify(session: Session, query: str) -> svc.VerificationResult:
    return svc.verify(session, query, CheckSource.web, SETTINGS)


# --- the registry -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "raw", "stored"),
    [
        ("domain", "Binance.COM.", "binance.com"),
        ("domain", "https://www.Binance.com/en/", "www.binance.com"),
        ("domain", "xn--bnance-pvf.com", "bіnance.com"),
        ("domain", "币安.com", "币安.com"),
        ("email", "Support@Binance.COM", "support@binance.com"),
        ("email", "mailto:help@binance.com", "help@binance.com"),
        ("telegram", "@Binance_Support", "binance_support"),
        ("telegram", "https://t.me/BinanceChinese", "binancechinese"),
        ("telegram", "t.me/binance_cs_bot", "binance_cs_bot"),
        ("x", "https://x.com/Binance", "binance"),
        ("x", "twitter.com/BinanceHelpDesk", "binancehelpdesk"),
        ("x", "@binance", "binance"),
        ("discord", "https://discord.gg/Binance", "binance"),
        ("discord", "discord.com/invite/binance-official", "binance-official"),
        ("phone", "+44 20 7946 0958", "+442079460958"),
        ("phone", "0044 (20) 7946-0958", "+442079460958"),
        ("phone", "+86 138 0013 8000", "+8613800138000"),
    ],
)
def test_values_are_normalised(db_session: Session, kind: str, raw: str, stored: str) -> None:
    channel = add(db_session, kind, raw)
    assert channel.kind == ChannelKind(kind) and channel.value == stored and channel.active


@pytest.mark.parametrize(
    ("kind", "raw", "message"),
    [
        ("domain", "", "Enter the domain"),
        ("domain", "bin ance.com", "Not a valid domain"),
        ("domain", "192.168.1.1", "not an IP address"),
        ("domain", "intranet", "known public suffix"),
        ("domain", "bin\u202eance.com", "invisible"),
        ("email", "not-an-address", "Not a valid e-mail address"),
        ("email", "a@b..com", "Not a valid e-mail address"),
        ("telegram", "@abc", "5–32 letters"),
        ("telegram", "t.me/has space", "5–32 letters"),
        ("x", "@way_too_long_for_x_handles", "1–15 letters"),
        ("discord", "a", "2–64"),
        ("phone", "020 7946 0958", "country code"),
        ("phone", "+44 12", "not a valid phone number"),
        ("phone", "+1 000 000 0000", "not a valid phone number"),
        ("fax", "+44 20 7946 0958", "Unknown channel kind 'fax'"),
    ],
)
def test_invalid_values_are_refused_clearly(
    db_session: Session, kind: str, raw: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        add(db_session, kind, raw)


def test_label_and_note_are_checked(db_session: Session) -> None:
    with pytest.raises(InvalidInput, match="Give the channel a name"):
        add(db_session, "domain", "binance.com", label="  \x00 ")
    with pytest.raises(InvalidInput, match="longer than 120"):
        add(db_session, "domain", "binance.com", label="x" * 121)
    with pytest.raises(InvalidInput, match="longer than 500"):
        svc.do_add_channel(db_session, SYSTEM, "domain", "binance.com", "Site", "n" * 501)


def test_duplicates_conflict_and_deactivated_ones_come_back(db_session: Session) -> None:
    first = add(db_session, "telegram", "@binance_support", "Bot")
    with pytest.raises(Conflict, match="already an official telegram channel"):
        add(db_session, "telegram", "https://t.me/Binance_Support", "Again")
    add(db_session, "x", "binance_support", "Same name on another network is fine")
    svc.do_deactivate_channel(db_session, SYSTEM, first.id)
    assert not first.active and first.deactivated_at is not None
    svc.do_deactivate_channel(db_session, SYSTEM, first.id)  # twice is harmless
    again = add(db_session, "telegram", "binance_support", "Support bot, back")
    assert again.id == first.id and again.active and again.label == "Support bot, back"
    same = select(func.count()).where(OfficialChannel.value == "binance_support")
    assert db_session.scalar(same) == 2


def test_only_admins_change_the_registry(db_session: Session) -> None:
    admin = make_agent(db_session, Role.admin)
    channel = svc.do_add_channel(db_session, actor_of(admin), "domain", "binance.com", "Site")
    assert channel.created_by_id == admin.id
    for role in (Role.agent, Role.lead):
        actor = actor_of(make_agent(db_session, role))
        with pytest.raises(NotPermitted):
            svc.do_add_channel(db_session, actor, "domain", "binance.us", "US")
        with pytest.raises(NotPermitted):
            svc.do_deactivate_channel(db_session, actor, channel.id)
    customer = customer_actor(make_customer(db_session))
    with pytest.raises(NotPermitted):
        svc.do_add_channel(db_session, customer, "domain", "binance.us", "US")
    with pytest.raises(NotFound):
        svc.do_deactivate_channel(db_session, actor_of(admin), 10**9)


def test_list_channels(db_session: Session) -> None:
    kept = add(db_session, "domain", "binance.com")
    gone = add(db_session, "email", "old@binance.com")
    svc.do_deactivate_channel(db_session, SYSTEM, gone.id)
    active_ids = {c.id for c in svc.list_channels(db_session)}
    all_ids = {c.id for c in svc.list_channels(db_session, active_only=False)}
    assert kept.id in active_ids and gone.id not in active_ids and gone.id in all_ids


def test_official_domains_join_settings_and_channels(db_session: Session) -> None:
    settings = Settings(official_domains=["Binance.com", "not a domain", "binance.us"])
    # other tests may have committed channels of their own: only ours are compared
    assert svc.official_domains(db_session, settings)[:2] == ["binance.com", "binance.us"]
    channel = add(db_session, "domain", "binance.info")
    add(db_session, "domain", "binance.us")  # also configured: listed once
    add(db_session, "email", "support@elsewhere.com")
    domains = svc.official_domains(db_session, settings)
    assert domains[:2] == ["binance.com", "binance.us"] and domains[-1] == "binance.info"
    assert domains.count("binance.us") == 1 and "elsewhere.com" not in domains
    svc.do_deactivate_channel(db_session, SYSTEM, channel.id)
    assert "binance.info" not in svc.official_domains(db_session, settings)


def test_official_domains_are_cached_briefly(
    db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(official_domains=["binance.com"])
    calls: list[int] = []
    load = svc._load_domains

    def counting(session: Session, configured: tuple[str, ...]) -> tuple[str, ...]:
        calls.append(1)
        return load(session, configured)

    monkeypatch.setattr(svc, "_load_domains", counting)
    for _ in range(100):
        assert svc.official_domains(db_session, settings) == ["binance.com"]
    assert len(calls) == 1
    monkeypatch.setattr(svc, "DOMAINS_TTL_SECONDS", 0.0)
    svc.clear_domain_cache()
    svc.official_domains(db_session, settings)
    svc.official_domains(db_session, settings)
    assert len(calls) == 3


# --- verification -----------------------------------------------------------------------


@pytest.fixture
def registry(db_session: Session) -> dict[str, OfficialChannel]:
    return {
        "site": add(db_session, "domain", "binance.us", "US website"),
        "email": add(db_session, "email", "support@binance.com", "Support e-mail"),
        "bot": add(db_session, "telegram", "@binance_support", "Support bot"),
        "x": add(db_session, "x", "@binance", "Binance on X"),
        "discord": add(db_session, "discord", "discord.gg/binance", "Community"),
        "phone": add(db_session, "phone", "+44 20 7946 0958", "Hotline"),
    }


@pytest.mark.parametrize(
    ("query", "kind", "channel", "matched"),
    [
        ("binance.com", QueryKind.domain, None, "binance.com"),
        ("https://www.binance.com/en/login?x=1", QueryKind.url, None, "binance.com"),
        ("BINANCE.US", QueryKind.domain, "site", "binance.us"),
        ("support@binance.com", QueryKind.email, "email", "support@binance.com"),
        ("mailto:Support@Binance.com", QueryKind.email, "email", "support@binance.com"),
        ("press@binance.com", QueryKind.email, None, "binance.com"),
        ("@binance_support", QueryKind.handle, "bot", "binance_support"),
        ("https://t.me/Binance_Support", QueryKind.telegram, "bot", "binance_support"),
        ("x.com/binance", QueryKind.x, "x", "binance"),
        ("https://discord.gg/binance", QueryKind.discord, "discord", "binance"),
        ("+44 20 7946 0958", QueryKind.phone, "phone", "+442079460958"),
        ("0044 20 7946 0958", QueryKind.phone, "phone", "+442079460958"),
    ],
)
def test_official_answers(
    db_session: Session,
    registry: dict[str, OfficialChannel],
    query: str,
    kind: QueryKind,
    channel: str | None,
    matched: str,
) -> None:
    result = verify(db_session, query)
    assert result.result == CheckResult.official and result.official
    assert result.kind == kind and result.matched == matched
    assert result.channel is (registry[channel] if channel else None)
    assert result.reasons == () and result.lookalike_of is None


@pytest.mark.parametrize(
    ("query", "kind", "lookalike_of", "reasons"),
    [
        ("bіnance.com", QueryKind.domain, "binance.com", {"homoglyph", "mixed_script"}),
        ("https://binnance.com/login", QueryKind.url, "binance.com", {"typosquat"}),
        ("binance-support-help.com", QueryKind.domain, "binance.com", {"extra_words"}),
        ("binance.com.security-check.io", QueryKind.domain, "binance.com", {"brand_in_subdomain"}),
        ("binance.co", QueryKind.domain, "binance.com", {"lookalike_tld"}),
        ("https://binance.com@evil.io/", QueryKind.url, "binance.com", {"brand_in_subdomain"}),
        ("support@binance-help.com", QueryKind.email, "binance.com", {"extra_words"}),
        ("binance.support@gmail.com", QueryKind.email, "binance.com", {"extra_words"}),
        ("someone@fastmail.fm", QueryKind.email, None, set()),
        ("@binance_support_cs", QueryKind.handle, "@binance_support", {"extra_words"}),
        ("t.me/binance_supp0rt", QueryKind.telegram, "@binance_support", {"homoglyph"}),
        ("binance_support_cs", QueryKind.handle, "@binance_support", {"extra_words"}),
        ("x.com/binance_support", QueryKind.x, "@binance", {"extra_words"}),
        ("@elonmusk", QueryKind.handle, None, set()),
        ("+44 20 7946 0959", QueryKind.phone, "+442079460958", {"typosquat"}),
        ("+1 415 555 2671", QueryKind.phone, None, set()),
        ("etherscan.io", QueryKind.domain, None, set()),
        ("http://192.168.1.10/login", QueryKind.url, None, {"ip_address"}),
        ("bin\u202eance.com", QueryKind.domain, None, {"bidi_control"}),
    ],
)
def test_not_official_answers(
    db_session: Session,
    registry: dict[str, OfficialChannel],
    query: str,
    kind: QueryKind,
    lookalike_of: str | None,
    reasons: set[str],
) -> None:
    result = verify(db_session, query)
    assert result.result == CheckResult.not_official and not result.official
    assert result.kind == kind and result.channel is None
    assert result.lookalike_of == lookalike_of and set(result.reasons) == reasons


@pytest.mark.parametrize(
    ("query", "kind", "detail"),
    [
        ("020 7946 0958", QueryKind.phone, svc.NEEDS_COUNTRY_CODE),
        ("+44 12 34", QueryKind.phone, svc.BAD_PHONE),
        ("hello world", QueryKind.unknown, svc.ONE_AT_A_TIME),
        ("bin ance.com/x y", QueryKind.unknown, svc.ONE_AT_A_TIME),
        ("a..b.com", QueryKind.domain, svc.BAD_ADDRESS),
        ("https://", QueryKind.url, svc.BAD_ADDRESS),
        ("x@a..b", QueryKind.email, svc.BAD_EMAIL),
    ],
)
def test_invalid_answers_are_logged_with_a_reason(
    db_session: Session, query: str, kind: QueryKind, detail: str
) -> None:
    result = verify(db_session, query)
    assert result.result == CheckResult.invalid and result.kind == kind
    assert result.detail == detail
    check = db_session.get(VerificationCheck, result.check_id)
    assert check is not None and check.result == CheckResult.invalid


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", svc.EMPTY_QUERY),
        ("   \n ", svc.EMPTY_QUERY),
        ("x" * 501, svc.LONG_QUERY),
        ("binance.com\x00", svc.CONTROL_QUERY),
        ("a\x1bb.com", svc.CONTROL_QUERY),
    ],
)
def test_refused_queries_are_not_logged(db_session: Session, query: str, message: str) -> None:
    before = db_session.scalar(select(func.count()).select_from(VerificationCheck))
    with pytest.raises(InvalidInput) as raised:
        verify(db_session, query)
    assert raised.value.message == message and raised.value.field == "q"
    assert db_session.scalar(select(func.count()).select_from(VerificationCheck)) == before


def test_every_check_is_logged_without_who_asked(
    db_session: Session, registry: dict[str, OfficialChannel]
) -> None:
    official = svc.verify(db_session, "support@binance.com", "api", SETTINGS)
    fake = svc.verify(db_session, "https://binance.com/\u202emoc.live", "web", SETTINGS)
    row = db_session.get(VerificationCheck, official.check_id)
    assert row is not None and row.source == CheckSource.api
    assert row.channel_id == registry["email"].id and row.result == CheckResult.official
    assert row.query == "support@binance.com" and row.kind == QueryKind.email
    flagged = db_session.get(VerificationCheck, fake.check_id)
    assert flagged is not None and flagged.result == CheckResult.not_official
    assert flagged.query == "https://binance.com/<U+202E>moc.live"
    assert flagged.reasons == ["bidi_control"] and flagged.source == CheckSource.web
    columns = set(VerificationCheck.__table__.columns.keys())
    assert not {"ip", "ip_address", "client", "user_agent", "customer_id"} & columns


def test_list_checks_newest_first_and_filtered(db_session: Session) -> None:
    for query in ("binance.com", "binnance.com", "@nobody_here", "binance.com.evil.io"):
        verify(db_session, query)
    checks, total = svc.list_checks(db_session)
    assert total >= 4 and [c.query for c in checks[:4]] == [
        "binance.com.evil.io",
        "@nobody_here",
        "binnance.com",
        "binance.com",
    ]
    fakes, fake_total = svc.list_checks(db_session, not_official_only=True, per_page=2)
    assert len(fakes) == 2 and fake_total >= 3
    assert all(c.result == CheckResult.not_official for c in fakes)
    second, _ = svc.list_checks(db_session, not_official_only=True, per_page=2, page=2)
    assert {c.id for c in second}.isdisjoint({c.id for c in fakes})


def test_a_new_domain_channel_is_official_at_once(db_session: Session) -> None:
    assert verify(db_session, "binance.info").lookalike_of == "binance.com"
    add(db_session, "domain", "binance.info", "Info site")
    result = verify(db_session, "help.binance.info")
    assert result.official and result.channel is not None and result.matched == "binance.info"
