"""The demo world `make run` starts beside the desk: the local chains of the registry's
devnet networks and the demo exchange, with the deposits of ``data/demo/chain_world.json``
made on those chains and recorded (or not) by the exchange.

Everything here is in memory and made again on every start; the desk's own database is not
touched, so nothing rewrites the demo desk's history.
"""

from __future__ import annotations

import errno
import json
import secrets
import socket
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ledgerdesk.chain.devnode import DevNode
from ledgerdesk.chain.registry import Network, Registry
from ledgerdesk.core.paths import shipped_data_dir
from ledgerdesk.exchange.demo import ChatEmbed, RunningService, start_demo_exchange
from ledgerdesk.exchange.demo_state import DemoExchange

DEMO_KEY_ID = "demo-desk"


class PortInUseError(RuntimeError):
    """A port the demo world needs is taken (another ``make run``, or another program)."""


@dataclass(frozen=True)
class DemoDeposit:
    """One transaction a newcomer can paste into the deposit check."""

    name: str
    network: str
    asset: str
    tx_hash: str
    expect: str  # the verdict for the demo customer, signed in
    expect_signed_out: str
    text: dict[str, str]  # what it is, per language


@dataclass
class DemoWorld:
    nodes: dict[str, DevNode]
    exchange: DemoExchange
    exchange_service: RunningService
    secret: str
    customer: str
    deposits: list[DemoDeposit] = field(default_factory=list)
    withdrawal_tx: str | None = None

    @property
    def exchange_url(self) -> str:
        return self.exchange_service.url

    def node_urls(self) -> dict[str, str]:
        return {network: node.url for network, node in self.nodes.items()}

    def stop(self) -> None:
        self.exchange_service.stop()
        for node in self.nodes.values():
            node.stop()


def world_plan(path: Path | None = None) -> dict[str, Any]:
    path = path or shipped_data_dir() / "demo" / "chain_world.json"
    with path.open(encoding="utf-8") as handle:
        plan: dict[str, Any] = json.load(handle)
    return plan


def _devnets(registry: Registry) -> list[Network]:
    return [
        n
        for n in registry.networks
        if n.node is not None and n.node.kind == "evm" and n.id.startswith("devnet")
    ]


def _port(url: str) -> int:
    return urlsplit(url).port or 80


def _ensure_free(port: int, what: str, how_to_change: str) -> None:
    """Fail with a message that names the port and what needs it, before any work is done."""
    if port == 0:
        return
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
            raise PortInUseError(
                f"port {port} ({what}) is already in use on 127.0.0.1; stop the program using "
                f"it (another `make run`?) or {how_to_change}"
            ) from None


def _check_ports(registry: Registry, exchange_port: int, bind_registry_ports: bool) -> None:
    if bind_registry_ports:
        for network in _devnets(registry):
            assert network.node is not None
            _ensure_free(
                _port(network.node.url),
                f"the local chain {network.name('en')}",
                f"change the node URL of `{network.id}` in data/chain/devnet.yaml",
            )
    _ensure_free(
        exchange_port,
        "the demo exchange",
        "set LEDGERDESK_DEMO_EXCHANGE_PORT to a free port (0: any)",
    )


def start_demo_world(
    registry: Registry,
    *,
    exchange_port: int = 0,
    bind_registry_ports: bool = True,
    plan_path: Path | None = None,
    auto_mine: bool = True,
    chat: ChatEmbed | None = None,
) -> DemoWorld:
    """Start a local chain for each devnet network (on the port its registry URL names, or
    on a free port when ``bind_registry_ports`` is false, as tests do), make the planned
    transactions, and start the demo exchange (with ``chat``, its help page embeds the desk's
    chat widget for the plan's customer). Call ``stop()`` when done."""
    plan = world_plan(plan_path)
    _check_ports(registry, exchange_port, bind_registry_ports)
    nodes: dict[str, DevNode] = {}
    try:
        for network in _devnets(registry):
            assert network.node is not None
            nodes[network.id] = DevNode(chain_id=network.chain_id)
        exchange = DemoExchange.load()
        deposits, withdrawal_tx = _make_transactions(registry, nodes, exchange, plan)
        for network in _devnets(registry):
            node = nodes[network.id]
            # Blocks come at the network's own pace, like a real chain's.
            node.block_interval = network.block_time_seconds if auto_mine else None
            url = network.node.url  # type: ignore[union-attr]
            node.serve("127.0.0.1", _port(url) if bind_registry_ports else 0)
        secret = secrets.token_urlsafe(32)
        embed = replace(chat, customer_id=plan["customer"]) if chat is not None else None
        service = start_demo_exchange(
            exchange, port=exchange_port, key_id=DEMO_KEY_ID, secret=secret, chat=embed
        )
    except BaseException:
        for node in nodes.values():
            node.stop()
        raise
    return DemoWorld(nodes, exchange, service, secret, plan["customer"], deposits, withdrawal_tx)


def _make_transactions(
    registry: Registry,
    nodes: dict[str, DevNode],
    exchange: DemoExchange,
    plan: dict[str, Any],
) -> tuple[list[DemoDeposit], str | None]:
    customer = plan["customer"]
    tokens: dict[tuple[str, str], str] = {}
    for network_id, node in nodes.items():
        network = registry.network(network_id)
        assert network is not None
        for asset in network.assets:
            if asset.contract is not None:
                deployed = node.deploy_token(asset.symbol, asset.decimals)
                if deployed.lower() != asset.contract.lower():
                    raise RuntimeError(
                        f"{network_id}: {asset.symbol} deployed at {deployed}, but the registry "
                        f"says {asset.contract}; update data/chain/devnet.yaml"
                    )
                tokens[(network_id, asset.symbol)] = deployed
    # The withdrawal first: the deposits' confirmations are then exactly what the plan says.
    withdrawal = _withdrawal(nodes, exchange, customer, plan.get("withdrawal_sent"))
    made = [
        _deposit(registry, nodes, exchange, tokens, customer, item)
        for item in plan["deposits"]
        if item["network"] in nodes
    ]
    return made, withdrawal


