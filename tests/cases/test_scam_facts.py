"""Tx facts of a scam report, fetched through the chain adapters from a real local EVM chain
(py-evm through eth-tester, served over HTTP): a native transfer and an ERC-20 transfer to the
scammer's address, a hash the chain does not know, and a node that does not answer (recorded,
never blocking). The job is safe to run twice."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from ledgerdesk.accounts.services import customer_actor
from ledgerdesk.cases import register
from ledgerdesk.cases.models import Case
from ledgerdesk.cases.scam import ScamReportIn, check_report, do_file_scam_report
from ledgerdesk.cases.scam_facts import do_fetch_tx_facts, tx_fact, tx_facts_job
from ledgerdesk.cases.scam_panel import scam_panel
from ledgerdesk.chain.adapters import evm
from ledgerdesk.chain.devnode import DevNode
from ledgerdesk.chain.registry import Network, Registry, load_registry
from ledgerdesk.chain.transport import final_cache, reset_breakers
from ledgerdesk.chain.types import ChainAdapter
from tests.conftest import make_customer

CHAIN_ID = 1337


def closed_port() -> int:
    """A local port nothing listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def devnode() -> Iterator[DevNode]:
    node = DevNode(chain_id=CHAIN_ID)
    node.serve()
    yield node
    node.stop()


@pytest.fixture(autouse=True)
def _fresh_node_state() -> Iterator[None]:
    reset_breakers()
    final_cache.clear()
    evm.reset_caches()
    yield
    reset_breakers()
    final_cache.clear()
    evm.reset_caches()


def _registry(tmp_path: Path, url: str, token: str, dead_url: str) -> Registry:
    """The local chain as network ``scamnet`` (with its token as USDT) and a network whose
    node does not answer."""
    path = tmp_path / "networks.yaml"
    path.write_text(
        f"""
networks:
  - id: scamnet
    name_en: Local test chain
    name_zh: 本地测试链
    family: evm
    chain_id: {CHAIN_ID}
    testnet: true
    native: {{symbol: ETH, decimals: 18, min_deposit: "0.001"}}
    block_time_seconds: 2
    confirmations: {{credit: 1, unlock: 2}}
    memo_required: false
    node: {{kind: evm, url: "{url}", allow_private: true}}
    tokens:
      - {{symbol: USDT, contract: "{token}", decimals: 6, min_deposit: "1"}}
  - id: deadnet
    name_en: Unreachable chain
    name_zh: 无法连接的链
    family: evm
    chain_id: 31337
    testnet: true
    native: {{symbol: ETH, decimals: 18, min_deposit: "0.001"}}
    block_time_seconds: 2
    confirmations: {{credit: 1, unlock: 2}}
    memo_required: false
    node: {{kind: evm, url: "{dead_url}", allow_private: true, timeout: 1}}
""",
        encoding="utf-8",
    )
    return load_registry(path)


def _case(session: Session, registry: Registry, txs: list[tuple[str, str]], scammer: str) -> Case:
    customer = make_customer(session)
    form = ScamReportIn(
        scam_type="investment",
        happened_on="2026-02-01",
        story="A trading 'mentor' had me send ETH and USDT to a platform that will not pay out.",
        tx_hashes=txs,
        addresses=[("scamnet", scammer)],
    )
    details = check_report(registry, form, date(2026, 2, 2))
    return do_file_scam_report(
        session, customer_actor(customer), customer, details, [], locale="en"
    )


