"""Look-alike detection without a database: hosts, handles, links in text, and hostile input
(huge texts, thousands of links, broken Unicode, bidi overrides) that must never raise or
take long."""

from __future__ import annotations

import random
import socket
import string
import time

import pytest
import tldextract
from hypothesis import given, settings
from hypothesis import strategies as st

from ledgerdesk.trust import lookalike
from ledgerdesk.trust.glyphs import skeleton
from ledgerdesk.trust.lookalike import (
    check_handle,
    check_host,
    check_links,
    check_url,
    find_urls,
    normalise_host,
)

OFFICIAL = ("binance.com",)
RLO = "\u202e"


def verdict(host: str, official: tuple[str, ...] = OFFICIAL) -> lookalike.HostVerdict:
    return check_host(host, official)


# --- normalisation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Binance.COM", "binance.com"),
        ("binance.com.", "binance.com"),
        ("  help.binance.com ", "help.binance.com"),
        ("ｂｉｎａｎｃｅ.com", "binance.com"),  # full-width folds as in a browser (UTS 46)
        ("xn--bnance-pvf.com", "bіnance.com"),  # punycode decoded for display
        ("XN--BNANCE-PVF.COM", "bіnance.com"),
        ("bin\u200bance.com", "binance.com"),  # zero-width space removed
        ("[2001:db8::1]", "2001:db8::1"),
        ("192.168.001.1".replace("001", "1"), "192.168.1.1"),
        ("例え.jp", "例え.jp"),
        ("binance。com", "binance.com"),  # ideographic full stop is a dot to IDNA
    ],
)
def test_normalise_host(raw: str, expected: str) -> None:
    assert normalise_host(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        (RLO, "empty"),
        ("a..b", "empty label"),
        (".", "empty label"),
        ("bin ance.com", "' ' is not allowed"),
        ("a<b>.com", "'<' is not allowed"),
        ("x" * 64 + ".com", "longer than 63"),
        ("a." * 130 + "com", "longer than 253"),
        ("xn--.com", "punycode"),
        ("xn--a-ecp.ru\x00", "not a valid host name"),
    ],
)
def test_normalise_host_refuses_garbage_with_a_reason(raw: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        normalise_host(raw)


def test_skeleton_folds_look_alike_characters() -> None:
    same = ["binance", "bіnance", "b1nance", "bínance", "ｂinance", "BINANCE", "bιnance", "bɪnance"]
    assert {skeleton(s) for s in same} == {skeleton("binance")}
    assert skeleton("rnetamask") == skeleton("metamask")
    assert skeleton("vvallet") == skeleton("wallet")
    assert skeleton("c1oudflare") == skeleton("doudflare")
    assert skeleton("0kx") == skeleton("okx") and skeleton("5afe") == skeleton("safe")
    assert skeleton("kraken") != skeleton("binance")


# --- hosts ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    ["binance.com", "www.binance.com", "help.binance.com", "a.b.c.binance.com", "BINANCE.COM."],
)
def test_official_hosts(host: str) -> None:
    found = verdict(host)
    assert found.official and found.lookalike_of is None and not found.suspicious
    assert found.reasons == ()


