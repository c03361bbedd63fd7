"""RFC 6962 / RFC 9162 known answers: the eight reference leaf inputs of Certificate
Transparency, the root at every size, and inclusion and consistency proofs, checked against
``trust.merkle`` (generating and verifying) and against proofs built from stored nodes
(``trust.log``).

Where the numbers come from (facts, not code): transparency-dev/merkle
``testonly/constants.go`` (``LeafInputs``, ``NodeHashes``, ``RootHashes``; commit 582a6ad)
and ``testonly/reference_test.go`` (``TestRefInclusionProof``, ``TestRefConsistencyProof``;
commit 141d627), the same vectors as Google's certificate-transparency
``cpp/merkletree/merkle_tree_test.cc`` (paths and proofs for the trees of 1-8 leaves)."""

from __future__ import annotations

import pytest
from sqlalchemy import insert
from sqlalchemy.orm import Session

from ledgerdesk.trust import log, merkle
from ledgerdesk.trust.log_models import LogLeaf, LogNode

LEAF_INPUTS = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
# NodeHashes: every complete subtree, [level][index]
NODES = [
    [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
        "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
    ],
    [
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    ],
    [
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    ["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"],
]
# RootHashes, by tree size 0..8
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
# (leaf index, tree size, audit path)
INCLUSION = [
    (0, 1, []),
    (0, 2, [NODES[0][1]]),
    (1, 2, [NODES[0][0]]),
    (2, 3, [NODES[1][0]]),
    (1, 5, [NODES[0][0], NODES[1][1], NODES[0][4]]),
    (0, 8, [NODES[0][1], NODES[1][1], NODES[2][1]]),
    (5, 8, [NODES[0][4], NODES[1][3], NODES[2][0]]),
]
# (first size, second size, consistency proof)
CONSISTENCY = [
    (1, 1, []),
    (1, 8, [NODES[0][1], NODES[1][1], NODES[2][1]]),
    (2, 5, [NODES[1][1], NODES[0][4]]),
    (6, 8, [NODES[1][2], NODES[1][3], NODES[2][0]]),
]
LEAVES = [merkle.leaf_hash(data) for data in LEAF_INPUTS]


def _hex(proof: list[bytes]) -> list[str]:
    return [h.hex() for h in proof]


def _raw(proof: list[str]) -> list[bytes]:
    return [bytes.fromhex(h) for h in proof]


def test_leaf_hashes_and_every_complete_subtree() -> None:
    assert [h.hex() for h in LEAVES] == NODES[0]
    for level in range(1, 4):
        for idx, expected in enumerate(NODES[level]):
            span = 1 << level
            assert merkle.root(LEAVES[idx * span : (idx + 1) * span]).hex() == expected


@pytest.mark.parametrize("size", range(9))
def test_root_at_every_size(size: int) -> None:
    assert merkle.root(LEAVES[:size]).hex() == ROOTS[size]


@pytest.mark.parametrize(("index", "size", "path"), INCLUSION)
def test_inclusion_vectors(index: int, size: int, path: list[str]) -> None:
    assert _hex(merkle.inclusion_proof(index, size, LEAVES)) == path
    root = bytes.fromhex(ROOTS[size])
    assert merkle.verify_inclusion(index, size, LEAVES[index], _raw(path), root)
    # the same path for another leaf, size or root does not verify
    if size > 1:
        other = (index + 1) % size
        assert not merkle.verify_inclusion(other, size, LEAVES[index], _raw(path), root)
        assert not merkle.verify_inclusion(index, size, LEAVES[other], _raw(path), root)
    assert not merkle.verify_inclusion(index, size, LEAVES[index], [*_raw(path), root], root)
    if path:
        assert not merkle.verify_inclusion(index, size, LEAVES[index], _raw(path)[:-1], root)
    assert not merkle.verify_inclusion(index, size, LEAVES[index], _raw(path), LEAVES[7])


@pytest.mark.parametrize(("first", "second", "proof"), CONSISTENCY)
def test_consistency_vectors(first: int, second: int, proof: list[str]) -> None:
    assert _hex(merkle.consistency_proof(first, second, LEAVES)) == proof
    one, two = bytes.fromhex(ROOTS[first]), bytes.fromhex(ROOTS[second])
    assert merkle.verify_consistency(first, second, one, two, _raw(proof))
    if first != second:
        assert not merkle.verify_consistency(first, second, two, one, _raw(proof))
        assert not merkle.verify_consistency(first, second, one, two, _raw(proof)[:-1])
        assert not merkle.verify_consistency(first - 1 or 2, second, one, two, _raw(proof))


def _store_vectors(session: Session) -> None:
    """The eight reference leaves and their complete subtrees as the log stores them."""
    session.execute(
        insert(LogLeaf),
        [{"idx": i, "source": "guard", "source_id": i + 1, "salt": None} for i in range(8)],
    )
    session.execute(
        insert(LogNode),
        [
            {"level": level, "idx": idx, "hash": bytes.fromhex(value)}
            for level, row in enumerate(NODES)
            for idx, value in enumerate(row)
        ],
    )


def test_proofs_from_stored_nodes(empty_log: Session) -> None:
    _store_vectors(empty_log)
    for size in range(9):
        assert log.root_at(empty_log, size).hex() == ROOTS[size]
    for index, size, path in INCLUSION:
        assert _hex(log.inclusion_proof(empty_log, index, size)) == path
    for first, second, proof in CONSISTENCY:
        assert _hex(log.consistency_proof(empty_log, first, second)) == proof
    # every pair, against the in-memory reference and its verifier
    for size in range(1, 9):
        root = bytes.fromhex(ROOTS[size])
        for index in range(size):
            stored = log.inclusion_proof(empty_log, index, size)
            assert stored == merkle.inclusion_proof(index, size, LEAVES)
            assert merkle.verify_inclusion(index, size, LEAVES[index], stored, root)
        for first in range(size + 1):
            stored = log.consistency_proof(empty_log, first, size)
            assert stored == merkle.consistency_proof(first, size, LEAVES)
            assert merkle.verify_consistency(first, size, bytes.fromhex(ROOTS[first]), root, stored)
    assert log.leaf_index_of(empty_log, LEAVES[5]) == 5
    with pytest.raises(log.ProofError):
        log.inclusion_proof(empty_log, 3, 9)
    with pytest.raises(log.ProofError):
        log.consistency_proof(empty_log, 5, 4)


def test_the_appender_stores_the_reference_subtrees(
    empty_log: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The appender, given rows whose leaf bytes are the reference inputs (in two batches),
    stores exactly the reference subtrees."""

    class Reference:
        def __init__(self, n: int) -> None:
            self.id = n + 1
            self.data = LEAF_INPUTS[n]

    monkeypatch.setattr(log, "leaf_bytes", lambda _source, row, _salt=None: row.data)
    log.append_rows(empty_log, [("guard", Reference(n)) for n in range(3)])
    log.append_rows(empty_log, [("guard", Reference(n)) for n in range(3, 8)])
    for level, row in enumerate(NODES):
        for idx, value in enumerate(row):
            assert log._fetch(empty_log, [(level, idx)])[(level, idx)].hex() == value
    assert log.root_at(empty_log, 8).hex() == ROOTS[8]
