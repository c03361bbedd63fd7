"""Every write to accounts goes through here: agents, teams, customers, tokens, portal codes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import (
    Agent,
    ApiToken,
    Customer,
    PortalCode,
    Role,
    Team,
    TeamMember,
    Tier,
)
from ledgerdesk.ai.guard.storage import guard_text
from ledgerdesk.channels.outgoing import QueuedMail, queue_customer_mail
from ledgerdesk.core import i18n
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.errors import Conflict, InvalidInput, NotAuthenticated, NotFound, NotPermitted
from ledgerdesk.core.settings import get_settings
from ledgerdesk.core.text import clean, has_control

_hasher = PasswordHasher()
# Verified against when the e-mail is unknown, so timing does not reveal which agents exist.
_DUMMY_HASH = _hasher.hash("ledgerdesk-timing-equaliser")
MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "ldk_"  # noqa: S105 - a public prefix, not a secret
MAX_CODE_ATTEMPTS = 5
_UNBOUND_CODES_TRIED = 3  # a guess without the browser's binding matches one of 3 codes at most


@dataclass(frozen=True)
class Actor:
    """Who is acting: an agent (with role and teams), a customer, or the system itself."""

    kind: str
    id: int | None = None
    role: Role | None = None
    team_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_agent(self) -> bool:
        return self.kind == "agent"

    @property
    def is_customer(self) -> bool:
        return self.kind == "customer"

    @property
    def sees_everything(self) -> bool:
        """Leads, admins and the system see every ticket; agents see their teams' work."""
        return self.kind == "system" or self.role in (Role.lead, Role.admin)


SYSTEM = Actor(kind="system")


def agent_actor(agent: Agent) -> Actor:
    return Actor(
        kind="agent", id=agent.id, role=agent.role, team_ids=frozenset(t.id for t in agent.teams)
    )


def customer_actor(customer: Customer) -> Actor:
    return Actor(kind="customer", id=customer.id)


def require_role(actor: Actor, *roles: Role) -> None:
    if actor.kind == "system":
        return
    if not actor.is_agent or actor.role not in roles:
        raise NotPermitted("This action needs the role: " + " or ".join(r.value for r in roles))


# --- passwords and agents ---------------------------------------------------------------


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"Password must be at least {MIN_PASSWORD_LENGTH} characters", field="password"
        )


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if (
        "@" not in email
        or len(email) > 320
        or email.startswith("@")
        or email.endswith("@")
        or has_control(email)
        or any(ch.isspace() for ch in email)
    ):
        raise InvalidInput("Not a valid e-mail address", field="email")
    return email


def do_create_agent(
    session: Session,
    actor: Actor,
    *,
    email: str,
    name: str,
    password: str,
    role: Role = Role.agent,
    locale: str = "en",
) -> Agent:
    require_role(actor, Role.admin)
    email = normalise_email(email)
    check_password_strength(password)
    if session.scalar(select(Agent.id).where(Agent.email == email)) is not None:
        raise Conflict(f"An agent with e-mail {email} already exists", field="email")
    agent = Agent(
        email=email,
        name=name.strip() or email,
        password_hash=hash_password(password),
        role=role,
        locale=locale,
    )
    session.add(agent)
    session.flush()
    return agent