@pytest.mark.parametrize(
    ("host", "reasons"),
    [
        ("bіnance.com", {"homoglyph", "mixed_script"}),  # Cyrillic і
        ("bіnаnce.com", {"homoglyph", "mixed_script"}),  # Cyrillic і and а
        ("xn--bnance-pvf.com", {"punycode", "homoglyph", "mixed_script"}),
        ("b1nance.com", {"homoglyph"}),
        ("bin4nce.com", {"typosquat"}),
        ("blnance.com", {"homoglyph"}),
        ("bínance.com", {"homoglyph"}),
        ("binnance.com", {"typosquat"}),  # doubled letter
        ("binace.com", {"typosquat"}),  # omitted letter
        ("bianance.com", {"typosquat"}),
        ("bniance.com", {"typosquat"}),  # swapped letters
        ("binanse.com", {"typosquat"}),
        ("binance-support-help.com", {"extra_words"}),
        ("binancesupport.com", {"extra_words"}),
        ("support-binance.net", {"extra_words"}),
        ("mybinance-wallet.io", {"extra_words"}),
        ("binancе-help.com", {"homoglyph", "mixed_script", "extra_words"}),  # Cyrillic е
        ("binnance-support.com", {"extra_words", "typosquat"}),
        ("binance.com.security-check.io", {"brand_in_subdomain"}),
        ("binance.account-verify.xyz", {"brand_in_subdomain"}),
        ("login.bіnance.com.evil.io", {"brand_in_subdomain", "homoglyph", "mixed_script"}),
        ("binance.co", {"lookalike_tld"}),
        ("binance.com.co", {"lookalike_tld"}),
        ("binance.us", {"lookalike_tld"}),
        ("www.binance.net", {"lookalike_tld"}),
    ],
)
def test_lookalikes_of_binance(host: str, reasons: set[str]) -> None:
    found = verdict(host)
    assert not found.official
    assert found.lookalike_of == "binance.com"
    assert set(found.reasons) == reasons
    assert found.suspicious


@pytest.mark.parametrize(
    "host",
    [
        "google.com",
        "etherscan.io",
        "tronscan.org",
        "bscscan.com",
        "coinbase.com",
        "kraken.com",
        "github.com",
        "wikipedia.org",
        "okx.com",
        "binary.com",
        "finance.yahoo.com",
        "t.me",
        "例え.jp",
    ],
)
def test_legitimate_hosts_are_not_lookalikes(host: str) -> None:
    found = verdict(host)
    assert not found.official and found.lookalike_of is None and not found.suspicious
    assert found.reasons == ()


def test_several_official_domains_and_the_strongest_match() -> None:
    official = ("binance.com", "binance.us", "okx.com")
    assert verdict("binance.us", official).official
    assert verdict("okx.com", official).official
    assert verdict("0kx.com", official).lookalike_of == "okx.com"
    assert verdict("okxsupport.com", official).lookalike_of == "okx.com"
    assert verdict("okx-help.net", official).reasons == ("extra_words",)
    assert verdict("okxygen.com", official).lookalike_of is None  # not a phishing word
    # the exact brand under another suffix beats a typo of another official name
    assert verdict("binance.io", official).reasons == ("lookalike_tld",)


def test_long_brands_allow_two_edits_so_near_words_are_flagged() -> None:
    # Documented trade-off: within two letters of a long brand reads as a look-alike.
    assert verdict("finance.com").reasons == ("typosquat",)
    assert verdict("balance.io").lookalike_of == "binance.com"
    assert verdict("romance.com").lookalike_of is None  # three letters away


def test_same_owner_under_another_name_is_not_a_lookalike() -> None:
    found = verdict("www.example.com", ("help.example.com",))
    assert not found.official and found.lookalike_of is None
    assert verdict("docs.help.example.com", ("help.example.com",)).official


def test_informational_reasons_are_not_suspicious() -> None:
    ip = verdict("192.168.1.10")
    assert ip.reasons == ("ip_address",) and not ip.suspicious
    assert verdict("[::1]").reasons == ("ip_address",)
    greek = verdict("xn--hxajbheg2az3al.xn--jxalpdlp")  # παράδειγμα.δοκιμή
    assert "punycode" in greek.reasons and not greek.suspicious
    mixed = verdict("pаypal.com")  # Cyrillic а, not our brand
    assert mixed.reasons == ("mixed_script",) and not mixed.suspicious


def test_bidi_and_zero_width_characters_are_always_suspicious() -> None:
    hidden = verdict(f"bin{RLO}ance.com")
    assert hidden.official and hidden.suspicious and hidden.reasons == ("bidi_control",)
    for ch in "\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069\u200b\u200c\u200d\ufeff":
        assert verdict(f"evil{ch}.com").suspicious