def test_facts_come_from_the_chain_and_failures_are_recorded(
    db_session: Session, devnode: DevNode, tmp_path: Path
) -> None:
    token = devnode.deploy_token("USDT", 6)
    scammer = devnode.accounts[7]
    native = devnode.send_native(scammer, 2 * 10**18)
    tokens = devnode.send_token(token, scammer, 1_500_250_000)
    devnode.mine(2)
    unknown = "0x" + "12" * 32
    dead = f"http://127.0.0.1:{closed_port()}"
    registry = _registry(tmp_path, devnode.url, token, dead)
    txs = [("scamnet", native), ("scamnet", tokens), ("scamnet", unknown), ("deadnet", native)]
    case = _case(db_session, registry, txs, scammer.lower())

    facts = do_fetch_tx_facts(db_session, case, registry)

    first, second, third, fourth = facts
    assert (first["found"], first["status"]) == (True, "success")
    assert first["confirmations"] is not None and first["confirmations"] >= 3
    assert first["transfers"] == [
        {
            "asset": "native",
            "from": devnode.accounts[0],
            "to": scammer,
            "amount_raw": str(2 * 10**18),
            "symbol": "ETH",
            "amount": "2",
        }
    ]
    assert second["transfers"][0]["symbol"] == "USDT"
    assert second["transfers"][0]["amount"] == "1500.25"
    assert second["transfers"][0]["to"] == scammer
    assert (third["found"], third["status"], third["transfers"]) == (False, "not_found", [])
    assert fourth["error"] == "unreachable" and "found" not in fourth
    assert case.details["tx_facts"] == facts
    last = register.steps(db_session, case)[-1]
    assert (last.step, last.actor_type) == ("evidence_added", "system")
    assert last.detail == {"source": "chain", "transactions": 4, "found": 2, "failed": 1}

    # The panel marks the transfers that went to the address the customer reported.
    panel = scam_panel(db_session, case)
    assert [t["to_reported"] for t in panel["scam_facts"][0]["transfers"]] == [True]

    # The job does not look the transactions up again once they have their facts.
    before = len(register.steps(db_session, case))
    tx_facts_job(db_session, {"case_id": case.id})
    tx_facts_job(db_session, {"case_id": 10**9})  # gone: nothing happens
    assert len(register.steps(db_session, case)) == before


def _no_adapter(network: Network) -> ChainAdapter:
    raise AssertionError(f"no node may be asked for {network.id}")


def test_a_network_no_longer_configured_is_recorded() -> None:
    fact = tx_fact(None, "retired-net", "0x" + "ab" * 32, _no_adapter)
    assert fact["error"] == "unknown_network" and fact["network"] == "retired-net"


def test_an_agent_asks_for_the_look_up_again(db_session: Session) -> None:
    from sqlalchemy import select

    from ledgerdesk.accounts.models import Role
    from ledgerdesk.cases.scam_facts import do_request_tx_facts
    from ledgerdesk.chain.registry import get_registry
    from ledgerdesk.core.errors import InvalidInput, NotPermitted
    from ledgerdesk.jobs.models import OutboxEntry
    from tests.conftest import actor_of, make_agent

    customer = make_customer(db_session)
    form = ScamReportIn(
        scam_type="phishing_site",
        happened_on="2026-02-01",
        story="A fake login page.",
        tx_hashes=[("ethereum", "0x" + "ab" * 32)],  # the shipped registry has no node for it
    )
    details = check_report(get_registry(), form, date(2026, 2, 2))
    case = do_file_scam_report(
        db_session, customer_actor(customer), customer, details, [], locale="en"
    )
    tx_facts_job(db_session, {"case_id": case.id})
    (fact,) = case.details["tx_facts"]
    assert fact["error"] == "not_configured"
    tx_facts_job(db_session, {"case_id": case.id})  # facts there: not asked again
    assert case.details["tx_facts"][0]["checked_at"] == fact["checked_at"]

    agent = actor_of(make_agent(db_session, Role.lead))
    do_request_tx_facts(db_session, agent, case)
    assert register.steps(db_session, case)[-1].step == "tx_facts_requested"
    queued = db_session.scalars(
        select(OutboxEntry).where(OutboxEntry.topic == "cases.scam_tx_facts")
    ).all()
    payload = next(
        j.payload for j in queued if j.payload["case_id"] == case.id and "since" in j.payload
    )
    tx_facts_job(db_session, payload)
    assert case.details["tx_facts"][0]["checked_at"] > fact["checked_at"]
    tx_facts_job(db_session, payload)  # the same request twice: one look-up
    assert [s.step for s in register.steps(db_session, case)].count("evidence_added") == 2

    with pytest.raises(NotPermitted):
        do_request_tx_facts(db_session, customer_actor(customer), case)
    case.details = {**case.details, "tx_hashes": []}
    with pytest.raises(InvalidInput):
        do_request_tx_facts(db_session, agent, case)
