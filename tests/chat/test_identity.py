"""Who is on the widget side: the exchange's signed token, or an e-mail address proven later
by a code; visitor tokens that expire and end."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta

import jwt
import pytest
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Customer
from ledgerdesk.chat import services as chat
from ledgerdesk.chat.identity import SignedIdentityOff
from ledgerdesk.chat.models import ChatVisitor
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.errors import Conflict, InvalidInput, NotAuthenticated
from tests.chat.support import SECRET, chat_settings, email_visitor, mailed_code, sign
from tests.conftest import make_customer, unique


@pytest.fixture
def signed_on() -> Iterator[str]:
    with chat_settings(LEDGERDESK_CHAT_JWT_SECRET=SECRET):
        yield SECRET


def test_signed_token_makes_a_verified_visitor_for_the_exchange_user(
    db_session: Session, signed_on: str
) -> None:
    user = unique("user")
    visitor, token = chat.identify_signed(
        db_session, sign({"sub": user, "email": "Ann.Signed@Example.com", "locale": "zh_CN"})
    )
    assert visitor.identity == "signed" and visitor.verified
    assert token.startswith("ldc_") and len(token) > 40
    customer = db_session.get(Customer, visitor.customer_id)
    assert customer is not None
    assert (customer.external_id, customer.email, customer.locale) == (
        user,
        "ann.signed@example.com",
        "zh-CN",
    )
    # The same user again is the same customer; the token is new each time.
    again, other = chat.identify_signed(db_session, sign({"sub": user, "email": customer.email}))
    assert again.customer_id == visitor.customer_id and other != token
    assert chat.visitor_from_token(db_session, token) == visitor
    # Only the hash is stored.
    row = db_session.get(ChatVisitor, visitor.id)
    assert row is not None and token not in row.token_hash and len(row.token_hash) == 64


def later(seconds: int) -> Callable[[], int]:
    """A claim's time, ``seconds`` after the moment the test runs."""
    return lambda: int(time.time()) + seconds


@pytest.mark.parametrize(
    ("claims", "headers", "secret", "message"),
    [
        ({"exp": later(-120)}, {}, SECRET, "has expired"),
        ({}, {}, "another-secret-" + "x" * 32, "signature does not match"),
        ({"sub": None}, {}, SECRET, "lacks the 'sub' claim"),
        ({"email": None}, {}, SECRET, "lacks the 'email' claim"),
        ({"iat": None}, {}, SECRET, "lacks the 'iat' claim"),
        ({"exp": None}, {}, SECRET, "lacks the 'exp' claim"),
        (
            {"iat": later(0), "exp": later(25 * 3600)},
            {},
            SECRET,
            "lives longer than 24 hours",
        ),
        ({"iat": later(3600)}, {}, SECRET, "not valid yet"),
        ({"iat": later(20), "exp": later(20)}, {}, SECRET, "not after"),
        ({"aud": "someone-else"}, {}, SECRET, "is not for 'ledgerdesk-chat'"),
        ({"email": "not-an-address"}, {}, SECRET, "'email' is not an e-mail address"),
        ({"sub": ""}, {}, SECRET, "'sub' must be a non-empty string"),
        ({"sub": "u" * 129}, {}, SECRET, "longer than 128 characters"),
        ({"name": ["x"]}, {}, SECRET, "'name' must be a string"),
    ],
)
def test_bad_signed_tokens_are_refused_with_the_reason(
    db_session: Session,
    signed_on: str,
    claims: dict[str, object],
    headers: dict[str, object],
    secret: str,
    message: str,
) -> None:
    # Times are taken when the test runs, not when it was collected (minutes earlier).
    claims = {k: v() if callable(v) else v for k, v in claims.items()}
    with pytest.raises(NotAuthenticated, match=message):
        chat.identify_signed(db_session, sign(claims, secret, **headers))


def test_alg_none_and_other_algorithms_are_refused(db_session: Session, signed_on: str) -> None:
    now = int(time.time())
    claims = {"sub": "u1", "email": "u1@example.com", "iat": now, "exp": now + 60}
    unsigned = jwt.encode(claims, None, algorithm="none")
    with pytest.raises(NotAuthenticated, match="must be signed with HS256"):
        chat.identify_signed(db_session, unsigned)
    hs512 = jwt.encode(claims, SECRET, algorithm="HS512")
    with pytest.raises(NotAuthenticated, match="must be signed with HS256"):
        chat.identify_signed(db_session, hs512)
    with pytest.raises(NotAuthenticated, match="not a well-formed JWT"):
        chat.identify_signed(db_session, "not.a.jwt")


def test_audience_is_checked_only_when_present(db_session: Session, signed_on: str) -> None:
    visitor, _ = chat.identify_signed(db_session, sign({"aud": ["x", "ledgerdesk-chat"]}))
    assert visitor.verified
    visitor, _ = chat.identify_signed(db_session, sign({"aud": None}))
    assert visitor.verified


def test_a_token_within_the_leeway_still_counts(db_session: Session, signed_on: str) -> None:
    now = int(time.time())
    visitor, _ = chat.identify_signed(db_session, sign({"iat": now - 600, "exp": now - 10}))
    assert visitor.verified


def test_signed_identity_off_without_a_secret(db_session: Session) -> None:
    with (
        chat_settings(LEDGERDESK_CHAT_JWT_SECRET=""),
        pytest.raises(SignedIdentityOff, match="does not accept signed chat tokens"),
    ):
        chat.identify_signed(db_session, sign())
    assert SignedIdentityOff.status_code == 400


