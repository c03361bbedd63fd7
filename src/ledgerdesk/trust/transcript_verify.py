"""Checking a transcript offline: what ``ledgerdesk verify transcript`` runs.

The checks, specific ones first: the embedded evidence is canonical JSON; the tree head is
signed by the given key; each item's leaf is included in that head's root; each message's text
hashes to the salted hash its leaf recorded; events belong to the ticket and the subject is the
recorded one; and last, the whole file equals the page rendered from the evidence, byte for
byte. ``docs/verify_transcript.py`` makes the same checks with the standard library alone and
must word every problem the same way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ledgerdesk.trust import merkle, signing
from ledgerdesk.trust.leaves import body_hash
from ledgerdesk.trust.transcript_html import (
    FORMAT,
    SCRIPT_CLOSE,
    SCRIPT_OPEN,
    describe,
    embedded,
    head_time,
    parts,
    recorded_subject,
)

MALFORMED = "the embedded evidence is malformed (a field is missing or has the wrong type)"


@dataclass
class Verdict:
    ok: bool
    problems: list[str] = field(default_factory=list)
    summary: str = ""


def verify_bundle(data: bytes, public_key_hex: str) -> Verdict:
    """Every problem found in the transcript file ``data`` against the desk's public key."""
    problems: list[str] = []
    evidence = evidence_of(data, problems)
    if evidence is None:
        return Verdict(ok=False, problems=problems)
    try:
        if evidence["format"] != FORMAT:
            return Verdict(
                ok=False, problems=[*problems, "this is not a transcript this verifier knows"]
            )
        _check_head(evidence["head"], public_key_hex, problems)
        _check_items(evidence, problems)
        _check_page(data, evidence, problems)
        head = evidence["head"]
        summary = (
            f"transcript verified: {len(evidence['items'])} items, tree head of size "
            f"{head['tree_size']} signed at {head_time(head['timestamp'])} by key {head['key_id']}"
        )
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, OverflowError, OSError):
        return Verdict(ok=False, problems=[*problems, MALFORMED])
    return Verdict(ok=not problems, problems=problems, summary="" if problems else summary)


def evidence_of(data: bytes, problems: list[str]) -> Any:
    """The evidence embedded in a transcript (None, with the reason in ``problems``, when
    there is none)."""
    start = data.find(SCRIPT_OPEN.encode())
    end = data.find(SCRIPT_CLOSE.encode(), start + 1)
    if start < 0 or end < 0:
        problems.append("the file holds no ledgerdesk transcript evidence")
        return None
    raw = data[start + len(SCRIPT_OPEN) : end]
    try:
        evidence = json.loads(raw.decode("utf-8"))
    except ValueError:
        problems.append("the embedded evidence is not valid JSON")
        return None
    if embedded(evidence).encode() != raw:
        problems.append("the embedded evidence is not in canonical form (it was edited)")
    return evidence


# The checks append to ``out`` as they go: when a malformed field stops them, what they found
# before it is still reported (the standalone script reports the same lines).


def _check_head(head: dict[str, Any], public_key_hex: str, out: list[str]) -> None:
    kid = signing.key_id(public_key_hex)
    if head["key_id"] != kid:
        out.append(f"the tree head names key {head['key_id']}, but the key given is {kid}")
        return
    message = merkle.head_message(
        head["tree_size"], head["timestamp"], head["root_hash"], head["key_id"]
    )
    if not signing.verify(public_key_hex, message, head["signature"]):
        out.append("the tree head's signature does not verify with this key")


def _check_items(ev: dict[str, Any], out: list[str]) -> None:
    root, size, last = bytes.fromhex(ev["head"]["root_hash"]), ev["head"]["tree_size"], -1
    counts: dict[str, int] = {}
    for item in ev["items"]:
        name, leaf = describe(item, counts), item["leaf"]
        if item["source"] != leaf["type"]:
            out.append(f"{name}: its source differs from its record")
        if (
            item["source"] == "message"
            and body_hash(item["salt"], item["body"]) != leaf["body_sha256"]
        ):
            out.append(f"{name}: the text shown differs from the one recorded")
        proof = [bytes.fromhex(p) for p in item["proof"]]
        digest = merkle.leaf_hash(merkle.canonical_json(leaf))
        if not merkle.verify_inclusion(item["index"], size, digest, proof, root):
            out.append(f"{name}: not included in the signed tree head")
        if item["index"] <= last:
            out.append(f"{name}: out of order or repeated")
        last = item["index"]
        if item["source"] == "event" and f"#{leaf['ticket_id']}" != ev["ticket"]["reference"]:
            out.append(f"{name}: recorded for another ticket")
    if ev["ticket"]["subject"] != recorded_subject(ev["items"]):
        out.append("the ticket's subject differs from the one recorded")


def _check_page(data: bytes, ev: dict[str, Any], out: list[str]) -> None:
    """The first piece of the page that differs from the one the evidence renders."""
    offset = 0
    for where, chunk in parts(ev):
        piece = chunk.encode()
        if data[offset : offset + len(piece)] != piece:
            out.append(f"the readable page differs from the evidence at {where}")
            return
        offset += len(piece)
    if len(data) != offset:
        out.append("the readable page differs from the evidence at the end of the page")
