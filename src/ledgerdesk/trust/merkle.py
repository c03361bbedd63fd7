"""Merkle trees as RFC 9162 (Certificate Transparency 2.0) §2.1 defines them, with SHA-256.

A leaf hashes as ``H(0x00 || data)``, an interior node as ``H(0x01 || left || right)``; a tree
of ``n`` leaves splits at ``k``, the largest power of two below ``n``. Proofs are lists of
32-byte hashes in the RFC's order (from the leaf's side up to the root).

Two ways to produce a proof: over a list of leaf hashes (tests, small trees), or from stored
subtree hashes: ``inclusion_ranges``/``consistency_ranges`` name the subtrees a proof needs,
``range_nodes`` the complete aligned subtrees (``(level, index)``, which never change once the
tree has grown past them) those are built from, and ``range_hash`` folds fetched nodes into a
subtree's hash. So a proof in a tree of any size costs one lookup of O(log² n) stored nodes.

This module is the standard library only; the verifying half is what a third party needs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

Range = tuple[int, int]  # leaves [start, end)
Node = tuple[int, int]  # (level, index): the complete subtree of 2**level leaves at index

HEAD_PREFIX = b"ledgerdesk-tree-head-v1\n"


def canonical_json(obj: Any) -> bytes:
    """The one byte form of a JSON value this log hashes and signs: keys sorted, no spaces,
    UTF-8 (not ASCII escapes)."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def head_message(tree_size: int, timestamp: int, root_hex: str, key_id: str) -> bytes:
    """The exact bytes a signed tree head's Ed25519 signature covers."""
    body = {"key_id": key_id, "root_hash": root_hex, "timestamp": timestamp, "tree_size": tree_size}
    return HEAD_PREFIX + canonical_json(body)


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


EMPTY_ROOT = hashlib.sha256(b"").digest()


def split(size: int) -> int:
    """``k``: the largest power of two smaller than ``size`` (``size`` > 1)."""
    return 1 << ((size - 1).bit_length() - 1)


# -- over a list of leaf hashes -----------------------------------------------------------


def root(leaves: Sequence[bytes]) -> bytes:
    """MTH of the leaves (given as leaf hashes)."""
    if not leaves:
        return EMPTY_ROOT
    return _mth(leaves, 0, len(leaves))


def _mth(leaves: Sequence[bytes], start: int, end: int) -> bytes:
    if end - start == 1:
        return leaves[start]
    k = split(end - start)
    return node_hash(_mth(leaves, start, start + k), _mth(leaves, start + k, end))


def inclusion_proof(index: int, size: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PATH(index, D[size]) over the first ``size`` leaf hashes."""
    return [_mth(leaves, a, b) for a, b in inclusion_ranges(index, size)]


def consistency_proof(first: int, second: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PROOF(first, D[second]) over the first ``second`` leaf hashes."""
    return [_mth(leaves, a, b) for a, b in consistency_ranges(first, second)]


# -- the subtrees a proof is made of ------------------------------------------------------


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """The leaf ranges whose subtree hashes form the inclusion proof of ``index``."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size} leaves")
    out: list[Range] = []
    start, end = 0, size
    while end - start > 1:
        k = split(end - start)
        if index < start + k:
            out.append((start + k, end))
            end = start + k
        else:
            out.append((start, start + k))
            start += k
    out.reverse()  # the RFC lists the deepest sibling first
    return out


def consistency_ranges(first: int, second: int) -> list[Range]:
    """The leaf ranges whose hashes form the consistency proof from ``first`` to ``second``
    leaves (empty when the sizes are equal or ``first`` is 0)."""
    if not 0 <= first <= second:
        raise ValueError(f"no consistency proof from {first} to {second} leaves")
    if first == 0 or first == second:
        return []
    out: list[Range] = []
    start, end, m, whole = 0, second, first, True
    while True:
        if m == end - start:
            if not whole:
                out.append((start, end))
            break
        k = split(end - start)
        if m <= k:
            out.append((start + k, end))
            end = start + k
        else:
            out.append((start, start + k))
            m -= k
            start += k
            whole = False
    out.reverse()
    return out


def range_nodes(start: int, end: int) -> list[Node]:
    """The complete aligned subtrees that ``range_hash`` folds into the hash of [start, end)
    (a range that the RFC's recursion produces: its start is aligned to its left split)."""
    out: list[Node] = []
    while end > start:
        size = end - start
        if size & (size - 1) == 0:
            level = size.bit_length() - 1
            out.append((level, start >> level))
            break
        k = split(size)
        level = k.bit_length() - 1
        out.append((level, start >> level))
        start += k
    return out


def range_hash(start: int, end: int, nodes: Mapping[Node, bytes]) -> bytes:
    """The subtree hash of leaves [start, end) from stored complete subtrees."""
    parts = [nodes[n] for n in range_nodes(start, end)]
    acc = parts[-1]
    for left in reversed(parts[:-1]):
        acc = node_hash(left, acc)
    return acc


def completed_nodes(index: int) -> list[Node]:
    """The complete subtrees (above the leaf) that appending leaf ``index`` completes."""
    out: list[Node] = []
    level, count = 1, index + 1
    while count % (1 << level) == 0:
        out.append((level, (count >> level) - 1))
        level += 1
    return out


def frontier(size: int) -> list[Node]:
    """The complete subtrees that make up a tree of ``size`` leaves, left to right: all an
    appender needs to compute the nodes the next leaves complete."""
    out: list[Node] = []
    start = 0
    for level in range(size.bit_length() - 1, -1, -1):
        if size & (1 << level):
            out.append((level, start >> level))
            start += 1 << level
    return out


# -- verifying (RFC 9162 §2.1.3.2 and §2.1.4.2) -------------------------------------------


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root_hash: bytes
) -> bool:
    """Whether ``proof`` shows the leaf hash ``leaf`` at ``index`` in the tree of ``size``
    leaves whose root is ``root_hash``."""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not (fn & 1 or fn == 0):
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root_hash


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Whether ``proof`` shows the tree of ``first`` leaves is a prefix of the one of
    ``second`` leaves."""
    if not 0 <= first <= second:
        return False
    if first == second:
        return not proof and first_root == second_root
    if first == 0:
        return not proof
    if not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not (fn & 1 or fn == 0):
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0