def test_no_official_domains_means_nothing_is_a_lookalike() -> None:
    assert check_host("binnance.com", []).lookalike_of is None
    assert check_host("binnance.com", ["not a domain", "", "co.uk"]).lookalike_of is None


def test_check_host_raises_for_garbage() -> None:
    with pytest.raises(ValueError):
        check_host("bin ance.com", OFFICIAL)


def test_short_brands_need_more_than_a_shared_substring() -> None:
    official = ("gate.io",)
    assert check_host("gate-support.com", official).lookalike_of == "gate.io"
    assert check_host("gatehelp.net", official).lookalike_of == "gate.io"
    assert check_host("navigate.com", official).lookalike_of is None
    assert check_host("delegate.org", official).lookalike_of is None


# --- URLs and handles -------------------------------------------------------------------


def test_check_url_sees_the_user_part_trick_and_hidden_characters() -> None:
    trick = check_url("https://binance.com@evil.io/login", OFFICIAL)
    assert trick.host == "evil.io" and trick.lookalike_of == "binance.com"
    assert trick.reasons == ("brand_in_subdomain",) and trick.suspicious
    assert check_url("https://user:pw@binance.com/", OFFICIAL).official
    flipped = check_url(f"https://evil.io/{RLO}moc.ecnanib", OFFICIAL)
    assert flipped.reasons == ("bidi_control",) and flipped.suspicious
    with pytest.raises(ValueError):
        check_url("https://", OFFICIAL)


@pytest.mark.parametrize(
    ("handle", "lookalike_of", "reasons"),
    [
        ("binance_support_cs", "@binance_support", {"extra_words"}),
        ("@binance_supp0rt", "@binance_support", {"homoglyph"}),
        ("binance_suport", "@binance_support", {"typosquat"}),
        ("bіnance_support", "@binance_support", {"homoglyph", "mixed_script"}),
        ("binance", "binance.com", {"brand_name"}),
        ("binance_help_desk", "binance.com", {"extra_words"}),
        ("bnance", "binance.com", {"typosquat"}),
        ("elonmusk", None, set()),
        ("cryptonews", None, set()),
    ],
)
def test_handles(handle: str, lookalike_of: str | None, reasons: set[str]) -> None:
    found = check_handle(handle, ["binance_support"], OFFICIAL)
    assert found.lookalike_of == lookalike_of
    assert set(found.reasons) == reasons
    assert found.suspicious == (lookalike_of is not None)


def test_handle_with_hidden_characters() -> None:
    found = check_handle(f"binance{RLO}_support", ["binance_support"], OFFICIAL)
    assert "bidi_control" in found.reasons and found.suspicious


# --- links in text ----------------------------------------------------------------------


def test_find_urls_offsets_and_kinds() -> None:
    text = (
        "Visit https://binance.com/en/support, or www.binance-help.com. "
        "请访问binance-support.com获取帮助。Join t.me/binance_cs! "
        "(see https://en.wikipedia.org/wiki/Foo_(bar)) HTTPS://XN--BNANCE-PVF.COM/x."
    )
    found = find_urls(text)
    urls = [url for _s, _e, url, _h in found]
    assert urls == [
        "https://binance.com/en/support",
        "www.binance-help.com",
        "binance-support.com",
        "t.me/binance_cs",
        "https://en.wikipedia.org/wiki/Foo_(bar)",
        "HTTPS://XN--BNANCE-PVF.COM/x",
    ]
    for start, end, url, host in found:
        assert text[start:end] == url and host in url


def test_find_urls_skips_emails_files_and_numbers() -> None:
    text = "mail support@binance-help.com or first.last@x.now; v1.2.3, 3.14, e.g. notes.txt"
    assert find_urls(text) == []


def test_find_urls_splits_adjacent_links_and_respects_the_limit() -> None:
    assert [u for _s, _e, u, _h in find_urls("(https://a.com)(https://b.com)")] == [
        "https://a.com",
        "https://b.com",
    ]
    many = " ".join(f"site{i}.com" for i in range(50))
    assert len(find_urls(many, limit=7)) == 7


