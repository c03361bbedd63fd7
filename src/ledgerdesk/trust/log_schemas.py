"""API shapes of the transparency log (output only: the log's API reads). Hashes, keys and
signatures are lowercase hex, as in Certificate Transparency's JSON API (which uses base64)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class TreeHeadPublic(BaseModel):
    tree_size: int = Field(description="Leaves in the tree this head commits to")
    timestamp: int = Field(description="When it was signed, milliseconds since the epoch (UTC)")
    root_hash: str = Field(description="RFC 9162 Merkle tree hash of the first tree_size leaves")
    key_id: str = Field(description="First 16 hex of SHA-256 of the signing public key")
    signature: str = Field(
        description="Ed25519 over b'ledgerdesk-tree-head-v1\\n' + canonical JSON of "
        "{key_id, root_hash, timestamp, tree_size}"
    )


class InclusionProofPublic(BaseModel):
    leaf_index: int
    tree_size: int
    audit_path: list[str] = Field(description="Sibling hashes, from the leaf up to the root")


class ConsistencyProofPublic(BaseModel):
    first: int
    second: int
    consistency: list[str] = Field(description="RFC 9162 §2.1.4 consistency proof")


class LogKeyPublic(BaseModel):
    key_id: str
    public_key: str = Field(description="Raw 32-byte Ed25519 public key")


class LogKeyList(BaseModel):
    keys: list[LogKeyPublic]


class LeafDetail(BaseModel):
    """What the log holds for one source row, for an operator."""

    leaf_index: int
    source: str
    source_id: int
    leaf_hash: str = Field(description="The stored leaf hash (level-0 node)")
    leaf: dict[str, Any] | None = Field(
        description="The leaf rebuilt from the row as it is now; null when the row is gone"
    )
    row_matches: bool = Field(description="Whether the rebuilt leaf hashes to the stored hash")
    tree_size: int | None = Field(
        description="Size of the latest signed tree head; null before it covers this leaf"
    )
    audit_path: list[str] | None = Field(description="Inclusion proof in that head")
