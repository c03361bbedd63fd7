"""Attachment checks and content-addressed storage on disk."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ledgerdesk.ai.guard.storage import guard_text
from ledgerdesk.core.errors import InvalidInput, TooLarge
from ledgerdesk.core.settings import get_settings

# Types a support desk needs: screenshots, statements, exports. Sniffed, never trusted.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
)
_TEXT_TYPES = {"text/plain", "text/csv", "application/json"}
_HASH_RE = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class AttachmentIn:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class StoredFile:
    filename: str
    content_type: str
    size: int
    sha256: str


def sniff_type(data: bytes, declared: str) -> str | None:
    """The real content type of ``data``, or ``None`` when it is not one we accept."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    declared = declared.split(";")[0].strip().lower()
    if declared in _TEXT_TYPES or declared.startswith("text/"):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return declared if declared in _TEXT_TYPES else "text/plain"
    return None


def clean_filename(name: str) -> str:
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    return name[:200] or "file"


def check_attachment(item: AttachmentIn) -> StoredFile:
    """Validate one upload; raises with a message naming the file and the problem."""
    settings = get_settings()
    filename = clean_filename(item.filename)
    shown = guard_text(filename)  # error messages never repeat a secret in a file name
    if not item.data:
        raise InvalidInput(f"Attachment '{shown}' is empty", field="attachments")
    if len(item.data) > settings.max_attachment_bytes:
        limit_mb = settings.max_attachment_bytes / (1024 * 1024)
        raise TooLarge(
            f"Attachment '{shown}' is {len(item.data)} bytes; the limit is {limit_mb:.0f} MB",
            field="attachments",
        )
    kind = sniff_type(item.data, item.content_type)
    if kind is None:
        raise InvalidInput(
            f"Attachment '{shown}' is not an accepted type "
            "(PNG, JPEG, GIF, WebP, PDF, plain text, CSV or JSON)",
            field="attachments",
        )
    digest = hashlib.sha256(item.data).hexdigest()
    return StoredFile(filename=filename, content_type=kind, size=len(item.data), sha256=digest)


def blob_path(sha256: str) -> Path:
    if not _HASH_RE.match(sha256):
        raise InvalidInput("Not a content hash")
    return get_settings().attachments_dir / sha256[:2] / sha256[2:4] / sha256


def write_blob(stored: StoredFile, data: bytes) -> None:
    """Write atomically; identical content is stored once."""
    path = blob_path(stored.sha256)
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_blob(sha256: str) -> bytes:
    return blob_path(sha256).read_bytes()