def authenticate_agent(session: Session, email: str, password: str) -> Agent:
    """The active agent with these credentials, or ``NotAuthenticated``."""
    try:
        address = normalise_email(email)
    except InvalidInput:
        address = ""
    agent = session.scalar(select(Agent).where(Agent.email == address)) if address else None
    try:
        _hasher.verify(agent.password_hash if agent else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        raise NotAuthenticated("Wrong e-mail or password") from None
    if agent is None or not agent.active:
        raise NotAuthenticated("Wrong e-mail or password")
    if _hasher.check_needs_rehash(agent.password_hash):
        agent.password_hash = hash_password(password)
    return agent


def get_agent(session: Session, agent_id: int) -> Agent:
    agent = session.get(Agent, agent_id)
    if agent is None:
        raise NotFound(f"Agent {agent_id} not found")
    return agent


def find_active_agent(session: Session, agent_id: int) -> Agent | None:
    agent = session.get(Agent, agent_id)
    return agent if agent is not None and agent.active else None


def list_agents(session: Session) -> list[Agent]:
    return list(session.scalars(select(Agent).where(Agent.active).order_by(Agent.name)))


# --- teams ------------------------------------------------------------------------------


def do_create_team(session: Session, actor: Actor, *, name: str, tier: Tier = Tier.l1) -> Team:
    require_role(actor, Role.admin, Role.lead)
    name = clean(name).strip()[:120]
    if not name:
        raise InvalidInput("Team name is required", field="name")
    if session.scalar(select(Team.id).where(Team.name == name)) is not None:
        raise Conflict(f"A team named {name} already exists", field="name")
    team = Team(name=name, tier=tier)
    session.add(team)
    session.flush()
    return team


def do_add_team_member(session: Session, actor: Actor, team: Team, agent: Agent) -> None:
    require_role(actor, Role.admin, Role.lead)
    exists = session.get(TeamMember, (team.id, agent.id))
    if exists is None:
        session.add(TeamMember(team_id=team.id, agent_id=agent.id))
        session.flush()
        session.expire(agent, ["teams"])
        session.expire(team, ["members"])


def get_team(session: Session, team_id: int) -> Team:
    team = session.get(Team, team_id)
    if team is None:
        raise NotFound(f"Team {team_id} not found")
    return team


def list_teams(session: Session) -> list[Team]:
    return list(session.scalars(select(Team).order_by(Team.name)))


# --- customers --------------------------------------------------------------------------


def do_upsert_customer(
    session: Session,
    *,
    email: str,
    external_id: str | None = None,
    name: str = "",
    locale: str | None = None,
    vip: bool | None = None,
) -> Customer:
    """The customer with this external id or e-mail, created or updated from the exchange."""
    email = normalise_email(email)
    # Guarded before they are cut to size: a cut can hide a seed phrase from the guard.
    name = guard_text(clean(name))[:200]
    external_id = guard_text(clean(external_id).strip())[:128] if external_id else None
    locale = i18n.normalise_locale(clean(locale)) if locale else None
    customer = _find_customer(session, email, external_id)
    if customer is None:
        fresh = Customer(
            external_id=external_id or f"email:{email}",
            email=email,
            name=name.strip(),
            locale=locale or "en",
            vip=bool(vip),
        )
        try:
            # A savepoint: when another request creates the same customer at the same moment,
            # only this insert is undone and the winner's row is used instead.
            with session.begin_nested():
                session.add(fresh)
        except IntegrityError:
            customer = _find_customer(session, email, external_id)
            if customer is None:
                raise Conflict("This customer's e-mail or id belongs to someone else") from None
        else:
            return fresh
    if name.strip():
        customer.name = name.strip()
    if locale:
        customer.locale = locale
    if vip is not None:
        customer.vip = vip
    return customer


def _find_customer(session: Session, email: str, external_id: str | None) -> Customer | None:
    customer = None
    if external_id:
        customer = session.scalar(select(Customer).where(Customer.external_id == external_id))
    if customer is None:
        customer = session.scalar(select(Customer).where(Customer.email == email))
    return customer


def get_customer(session: Session, customer_id: int) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"Customer {customer_id} not found")
    return customer


def find_customer(session: Session, customer_id: int) -> Customer | None:
    return session.get(Customer, customer_id)


def find_customer_by_email(session: Session, email: str) -> Customer | None:
    try:
        address = normalise_email(email)
    except InvalidInput:
        return None
    return session.scalar(select(Customer).where(Customer.email == address))


def mail_locale(customer: Customer) -> str:
    """The supported language to write to ``customer`` in (their exchange locale may be
    ``zh_CN``, ``zh-Hans`` or one we do not have)."""
    return i18n.normalise_locale(customer.locale) or "en"


# --- API tokens -------------------------------------------------------------------------


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def do_create_api_token(
    session: Session, actor: Actor, agent: Agent, name: str, expires_at: datetime | None = None
) -> str:
    """Create a token for ``agent`` and return it; this is the only time it is visible."""
    return add_api_token(session, actor, agent, name, expires_at)[0]


