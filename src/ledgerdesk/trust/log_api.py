"""The transparency log's JSON API under /api/v1/log, shaped like Certificate Transparency's
(RFC 6962 §4): the latest signed tree head, a stored head, an inclusion proof by leaf hash, a
consistency proof between two sizes, and the keys that sign heads. All public, no sign-in, as
in CT: anyone may audit. Only the leaf of a given row (which names the row and shows a
message's salt) is for admins. Hashes are hex."""

from __future__ import annotations

import enum
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from ledgerdesk.accounts.models import Role
from ledgerdesk.accounts.services import require_role
from ledgerdesk.core.types import PathId
from ledgerdesk.trust import log
from ledgerdesk.trust import log_reads as reads
from ledgerdesk.trust.leaves import SOURCES
from ledgerdesk.trust.log_schemas import (
    ConsistencyProofPublic,
    InclusionProofPublic,
    LeafDetail,
    LogKeyList,
    LogKeyPublic,
    TreeHeadPublic,
)
from ledgerdesk.web.deps import CurrentAgent, Db
from ledgerdesk.web.openapi import ERROR_DESCRIPTIONS

router = APIRouter(prefix="/api/v1/log", tags=["transparency log"])

MAX_SIZE = 2**62  # far above any log; keeps sizes inside a BIGINT
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": ERROR_DESCRIPTIONS[404]}}
LogSource = enum.StrEnum("LogSource", {s.name: s.name for s in SOURCES})  # type: ignore[misc]
Size = Annotated[int, Query(ge=0, le=MAX_SIZE)]


def _head(head: Any) -> TreeHeadPublic:
    return TreeHeadPublic(**log.head_json(head))


@router.get("/sth", responses=NOT_FOUND)
def latest_tree_head(db: Db) -> TreeHeadPublic:
    """The latest signed tree head (CT get-sth)."""
    return _head(reads.published_head(db))


@router.get("/sth/{tree_size}")
def tree_head(tree_size: Annotated[int, Path(ge=1, le=MAX_SIZE)], db: Db) -> TreeHeadPublic:
    """The signed tree head stored for this tree size."""
    return _head(reads.stored_head(db, tree_size))


@router.get("/proof", responses=NOT_FOUND)
def inclusion_proof(
    db: Db,
    # The pattern is documented, not enforced here: log_reads.parse_hash answers a non-hex
    # value with a message that says what a leaf hash looks like.
    leaf_hash: Annotated[
        str,
        Query(
            alias="hash",
            min_length=64,
            max_length=64,
            json_schema_extra={"pattern": "^[0-9a-fA-F]{64}$"},
        ),
    ],
    tree_size: Annotated[int, Query(ge=1, le=MAX_SIZE)],
) -> InclusionProofPublic:
    """The audit path of the leaf with this hash in the tree of ``tree_size`` leaves (CT
    get-proof-by-hash); ``tree_size`` at most the latest signed head's."""
    answer = reads.proof_by_hash(db, leaf_hash, tree_size)
    return InclusionProofPublic(
        leaf_index=answer.leaf_index,
        tree_size=answer.tree_size,
        audit_path=[h.hex() for h in answer.audit_path],
    )


@router.get("/consistency", responses=NOT_FOUND)
def consistency_proof(db: Db, first: Size, second: Size) -> ConsistencyProofPublic:
    """Proof that the tree of ``first`` leaves is a prefix of the one of ``second`` (CT
    get-sth-consistency); ``second`` at most the latest signed head's size."""
    proof = reads.consistency(db, first, second)
    return ConsistencyProofPublic(first=first, second=second, consistency=[h.hex() for h in proof])


@router.get("/keys")
def signing_keys(db: Db) -> LogKeyList:
    """Every public key that has signed a tree head (a rotated key stays listed)."""
    keys = log.public_keys(db)
    return LogKeyList(keys=[LogKeyPublic(key_id=k, public_key=v) for k, v in sorted(keys.items())])


@router.get("/leaves/{source}/{source_id}")
def leaf(source: LogSource, source_id: PathId, db: Db, actor: CurrentAgent) -> LeafDetail:
    """The leaf of one row (admins): index, the leaf rebuilt from the row now, the stored
    hash, whether they still match, and the inclusion proof in the latest signed head."""
    require_role(actor, Role.admin)
    answer = reads.leaf_detail(db, str(source), source_id)
    return LeafDetail(
        leaf_index=answer.leaf_index,
        source=answer.source,
        source_id=answer.source_id,
        leaf_hash=answer.leaf_hash.hex(),
        leaf=answer.leaf,
        row_matches=answer.row_matches,
        tree_size=answer.tree_size,
        audit_path=None if answer.audit_path is None else [h.hex() for h in answer.audit_path],
    )
