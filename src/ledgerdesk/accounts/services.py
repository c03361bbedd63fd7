"""Who acts and who they are: the ``Actor`` every service checks, roles, agents (passwords,
sign-in), teams and customers. Writes to these go through the ``do_*`` functions here.

Sibling modules hold the rest of accounts: ``accounts.tokens`` (API tokens),
``accounts.portal_codes`` (portal sign-in codes), ``accounts.anti_phishing`` (the customer's
anti-phishing code), ``accounts.sessions``, ``accounts.totp``, ``accounts.agent_admin`` and
``accounts.security_log``."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Agent, Customer, Role, Team, TeamMember, Tier
from ledgerdesk.ai.guard.storage import guard_text
from ledgerdesk.core import i18n
from ledgerdesk.core.errors import Conflict, InvalidInput, NotAuthenticated, NotFound, NotPermitted
from ledgerdesk.core.text import clean, has_control

_hasher = PasswordHasher()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash to verify against when no account matches, so an unknown e-mail costs as long as
    a wrong password. Made on first use: hashing at import cost every command 0.14 s."""
    return _hasher.hash("ledgerdesk-timing-equaliser")


def warm_up() -> None:
    """Make the timing hash before a server takes sign-ins (its first unknown e-mail would
    otherwise take one hash longer)."""
    _dummy_hash()


MIN_PASSWORD_LENGTH = 10


@dataclass(frozen=True)
class Actor:
    """Who is acting: an agent (with role and teams), a customer, the system itself, or the
    assistant (which acts on the tickets it was given, like the system)."""

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
        return self.kind in ("system", "assistant") or self.role in (Role.lead, Role.admin)


SYSTEM = Actor(kind="system")
ASSISTANT = Actor(kind="assistant")


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
        if set(roles) == {Role.admin}:
            raise NotPermitted("Only an admin can do this")
        if set(roles) == {Role.lead, Role.admin}:
            raise NotPermitted("Only a team lead or an admin can do this")
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
        _hasher.verify(agent.password_hash if agent else _dummy_hash(), password)
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
    # Only what differs is assigned: an assignment of a guarded column scans it again.
    if name.strip() and customer.name != name.strip():
        customer.name = name.strip()
    if locale and customer.locale != locale:
        customer.locale = locale
    if vip is not None and customer.vip != vip:
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