def add_api_token(
    session: Session, actor: Actor, agent: Agent, name: str, expires_at: datetime | None = None
) -> tuple[str, ApiToken]:
    """The new token and its row. The name is a guarded column, so the secret guard cleans
    it on assignment (accounts/tokens.py lists, revokes and logs tokens)."""
    if actor.kind != "system" and actor.id != agent.id:
        require_role(actor, Role.admin)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        agent_id=agent.id,
        name=clean(name).strip() or "token",
        token_hash=_sha256(token),
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    return token, row


def authenticate_token(session: Session, token: str) -> Agent:
    """The active agent owning ``token`` (one query for token and agent together)."""
    row = session.execute(
        select(ApiToken, Agent)
        .join(Agent, Agent.id == ApiToken.agent_id)
        .where(
            ApiToken.token_hash == _sha256(token),
            ApiToken.revoked.is_(False),
            Agent.active.is_(True),
        )
    ).first()
    now = utcnow()
    if row is None or (row[0].expires_at is not None and row[0].expires_at <= now):
        raise NotAuthenticated("Invalid, expired or revoked API token")
    api_token, agent = row
    # Written at most once a minute, so a busy integration does not turn reads into writes.
    if api_token.last_used_at is None or now - api_token.last_used_at > timedelta(minutes=1):
        api_token.last_used_at = now
    return agent


# --- portal one-time codes --------------------------------------------------------------


@dataclass(frozen=True)
class IssuedCode:
    code: str
    email: str  # normalised
    id: int  # the row: the browser that asked keeps it, so only it can use up the code's tries


def do_issue_portal_code(
    session: Session, email: str, ttl_seconds: int, *, locale: str = "en"
) -> str:
    """A fresh 6-digit code for ``email`` (see ``do_issue_bound_portal_code``)."""
    return do_issue_bound_portal_code(session, email, ttl_seconds, locale=locale).code


def do_issue_bound_portal_code(
    session: Session, email: str, ttl_seconds: int, *, locale: str = "en", replaces: int = 0
) -> IssuedCode:
    """A fresh 6-digit code for ``email``, e-mailed (in ``locale``) once this commits.

    Only the code ``replaces`` (the one this browser asked for before) stops working: codes
    asked for elsewhere stay valid, so a stranger asking for codes for someone's address
    cannot void the code that person is about to type."""
    email = normalise_email(email)
    now = utcnow()
    old = session.get(PortalCode, replaces) if replaces else None
    if old is not None and old.email == email and old.used_at is None:
        old.used_at = now
    code = f"{secrets.randbelow(1_000_000):06d}"
    expires_at = now + timedelta(seconds=ttl_seconds)
    row = PortalCode(email=email, code_hash=_sha256(email + ":" + code), expires_at=expires_at)
    session.add(row)
    session.flush()
    _queue_portal_code_mail(session, email, code, expires_at, ttl_seconds, locale)
    return IssuedCode(code=code, email=email, id=row.id)