def test_check_links_reports_lookalikes_and_unknown_not_official() -> None:
    text = (
        "Official: https://www.binance.com/login. Fake: https://bіnance.com/login and "
        "binance-verify.net. Explorer: https://etherscan.io/tx/0xabc"
    )
    findings = check_links(text, OFFICIAL)
    by_url = {f.url: f.verdict for f in findings}
    assert set(by_url) == {
        "https://bіnance.com/login",
        "binance-verify.net",
        "https://etherscan.io/tx/0xabc",
    }
    assert by_url["https://bіnance.com/login"].suspicious
    assert by_url["binance-verify.net"].suspicious
    assert not by_url["https://etherscan.io/tx/0xabc"].suspicious
    fake = next(f for f in findings if f.url == "binance-verify.net")
    assert text[fake.start : fake.end] == "binance-verify.net"


def test_check_links_flags_hidden_characters_even_on_official_links() -> None:
    text = f"go to https://binance.com/{RLO}gpj.exe now"
    (finding,) = check_links(text, OFFICIAL)
    assert finding.verdict.official and finding.verdict.suspicious
    assert finding.verdict.reasons == ("bidi_control",)


# --- hostile input ----------------------------------------------------------------------


def _words(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(2, 9))) for _ in range(count)]


def test_large_text_is_fast() -> None:
    text = " ".join(_words(20_000, 1))[:100_000] + " binnance.com"
    started = time.perf_counter()
    findings = check_links(text, OFFICIAL)
    assert time.perf_counter() - started < 1.0
    assert [f.url for f in findings] == ["binnance.com"]


def test_ten_thousand_urls_are_fast() -> None:
    words = _words(10_000, 2)
    text = " ".join(f"https://{w}{i}.com/p?q={i}" for i, w in enumerate(words))
    started = time.perf_counter()
    findings = check_links(text, OFFICIAL)
    assert time.perf_counter() - started < 1.0
    assert len(findings) == 2000  # the default limit
    repeated = " ".join(f"https://bіnance.com/{i} binance.com/{i}" for i in range(5_000))
    started = time.perf_counter()
    findings = check_links(repeated, OFFICIAL, limit=10_000)
    assert time.perf_counter() - started < 1.0
    assert len(findings) == 5_000 and all(f.verdict.suspicious for f in findings)


@pytest.mark.parametrize(
    "text",
    [
        "a." * 50_000,
        "a" * 100_000,
        "a.b " * 25_000,
        "@" * 100_000,
        "https://" * 12_000,
        "https://" + "a" * 100_000,
        "https://" + "@" * 100_000,
        "xn--" * 25_000,
        "币" * 100_000,
        RLO * 100_000,
        "-." * 50_000,
        "\ud800\udfff" * 1000,  # lone surrogates
        "\x00\x01\x02 binance.com \x7f",
        "".join(chr(c) for c in range(0x20, 0x3000)),
        "https://xn--zzzzzzzzz.com https://xn--.com http://[zz]/ http://a..b/",
    ],
)
def test_hostile_text_never_raises_and_is_fast(text: str) -> None:
    started = time.perf_counter()
    check_links(text, OFFICIAL)
    find_urls(text)
    assert time.perf_counter() - started < 1.0


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400), st.sampled_from(["", " https://", " www.", " xn--", ".com "]))
def test_any_text_gives_consistent_findings(text: str, glue: str) -> None:
    sample = glue.join([text, "bіnance.com/x", text])
    for finding in check_links(sample, OFFICIAL):
        assert sample[finding.start : finding.end] == finding.url
        assert finding.verdict.host
        assert finding.verdict.suspicious or not finding.verdict.official


def test_suffixes_come_from_the_bundled_snapshot_only(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("look-alike detection must not touch the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    fresh = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    assert fresh("binance.com.co").suffix == "com.co"
    lookalike._parts.cache_clear()
    assert check_host("shop.binance.co.uk", OFFICIAL).reasons == ("lookalike_tld",)
