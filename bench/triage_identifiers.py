"""Triage with transaction hashes and wallet addresses in the text.

Scores the bundled model (or ``--source DIR``'s) on the held-out messages twice: as written,
and with a full transaction id and a wallet address of a random chain (TRC20, ERC20, BTC)
appended to every message, the way customers paste them; for all messages and for the
on-chain intents alone (where customers really paste them). Prints intent accuracy and the
share of confident answers, as JSON.

    .venv/bin/python bench/triage_identifiers.py [--source DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HEX = "0123456789abcdef"
BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
BECH32 = "023456789acdefghjklmnpqrstuvwxyz"
# Where customers paste hashes and addresses for real (the whole set is scored too).
ON_CHAIN = ("deposit_missing", "withdrawal_delayed", "withdrawal_failed", "balance_discrepancy")


def identifiers(rng: random.Random) -> str:
    """A txid and an address of one chain, as a customer pastes them."""
    chain = rng.choice(("TRC20", "ERC20", "BTC"))
    txid = "".join(rng.choice(HEX) for _ in range(64))
    if chain == "TRC20":
        address = "T" + "".join(rng.choice(BASE58) for _ in range(33))
    elif chain == "ERC20":
        txid, address = "0x" + txid, "0x" + "".join(rng.choice(HEX) for _ in range(40))
    else:
        address = "bc1q" + "".join(rng.choice(BECH32) for _ in range(38))
    return f"\ntxid {txid}\n{address}"


def score(texts: list[str], labels: list[str]) -> dict[str, float]:
    from ledgerdesk.ai.triage import get_triager
    from ledgerdesk.core.settings import get_settings

    results = get_triager(get_settings()).classify(texts)
    right = sum(r.label == y for r, y in zip(results, labels, strict=True))
    sure = [r for r in results if r.intent is not None]
    return {
        "accuracy": round(right / len(texts), 4),
        "confident": round(len(sure) / len(texts), 4),
    }


def measure() -> dict[str, Any]:
    from ledgerdesk.ai.triage.bundled import read_examples, split

    _, held = split(read_examples())
    rng = random.Random(0)
    texts, labels = [e.text for e in held], [e.intent for e in held]
    pasted = [t + identifiers(rng) for t in texts]
    chain = [i for i, y in enumerate(labels) if y in ON_CHAIN]
    return {
        "messages": len(texts),
        "as_written": score(texts, labels),
        "with_txid_and_address": score(pasted, labels),
        "on_chain_messages": len(chain),
        "on_chain_as_written": score([texts[i] for i in chain], [labels[i] for i in chain]),
        "on_chain_with_txid_and_address": score(
            [pasted[i] for i in chain], [labels[i] for i in chain]
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", type=Path, default=ROOT, help="checkout to score")
    args = parser.parse_args()
    sys.path.insert(0, str(args.source.resolve() / "src"))
    print(json.dumps(measure()))


if __name__ == "__main__":
    main()
