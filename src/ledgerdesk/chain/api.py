"""Self-service deposit and withdrawal checks and the network registry under /api/v1.

Anyone may check a deposit (rate-limited per client address); signed-in customers get the
account-aware answer, and agents may check on a customer's behalf. Withdrawal checks need
the customer: they read the exchange's records.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import APIRouter, Request

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.models import Customer
from ledgerdesk.accounts.services import Actor
from ledgerdesk.chain import services as svc
from ledgerdesk.chain.registry import get_registry
from ledgerdesk.chain.schemas import (
    AssetPublic,
    CheckPublic,
    DepositCheckIn,
    NetworkList,
    NetworkPublic,
    WithdrawalCheckIn,
)
from ledgerdesk.core.errors import DomainError, NotAuthenticated, NotFound, NotPermitted
from ledgerdesk.core.i18n import get_locale
from ledgerdesk.web.clientip import client_address
from ledgerdesk.web.deps import Db, OptionalActor
from ledgerdesk.web.messages import translate_message
from ledgerdesk.web.openapi import RATE_LIMITED

router = APIRouter(prefix="/api/v1", tags=["self-service"])


def _customer(db: Db, actor: Actor | None, customer_id: int | None) -> Customer | None:
    """Whose account the check reads: the signed-in customer's, or (agents only) the one
    named by ``customer_id``."""
    if customer_id is not None:
        if actor is None or not actor.is_agent:
            raise NotPermitted("Only agents can check on behalf of a customer")
        customer = accounts.get_customer(db, customer_id)
        if customer is None:
            raise NotFound(f"Customer {customer_id} does not exist")
        return customer
    if actor is not None and actor.is_customer:
        return accounts.get_customer(db, actor.id or 0)
    return None


def _limit(request: Request) -> None:
    settings = request.app.state.settings
    request.app.state.limiter.hit(
        settings.self_service_rate_limit, "self-service", client_address(request)
    )


@contextmanager
def _readers_language() -> Iterator[None]:
    """A refusal (bad input, no permission, unknown withdrawal) reads in the request's
    language; messages carry values (``'doge' is not…``), so they are matched, not looked up."""
    try:
        yield
    except DomainError as exc:
        exc.message = translate_message(exc.message)
        exc.args = (exc.message,)
        raise


@router.post("/self-service/deposit-check", responses=RATE_LIMITED)
def deposit_check(
    request: Request, db: Db, actor: OptionalActor, data: DepositCheckIn
) -> CheckPublic:
    """Why has this deposit not arrived? Answers from the chain and, for a known customer,
    from the exchange; opens a wallet-operations request when a person must act."""
    _limit(request)
    with _readers_language():
        customer = _customer(db, actor, data.customer_id)
        diagnosis = svc.diagnose_deposit(
            network=data.network, asset=data.asset, tx_hash=data.tx_hash, customer=customer
        )
    # The answer reads in the request's language, and so does a request it opens for the
    # customer (the portal's rule: the language they use is the one they are written in).
    result = svc.do_record_check(
        db, actor or accounts.SYSTEM, diagnosis, customer=customer, locale=get_locale()
    )
    db.commit()
    return CheckPublic(**result.to_json(get_locale()))


@router.post("/self-service/withdrawal-check", responses=RATE_LIMITED)
def withdrawal_check(
    request: Request, db: Db, actor: OptionalActor, data: WithdrawalCheckIn
) -> CheckPublic:
    """Where is this withdrawal? Processing, on a security hold (until when), sent (with its
    confirmations) or failed (why)."""
    _limit(request)
    with _readers_language():
        customer = _customer(db, actor, data.customer_id)
        if customer is None:
            raise NotAuthenticated("Sign in to check a withdrawal: it reads your account's records")
        diagnosis = svc.diagnose_withdrawal(customer=customer, reference=data.reference)
    assert actor is not None
    result = svc.do_record_check(db, actor, diagnosis, customer=customer, locale=get_locale())
    db.commit()
    return CheckPublic(**result.to_json(get_locale()))


@router.get("/chain/networks")
def networks() -> NetworkList:
    """The networks and assets the desk knows, with confirmations and minimum deposits."""
    lang = get_locale()
    items = [
        NetworkPublic(
            id=n.id,
            name=n.name(lang),
            family=n.family,
            testnet=n.testnet,
            memo_required=n.memo_required,
            block_time_seconds=n.block_time_seconds,
            checkable=n.node is not None,
            assets=[
                AssetPublic(
                    symbol=a.symbol,
                    contract=a.contract,
                    standard=a.standard,
                    decimals=a.decimals,
                    min_deposit=format(a.min_deposit.normalize(), "f"),
                    confirmations_to_credit=a.confirmations.credit,
                    confirmations_to_unlock=a.confirmations.unlock,
                )
                for a in n.assets
            ],
        )
        for n in get_registry().networks
    ]
    return NetworkList(items=items)
