"""Ed25519 keys for the log (note signatures) and for witnesses (cosignatures).

Keys are stored in the text form Go's ``golang.org/x/mod/sumdb/note`` uses for
signer keys, ``PRIVATE+KEY+name+hash+base64(type || seed)``, so the same key file
works with the Go tooling, and are written with mode 0600. The public half is
printed as a C2SP ``vkey``. A log key has signature type 0x01; a witness key has
type 0x04 (tlog-cosignature/v1), which changes its key id so that a cosignature can
never be mistaken for a log signature.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tracelight.ledger.verify import (
    EM_DASH,
    SIG_COSIGNATURE_V1,
    SIG_ED25519,
    Verifier,
    check_key_name,
    cosignature_message,
    key_id,
)

SKEY_PREFIX = "PRIVATE+KEY+"


class KeyFileError(ValueError):
    """A key file is missing or malformed; the message names the file."""


@dataclass(frozen=True, slots=True)
class SigningKey:
    """A named Ed25519 private key that signs notes (type 0x01) or cosigns (type 0x04)."""

    name: str
    seed: bytes
    sig_type: int = SIG_ED25519

    @classmethod
    def generate(cls, name: str, sig_type: int = SIG_ED25519) -> SigningKey:
        check_key_name(name)
        private = Ed25519PrivateKey.generate()
        seed = private.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        return cls(name, seed, sig_type)

    @property
    def _private(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.seed)

    @property
    def public_key(self) -> bytes:
        return self._private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.sig_type, self.public_key)

    @property
    def verifier(self) -> Verifier:
        return Verifier(self.name, self.key_id, self.sig_type, self.public_key)

    @property
    def vkey(self) -> str:
        return self.verifier.vkey

    def skey(self) -> str:
        encoded = base64.b64encode(bytes([self.sig_type]) + self.seed).decode()
        return f"{SKEY_PREFIX}{self.name}+{self.key_id.hex()}+{encoded}"

    @classmethod
    def from_skey(cls, text: str, source: str = "key") -> SigningKey:
        text = text.strip()
        if not text.startswith(SKEY_PREFIX):
            raise KeyFileError(f"{source}: not a private key (expected {SKEY_PREFIX}...)")
        parts = text[len(SKEY_PREFIX) :].split("+", 2)
        if len(parts) != 3:
            raise KeyFileError(f"{source}: malformed private key")
        name, hash_hex, encoded = parts
        try:
            raw = base64.b64decode(encoded, validate=True)
        except binascii.Error as exc:
            raise KeyFileError(f"{source}: private key is not base64") from exc
        if len(raw) != 33 or raw[0] not in (SIG_ED25519, SIG_COSIGNATURE_V1):
            raise KeyFileError(f"{source}: not an Ed25519 key")
        key = cls(name, raw[1:], raw[0])
        if key.key_id.hex() != hash_hex:
            raise KeyFileError(f"{source}: key hash {hash_hex} does not match the key")
        return key

    def sign_line(self, note_text: str) -> str:
        """The signed-note signature line for ``note_text`` (a log signature)."""
        signature = self._private.sign(note_text.encode())
        return self._line(signature)

    def cosign_line(self, note_text: str, timestamp: int | None = None) -> str:
        """A tlog-cosignature/v1 line: key id, big-endian timestamp, signature."""
        when = int(time.time()) if timestamp is None else timestamp
        signature = self._private.sign(cosignature_message(note_text, when))
        return self._line(when.to_bytes(8, "big") + signature)

    def _line(self, signature: bytes) -> str:
        encoded = base64.b64encode(self.key_id + signature).decode()
        return f"{EM_DASH} {self.name} {encoded}\n"

    def save(self, path: Path) -> None:
        """Write the key readable by its owner only; refuse to overwrite an existing key."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(self.skey() + "\n")

    @classmethod
    def load(cls, path: Path) -> SigningKey:
        try:
            text = path.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as exc:
            raise KeyFileError(f"cannot read key file {path}: {exc}") from exc
        return cls.from_skey(text, str(path))


def log_key_path(workspace_root: Path) -> Path:
    """Where a workspace keeps its log's private key."""
    return workspace_root / "ledger" / "log.key"


def workspace_log_key(workspace_root: Path, origin: str | None = None) -> SigningKey:
    """The workspace's log key, generated on first use.

    One rule for every caller (the CLI, the web app's case export) so that every
    checkpoint and bundle of a workspace is signed by the same log. A new key is named
    ``origin`` or a random ``tracelight.invalid/...`` name; asking for another origin
    than the stored key's is an error rather than a second log.
    """
    path = log_key_path(workspace_root)
    if path.exists():
        key = SigningKey.load(path)
        if origin is not None and origin != key.name:
            raise ValueError(f"the log key {path} is for origin {key.name!r}, not {origin!r}")
        return key
    key = SigningKey.generate(origin or f"tracelight.invalid/{secrets.token_hex(6)}")
    key.save(path)
    return key