def _queue_portal_code_mail(
    session: Session, email: str, code: str, expires_at: datetime, ttl_seconds: int, locale: str
) -> None:
    # Addressed by e-mail, not customer id: the address may not belong to a customer yet. The
    # mail job looks the customer up when it sends, so a known customer sees their code line.
    locale = i18n.normalise_locale(locale) or "en"
    _ = i18n.translations(locale).ugettext
    subject = _("Your %(platform)s sign-in code") % {"platform": get_settings().platform_name}
    text = "\n\n".join(
        (
            _("Your sign-in code is %(code)s. It expires in %(minutes)s minutes.")
            % {"code": code, "minutes": max(1, ttl_seconds // 60)},
            _(
                "If you did not ask for it, ignore this e-mail. Never give this code to "
                "anyone: our staff will never ask for it."
            ),
        )
    )
    queue_customer_mail(
        session,
        QueuedMail(
            kind="portal_code",
            subject=subject,
            text=text,
            to=email,
            locale=locale,
            valid_until=expires_at,
        ),
    )


def do_redeem_portal_code(
    session: Session,
    email: str,
    code: str,
    *,
    bound_id: int = 0,
    max_attempts: int = 0,
    locale: str | None = None,
) -> Customer | None:
    """The customer for a valid code (created on first sign-in), or ``None`` for a wrong one;
    with ``locale`` (the portal's language at sign-in) the customer is written to in it.

    With ``bound_id`` (the code this browser asked for) only that code is tried, and a wrong
    code uses up one of its ``max_attempts`` tries (``MAX_CODE_ATTEMPTS`` by default): the
    caller commits that count before refusing. Without it, the newest live codes of the e-mail
    are tried and a wrong one changes nothing, so it cannot use up someone else's code: the
    caller limits those guesses. No live code (expired, used, out of tries) raises.
    """
    email = normalise_email(email)
    now = utcnow()
    if bound_id:
        row = session.get(PortalCode, bound_id)
        live = [row] if row is not None and row.email == email else []
    else:
        live = list(
            session.scalars(
                select(PortalCode)
                .where(PortalCode.email == email, PortalCode.used_at.is_(None))
                .order_by(PortalCode.id.desc())
                .limit(_UNBOUND_CODES_TRIED)
            )
        )
    tries = max_attempts or MAX_CODE_ATTEMPTS
    live = [r for r in live if r.used_at is None and r.expires_at >= now and r.attempts < tries]
    if not live:
        raise NotAuthenticated("This code has expired. Ask for a new one.")
    for row in live:
        if hmac.compare_digest(row.code_hash, _sha256(email + ":" + code.strip())):
            row.used_at = now
            return do_upsert_customer(session, email=email, locale=locale)
    if bound_id:
        live[0].attempts += 1
    return None


# --- anti-phishing code -----------------------------------------------------------------

ANTI_PHISHING_MIN_LENGTH = 4
ANTI_PHISHING_MAX_LENGTH = 20


class BadAntiPhishingCode(InvalidInput):
    """A refused anti-phishing code. ``template`` and ``params`` let a page say why in the
    reader's language; ``message`` is the same in English."""

    def __init__(self, template: str, **params: str | int) -> None:
        super().__init__(template % params, field="anti_phishing_code")
        self.template = template
        self.params = params


def check_anti_phishing_code(code: str, email: str) -> str:
    """The code as it will be stored (surrounding spaces trimmed, Unicode NFC), or
    ``BadAntiPhishingCode`` naming the rule it breaks."""
    code = unicodedata.normalize("NFC", code.strip())
    if len(code) > ANTI_PHISHING_MAX_LENGTH:
        raise BadAntiPhishingCode(
            "The anti-phishing code can be at most %(max)s characters long; this one has "
            "%(length)s.",
            max=ANTI_PHISHING_MAX_LENGTH,
            length=len(code),
        )
    if len(code) < ANTI_PHISHING_MIN_LENGTH:
        raise BadAntiPhishingCode(
            "The anti-phishing code must be at least %(min)s characters long.",
            min=ANTI_PHISHING_MIN_LENGTH,
        )
    _check_code_characters(code)
    _check_not_email_name(code, email)
    _check_not_trivial_digits(code)
    return code


def _show(ch: str) -> str:
    if ch.isprintable() and not unicodedata.category(ch).startswith("M"):
        return f"'{ch}'"
    return f"U+{ord(ch):04X}"


def _check_code_characters(code: str) -> None:
    previous = ""
    for ch in code:
        category = unicodedata.category(ch)
        if ch.isspace():
            raise BadAntiPhishingCode(
                "The anti-phishing code cannot contain spaces or line breaks."
            )
        if category.startswith("C"):
            # Bidi overrides (U+202E) and zero-width characters make a code read differently
            # from what it is; control characters have no business in an e-mail line.
            raise BadAntiPhishingCode(
                "The anti-phishing code cannot contain invisible or text-direction "
                "characters (found %(char)s).",
                char=_show(ch),
            )
        # Combining marks are part of letters in many scripts, but only after a letter.
        mark_ok = category.startswith("M") and previous[:1] in ("L", "M")
        if not (category.startswith("L") or category == "Nd" or ch in "-_" or mark_ok):
            raise BadAntiPhishingCode(
                "The anti-phishing code can contain only letters, digits, '-' and '_' "
                "(not %(char)s).",
                char=_show(ch),
            )
        previous = category
    if all(ch in "-_" for ch in code):
        raise BadAntiPhishingCode("The anti-phishing code must contain a letter or a digit.")


def _check_not_email_name(code: str, email: str) -> None:
    local = email.partition("@")[0].partition("+")[0].casefold()
    name = "".join(ch for ch in local if ch.isalnum())
    plain = "".join(ch for ch in code.casefold() if ch.isalnum())
    # A name of one or two letters is inside too many good codes to forbid.
    if name and (plain == name or (len(name) >= 3 and name in plain)):
        raise BadAntiPhishingCode(
            "The anti-phishing code must not contain the name part of your e-mail address "
            "(%(name)s): anyone who has an e-mail from you could guess it.",
            name=local,
        )


def _check_not_trivial_digits(code: str) -> None:
    if not all(unicodedata.category(ch) == "Nd" for ch in code):
        return
    steps = {b - a for a, b in pairwise(unicodedata.decimal(ch) for ch in code)}
    if steps == {0}:
        raise BadAntiPhishingCode(
            "The anti-phishing code cannot be one digit repeated (like 1111): it is among "
            "the first codes anyone would try."
        )
    if steps in ({1}, {-1}):
        raise BadAntiPhishingCode(
            "The anti-phishing code cannot be a run of consecutive digits (like 1234 or "
            "4321): it is among the first codes anyone would try."
        )


def _require_self_or_admin(actor: Actor, customer: Customer) -> None:
    if actor.is_customer:
        if actor.id != customer.id:
            raise NotPermitted("Customers can change only their own anti-phishing code")
        return
    if actor.kind != "system" and actor.role != Role.admin:
        raise NotPermitted("Only the customer or an admin can change an anti-phishing code")


def do_set_anti_phishing_code(
    session: Session, actor: Actor, customer: Customer, code: str | None
) -> Customer:
    """Set, change or (with ``None``) remove ``customer``'s anti-phishing code, and queue the
    e-mail that tells them. Only the customer themself or an admin may; setting the code the
    customer already has changes nothing and sends nothing."""
    _require_self_or_admin(actor, customer)
    new = None if code is None else check_anti_phishing_code(code, customer.email)
    old = customer.anti_phishing_code
    if new == old:
        return customer
    change = "removed" if new is None else ("set" if old is None else "changed")
    customer.anti_phishing_code = new
    customer.anti_phishing_code_set_at = utcnow()
    session.flush()
    # accounts keeps no event log; the timestamp above and this e-mail are the record.
    _queue_code_notice(session, customer, change, customer.anti_phishing_code_set_at)
    return customer


_NOTICE_SUBJECTS = {
    "set": "Your %(platform)s anti-phishing code was set",
    "changed": "Your %(platform)s anti-phishing code was changed",
    "removed": "Your %(platform)s anti-phishing code was removed",
}
_NOTICE_FIRST_LINES = {
    "set": "Your %(platform)s anti-phishing code was set at %(time)s.",
    "changed": "Your %(platform)s anti-phishing code was changed at %(time)s.",
    "removed": "Your %(platform)s anti-phishing code was removed at %(time)s.",
}


def _queue_code_notice(session: Session, customer: Customer, change: str, at: datetime) -> None:
    settings = get_settings()
    _ = i18n.translations(mail_locale(customer)).ugettext
    site = settings.resolved_public_url
    values = {"platform": settings.platform_name, "time": at.strftime("%Y-%m-%d %H:%M:%S UTC")}
    if change == "removed":
        effect = _(
            "Our e-mails no longer show an anti-phishing code. You can set a new one at "
            "any time at %(url)s."
        ) % {"url": site + "/portal/security"}
    else:
        effect = _(
            "From now on every genuine e-mail from us shows this code at the top. An e-mail "
            "without it, or with another code, is not from us: do not open its links."
        )
    paragraphs = [_(_NOTICE_FIRST_LINES[change]) % values, effect, _not_you(_, site)]
    if settings.official_domains:
        paragraphs.append(
            _("Our official websites: %(domains)s")
            % {"domains": ", ".join(settings.official_domains)}
        )
    queue_customer_mail(
        session,
        QueuedMail(
            kind=f"anti_phishing_{change}",
            subject=_(_NOTICE_SUBJECTS[change]) % values,
            text="\n\n".join(paragraphs),
            customer_id=customer.id,
        ),
    )


def _not_you(_: Callable[[str], str], site: str) -> str:
    return _(
        "If this was not you, someone may have access to your account: type %(url)s into "
        "your browser yourself (do not follow links in e-mails), sign in, open a request and "
        "tell us. We will never ask for your password, 2FA codes, seed phrase or private keys."
    ) % {"url": site + "/portal"}
