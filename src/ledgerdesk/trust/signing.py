"""The Ed25519 key that signs tree heads.

The private key comes from ``LEDGERDESK_LOG_SIGNING_KEY_FILE`` (PEM PKCS#8, or the 32-byte seed
as 64 hex characters); left empty, the embedded default keeps one in the data directory,
created on first use and readable by its owner only. To rotate, point the setting at a new
key: heads keep the id of the key that signed them, and every public key that ever signed
stays in ``log_keys`` (docs/trust-log.md)."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ledgerdesk.core.settings import Settings, get_settings

DEFAULT_FILE = "log-signing.key"
_lock = threading.Lock()
_cache: dict[Path, tuple[float, Ed25519PrivateKey]] = {}


class SigningKeyError(Exception):
    """The configured signing key cannot be read."""


def key_path(settings: Settings | None = None) -> Path:
    settings = settings or get_settings()
    if settings.log_signing_key_file is not None:
        return settings.log_signing_key_file
    return settings.data_dir / DEFAULT_FILE


def signing_key(settings: Settings | None = None) -> Ed25519PrivateKey:
    """The private key, read once per change of its file (and made on first use when it is
    the embedded default)."""
    settings = settings or get_settings()
    path = key_path(settings)
    with _lock:
        if not path.exists():
            if settings.log_signing_key_file is not None:
                raise SigningKeyError(f"log signing key file {path} does not exist")
            _create(path)
        mtime = path.stat().st_mtime
        cached = _cache.get(path)
        if cached is not None and cached[0] == mtime:
            return cached[1]
        key = load_private_key(path.read_bytes())
        _cache[path] = (mtime, key)
        return key


def _create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)


def load_private_key(data: bytes) -> Ed25519PrivateKey:
    text = data.strip()
    try:
        if text.startswith(b"-----BEGIN"):
            key = serialization.load_pem_private_key(text, password=None)
            if not isinstance(key, Ed25519PrivateKey):
                raise SigningKeyError("the log signing key is not an Ed25519 key")
            return key
        return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(text.decode("ascii")))
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        raise SigningKeyError(f"the log signing key cannot be read: {exc}") from exc


def public_hex(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return raw.hex()


def key_id(public_key_hex: str) -> str:
    """A key's short name: the first 16 hex characters of the SHA-256 of its raw bytes."""
    return hashlib.sha256(bytes.fromhex(public_key_hex)).hexdigest()[:16]


def sign(key: Ed25519PrivateKey, message: bytes) -> str:
    return key.sign(message).hex()


def parse_public_key(text: str) -> str:
    """A public key given as 64 hex characters, or PEM (SubjectPublicKeyInfo), as hex; raises
    ValueError on anything else."""
    value = text.strip()
    if value.startswith("-----BEGIN"):
        key = serialization.load_pem_public_key(value.encode("ascii"))
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("not an Ed25519 public key")
        return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()
    raw = bytes.fromhex(value)
    if len(raw) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes (64 hex characters)")
    return raw.hex()


def verify(public_key_hex: str, message: bytes, signature_hex: str) -> bool:
    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex))
        key.verify(bytes.fromhex(signature_hex), message)
    except (InvalidSignature, ValueError):
        return False
    return True