def test_email_identity_is_unverified_and_never_changes_a_known_customer(
    db_session: Session,
) -> None:
    known = make_customer(db_session, name="Real Name", locale="en")
    visitor, _ = chat.identify_email(db_session, known.email.upper(), "Impostor", "zh-CN")
    assert visitor.customer_id == known.id and not visitor.verified
    assert (known.name, known.locale) == ("Real Name", "en")
    fresh, _ = chat.identify_email(db_session, f"{unique('new')}@example.com", "Li Lei", "zh")
    customer = db_session.get(Customer, fresh.customer_id)
    assert customer is not None and (customer.name, customer.locale) == ("Li Lei", "zh-CN")


def test_email_identity_guards_the_name(db_session: Session) -> None:
    phrase = "abandon ability able about above absent absorb abstract absurd abuse access accident"
    visitor, _ = chat.identify_email(db_session, f"{unique('g')}@example.com", phrase)
    customer = db_session.get(Customer, visitor.customer_id)
    assert customer is not None and "absorb" not in customer.name


def test_email_identity_refuses_bad_input(db_session: Session) -> None:
    with pytest.raises(InvalidInput, match="Not a valid e-mail address"):
        chat.identify_email(db_session, "no-at-sign")
    with pytest.raises(InvalidInput, match="Name is longer than 200"):
        chat.identify_email(db_session, "a@example.com", "n" * 201)


def test_visitor_tokens_unknown_missing_expired_and_revoked(db_session: Session) -> None:
    with pytest.raises(NotAuthenticated, match="Start the chat first"):
        chat.visitor_from_token(db_session, None)
    with pytest.raises(NotAuthenticated, match="expired or ended"):
        chat.visitor_from_token(db_session, "ldc_unknown")
    visitor, token = email_visitor(db_session)
    row = db_session.get(ChatVisitor, visitor.id)
    assert row is not None
    row.expires_at = utcnow() - timedelta(seconds=1)
    with pytest.raises(NotAuthenticated, match="expired or ended"):
        chat.visitor_from_token(db_session, token)
    row.expires_at = utcnow() + timedelta(days=1)
    assert chat.visitor_from_token(db_session, token) == visitor
    row.revoked_at = utcnow()
    with pytest.raises(NotAuthenticated, match="expired or ended"):
        chat.visitor_from_token(db_session, token)


def test_visitor_token_lifetime_follows_the_setting(db_session: Session) -> None:
    with chat_settings(LEDGERDESK_CHAT_VISITOR_DAYS="2"):
        visitor, _ = email_visitor(db_session)
    row = db_session.get(ChatVisitor, visitor.id)
    assert row is not None
    assert timedelta(days=2) - timedelta(seconds=5) < row.expires_at - row.created_at
    assert row.expires_at - row.created_at <= timedelta(days=2)


def test_verification_by_e_mailed_code(db_session: Session) -> None:
    visitor, token = email_visitor(db_session)
    customer = db_session.get(Customer, visitor.customer_id)
    assert customer is not None
    code_id = chat.start_verification(db_session, visitor, "en")
    code = mailed_code(db_session, customer.email)
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(NotAuthenticated, match="Wrong code"):
        chat.verify(db_session, visitor, wrong)
    with pytest.raises(InvalidInput, match="6 digits"):
        chat.verify(db_session, visitor, "12ab")
    verified = chat.verify(db_session, visitor, code)
    assert verified.verified and verified.id == visitor.id
    assert chat.visitor_from_token(db_session, token).verified
    row = db_session.get(ChatVisitor, visitor.id)
    assert row is not None and row.pending_code_id is None and code_id > 0
    with pytest.raises(Conflict, match="already verified"):
        chat.start_verification(db_session, verified, "en")


def test_a_newer_code_voids_this_visitors_older_one(db_session: Session) -> None:
    visitor, _ = email_visitor(db_session)
    customer = db_session.get(Customer, visitor.customer_id)
    assert customer is not None
    chat.start_verification(db_session, visitor, "en")
    first = mailed_code(db_session, customer.email)
    chat.start_verification(db_session, visitor, "zh-CN")
    second = mailed_code(db_session, customer.email)
    if first != second:
        with pytest.raises(NotAuthenticated):
            chat.verify(db_session, visitor, first)
    assert chat.verify(db_session, visitor, second).verified


def test_another_visitors_code_does_not_verify_this_one(db_session: Session) -> None:
    email = f"{unique('shared')}@example.com"
    mine, _ = email_visitor(db_session, email)
    theirs, _ = email_visitor(db_session, email)
    chat.start_verification(db_session, theirs, "en")
    code = mailed_code(db_session, email)
    with pytest.raises(InvalidInput, match="Ask for a code first"):
        chat.verify(db_session, mine, code)
    chat.start_verification(db_session, mine, "en")
    with pytest.raises(NotAuthenticated):
        chat.verify(db_session, mine, code)  # the other visitor's code, not bound to this one


def test_a_code_has_a_few_tries(db_session: Session) -> None:
    visitor, _ = email_visitor(db_session)
    customer = db_session.get(Customer, visitor.customer_id)
    assert customer is not None
    chat.start_verification(db_session, visitor, "en")
    code = mailed_code(db_session, customer.email)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(NotAuthenticated, match="Wrong code"):
            chat.verify(db_session, visitor, wrong)
    with pytest.raises(NotAuthenticated, match="expired"):
        chat.verify(db_session, visitor, code)


def test_visitor_actor_is_its_customer(db_session: Session) -> None:
    visitor, _ = email_visitor(db_session)
    actor = chat.visitor_actor(visitor)
    assert actor.is_customer and actor.id == visitor.customer_id
