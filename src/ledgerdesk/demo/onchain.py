"""The demo desk's contracts: with ``make run``, tree heads are anchored and complaint
deadlines committed on the local devnet, unless the operator configured a chain.

The desk's key lives in the data directory (``chain-desk.key``) and is funded from the devnet's
first account; its first two transactions deploy the anchor and commitment contracts, so their
addresses stay the same from one start to the next (the chain itself starts empty each time).
Settings are handed over through the environment, which worker processes inherit."""

from __future__ import annotations

import os
import secrets

from ledgerdesk.chain.devnode import DevNode
from ledgerdesk.core.settings import Settings, get_settings

NETWORK = "devnet"
DESK_FUNDS_WEI = 50 * 10**18  # gas for a long demo session
BOND_WEI = 5 * 10**18  # what the exchange deposits against missed complaint deadlines
COMPENSATION_WEI = 10**17  # paid to the customer per missed deadline: 0.1 devnet ETH
INTERVAL_SECONDS = 60


def configure_demo_chain(settings: Settings, nodes: dict[str, DevNode]) -> list[str]:
    """Deploy the contracts on the demo devnet and point the desk at them; returns the lines
    ``serve`` prints (none when a chain is configured already or the devnet is not running)."""
    from ledgerdesk.trust.anchoring import desk_client

    node = nodes.get(NETWORK)
    if settings.anchor_chain or node is None:
        return []
    key_file = settings.resolved_anchor_key_file
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(
            key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600
        )  # never readable by others
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(secrets.token_hex(32) + "\n")
    os.environ["LEDGERDESK_ANCHOR_CHAIN"] = NETWORK
    get_settings.cache_clear()
    client = desk_client(get_settings())
    assert client.account is not None  # desk_client signs by default
    node.send_native(client.account.address, DESK_FUNDS_WEI)
    node.mine(1)
    anchor = client.deploy("anchor")
    commitment = client.deploy("commitment", BOND_WEI)
    os.environ.update(
        {
            "LEDGERDESK_ANCHOR_CONTRACT": anchor,
            "LEDGERDESK_ANCHOR_INTERVAL_SECONDS": str(INTERVAL_SECONDS),
            "LEDGERDESK_COMMITMENTS_ENABLED": "true",
            "LEDGERDESK_COMMITMENTS_CONTRACT": commitment,
            "LEDGERDESK_COMMITMENTS_COMPENSATION_WEI": str(COMPENSATION_WEI),
        }
    )
    get_settings.cache_clear()
    return [
        f"Transparency log anchored every {INTERVAL_SECONDS} s on the devnet: anchor contract "
        f"{anchor}, complaint commitments {commitment} (bond {BOND_WEI // 10**18} ETH)"
    ]