def _deposit(
    registry: Registry,
    nodes: dict[str, DevNode],
    exchange: DemoExchange,
    tokens: dict[tuple[str, str], str],
    customer: str,
    item: dict[str, Any],
) -> DemoDeposit:
    network = registry.network(item["network"])
    assert network is not None
    asset = network.asset(item["asset"])
    assert asset is not None
    node = nodes[network.id]
    address = _recipient(exchange, customer, network.id, item["to"])
    sender = node.accounts[2]
    contract = tokens.get((network.id, asset.symbol))
    if item["amount"] == "fail":
        assert contract is not None
        tx_hash = node.send_failing(contract, address, sender=sender)
        amount = Decimal(0)
    else:
        amount = Decimal(item["amount"])
        raw = int(amount.scaleb(asset.decimals))
        if contract is None:
            tx_hash = node.send_native(address, raw, memo=item.get("memo"), sender=sender)
        else:
            node.send_token(contract, sender, raw)  # the deployer funds the sender first
            tx_hash = node.send_token(contract, address, raw, sender=sender)
    node.mine(int(item.get("mine_after", 1)))
    if item.get("exchange"):
        exchange.add_deposit(
            customer,
            asset.symbol,
            network.id,
            tx_hash,
            address,
            None,
            amount,
            item["exchange"],
        )
    return DemoDeposit(
        name=item["name"],
        network=network.id,
        asset=asset.symbol,
        tx_hash=tx_hash,
        expect=item["expect"],
        expect_signed_out=item["expect_signed_out"],
        text={"en": item["en"], "zh-CN": item["zh-CN"]},
    )


def _recipient(exchange: DemoExchange, customer: str, network: str, to: str) -> str:
    if to in ("customer", "shared"):
        found = exchange.deposit_addresses(customer, network=network)
        if not found:
            raise RuntimeError(f"the demo exchange has no {network} address for {customer}")
        return found[0].address
    return to


def _withdrawal(
    nodes: dict[str, DevNode],
    exchange: DemoExchange,
    customer: str,
    spec: dict[str, Any] | None,
) -> str | None:
    """Send the seeded 'sent' withdrawal on its chain and give the record that hash."""
    if not spec or spec["network"] not in nodes:
        return None
    node = nodes[spec["network"]]
    sent = [w for w in exchange.withdrawals(customer, limit=100) if w.status == "sent"]
    if not sent:
        return None
    record = sent[0]
    raw = int(Decimal(spec["amount"]).scaleb(18))
    tx_hash = node.send_native(record.address, raw, sender=node.accounts[3])
    node.mine(int(spec.get("mine_after", 1)))
    exchange.update_withdrawal(
        record.id, tx_hash=tx_hash, network=spec["network"], amount=Decimal(spec["amount"])
    )
    return tx_hash


def _email(world: DemoWorld) -> str:
    profile = world.exchange.customer(world.customer)
    return (profile.email if profile else None) or world.customer


def _wallet_agent() -> str | None:
    """A demo agent of the team the checks' requests go to (the first logins printed by
    ``ledgerdesk demo`` are not in it, so they would not see those requests)."""
    from ledgerdesk.demo.desk import demo_desk

    desk = demo_desk()
    wallet = desk.team("wallet")
    return next((a.email for a in desk.agents if wallet in a.teams), None)


def announce(world: DemoWorld, registry: Registry, desk_url: str) -> list[str]:
    """What ``ledgerdesk serve`` prints: where the chains and the exchange are, the
    transactions a newcomer can paste into the deposit check, and how to see the rest.

    Each transaction is one line ``  <network name>, <asset>: <tx hash>  <what it is>``; the
    network name is the one the check's form offers."""
    from ledgerdesk.demo.services import DEMO_PASSWORD

    names = {n.id: n.name("en") for n in registry.networks}
    lines = [
        "Demo chains: "
        + ", ".join(f"{names.get(n, n)} at {u}" for n, u in world.node_urls().items()),
        f"Demo exchange: {world.exchange_url}",
        f"Try the deposit check at {desk_url}/help/deposit-check: choose the network, type the "
        "asset and paste one of these transaction IDs:",
    ]
    labels = [f"{names.get(d.network, d.network)}, {d.asset}:" for d in world.deposits]
    width = max(map(len, labels), default=0)
    for label, deposit in zip(labels, world.deposits, strict=True):
        lines.append(f"  {label:<{width}} {deposit.tx_hash}  {deposit.text['en']}")
    withdrawals = world.exchange.withdrawals(world.customer, limit=100)
    lines.append(
        f"Sign in to the portal ({desk_url}/portal/checks) as {_email(world)} (the sign-in code "
        f"appears in this log): the same checks then compare with the account of exchange "
        f"customer {world.customer}, open requests when a person must act, and find its "
        "withdrawals: " + ", ".join(f"{w.id} ({w.status.replace('_', ' ')})" for w in withdrawals)
    )
    lines.append(
        f"The exchange's help page with the desk's chat widget: {world.exchange_url}/ (signed "
        f"in as {world.customer}; {world.exchange_url}/?guest=1 as a visitor)"
    )
    agent = _wallet_agent()
    if agent:
        lines.append(
            f"Those requests go to the Wallet operations team: see them in the console "
            f"({desk_url}/console) as {agent} / {DEMO_PASSWORD}, with the exchange panel beside "
            "each ticket."
        )
    return lines
