"""Property tests: any sequence of appends, in any batch sizes, gives inclusion and
consistency proofs that verify against the roots, built both in memory and from the nodes
the appender stored; and a proof or root changed in any byte does not verify."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from ledgerdesk.trust import log, merkle
from tests.trust_log.conftest import fake_finding, leaf_hash_of

FAST = settings(max_examples=60, deadline=None, derandomize=True, database=None)
DB = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _flip(proof: list[bytes], which: int, bit: int) -> list[bytes]:
    """The proof with one bit of one hash flipped."""
    changed = bytearray(proof[which])
    changed[bit // 8] ^= 1 << (bit % 8)
    return [*proof[:which], bytes(changed), *proof[which + 1 :]]


@FAST
@given(size=st.integers(1, 3000), data=st.data())
def test_proofs_in_memory(size: int, data: Any) -> None:
    leaves = [merkle.leaf_hash(n.to_bytes(4, "big")) for n in range(size)]
    root = merkle.root(leaves)
    index = data.draw(st.integers(0, size - 1))
    path = merkle.inclusion_proof(index, size, leaves)
    assert merkle.verify_inclusion(index, size, leaves[index], path, root)
    if path:
        which = data.draw(st.integers(0, len(path) - 1))
        bit = data.draw(st.integers(0, 255))
        assert not merkle.verify_inclusion(
            index, size, leaves[index], _flip(path, which, bit), root
        )
    assert not merkle.verify_inclusion(index, size, leaves[index], path, _flip([root], 0, 7)[0])
    first = data.draw(st.integers(1, size))
    old_root = merkle.root(leaves[:first])
    proof = merkle.consistency_proof(first, size, leaves)
    assert merkle.verify_consistency(first, size, old_root, root, proof)
    if proof:
        which = data.draw(st.integers(0, len(proof) - 1))
        bit = data.draw(st.integers(0, 255))
        assert not merkle.verify_consistency(first, size, old_root, root, _flip(proof, which, bit))
    if first < size:
        assert not merkle.verify_consistency(first, size, _flip([old_root], 0, 1)[0], root, proof)
        assert not merkle.verify_consistency(first, size, old_root, _flip([root], 0, 1)[0], proof)


@DB
@given(batches=st.lists(st.integers(1, 70), min_size=1, max_size=8), data=st.data())
def test_appends_in_batches_give_proofs_that_verify(
    empty_log: Session, batches: list[int], data: Any
) -> None:
    savepoint = empty_log.begin_nested()  # each example starts from the empty log
    try:
        leaves: list[bytes] = []
        sizes: list[int] = []
        for count in batches:
            rows = [fake_finding(len(leaves) + n + 1) for n in range(count)]
            assert log.append_rows(empty_log, [("guard", r) for r in rows]) == count
            leaves += [leaf_hash_of(r) for r in rows]
            sizes.append(len(leaves))
            _check_tree(empty_log, leaves, sizes, data)
    finally:
        savepoint.rollback()


def _check_tree(session: Session, leaves: list[bytes], sizes: list[int], data: Any) -> None:
    size = len(leaves)
    assert log.tree_size(session) == size
    root = log.root_at(session, size)
    assert root == merkle.root(leaves)
    index = data.draw(st.integers(0, size - 1))
    path = log.inclusion_proof(session, index, size)
    assert path == merkle.inclusion_proof(index, size, leaves)
    assert merkle.verify_inclusion(index, size, leaves[index], path, root)
    if path:
        flipped = _flip(
            path, data.draw(st.integers(0, len(path) - 1)), data.draw(st.integers(0, 255))
        )
        assert not merkle.verify_inclusion(index, size, leaves[index], flipped, root)
    first = data.draw(st.sampled_from(sizes))  # a size a head could have been signed at
    old_root = log.root_at(session, first)
    proof = log.consistency_proof(session, first, size)
    assert merkle.verify_consistency(first, size, old_root, root, proof)
    if proof:
        flipped = _flip(
            proof, data.draw(st.integers(0, len(proof) - 1)), data.draw(st.integers(0, 255))
        )
        assert not merkle.verify_consistency(first, size, old_root, root, flipped)
