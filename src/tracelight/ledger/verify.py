"""Standalone verifier for Tracelight evidence: Merkle proofs, signed notes, bundles.

This one file is meant to be read, end to end, by an expert who has to tell a court
whether a bundle of evidence is what the collecting agency logged. It therefore
depends on nothing but the Python standard library and ``cryptography`` (for
Ed25519 and AES-GCM), never on the rest of Tracelight, and it can be copied out and
run on its own: ``python verify.py BUNDLE.zip --key VKEY``.

What is checked, and where each rule comes from:

* RFC 9162 section 2.1 Merkle tree hashing: a leaf hash is SHA-256(0x00 || leaf),
  an interior node SHA-256(0x01 || left || right), the empty tree SHA-256("").
* RFC 9162 section 2.1.3.2 inclusion proofs and section 2.1.4.2 consistency proofs,
  plus the subtree variants of the Merkle Tree Certificates draft (a subtree is a
  range [start, end) with start a multiple of the smallest power of two >= end-start).
* C2SP ``signed-note``, ``tlog-checkpoint`` and ``tlog-cosignature/v1`` (Ed25519):
  the checkpoint text, its signature lines and the key ids that name the keys.
* The Tracelight bundle: a zip with ``manifest.json``, the checkpoint, and for every
  item its leaf, its inclusion proof and (unless erased) its content.

Every failure is reported with the item and the check that failed, so a report reads
as a list of findings rather than a single "invalid".
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import sys
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
EM_DASH = "\u2014"
SIG_ED25519 = 0x01
SIG_COSIGNATURE_V1 = 0x04
BUNDLE_FORMAT = "tracelight-evidence-bundle/v1"


class VerificationError(ValueError):
    """A proof, note or bundle does not verify; the message says which check failed."""


# --- RFC 9162 hashing ---------------------------------------------------------------


def leaf_hash(leaf: bytes) -> bytes:
    """RFC 9162 leaf hash: the 0x00 prefix keeps a leaf from posing as an interior node."""
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 interior node hash over the two child hashes."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _check_hash(value: bytes, what: str) -> None:
    if len(value) != HASH_SIZE:
        raise VerificationError(f"{what} is {len(value)} bytes, a SHA-256 hash is {HASH_SIZE}")


def _check_proof(proof: Sequence[bytes]) -> None:
    for position, item in enumerate(proof):
        _check_hash(item, f"proof[{position}]")


def _mismatch(what: str, computed: bytes, expected: bytes) -> VerificationError:
    return VerificationError(
        f"{what} mismatch: computed {computed.hex()}, expected {expected.hex()}"
    )


# --- RFC 9162 inclusion and consistency -----------------------------------------------


def root_from_inclusion_proof(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """The root that ``proof`` implies for leaf hash ``leaf`` at ``index`` (RFC 9162 2.1.3.2).

    The proof length is checked against the one the tree shape dictates, so padding a
    proof with garbage, or truncating it, is rejected rather than silently ignored.
    """
    if index < 0 or size <= 0 or index >= size:
        raise VerificationError(f"leaf index {index} is outside a tree of size {size}")
    _check_hash(leaf, "leaf hash")
    _check_proof(proof)
    fn, sn = index, size - 1
    result = leaf
    for position, sibling in enumerate(proof):
        if sn == 0:
            raise VerificationError(
                f"proof has {len(proof)} hashes, more than a tree of size {size} needs "
                f"(extra from proof[{position}])"
            )
        if fn & 1 or fn == sn:
            result = node_hash(sibling, result)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            result = node_hash(result, sibling)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise VerificationError(
            f"proof has {len(proof)} hashes, too few for leaf {index} in a tree of size {size}"
        )
    return result


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Raise :class:`VerificationError` unless ``proof`` puts ``leaf`` at ``index``."""
    _check_hash(root, "root hash")
    computed = root_from_inclusion_proof(index, size, leaf, proof)
    if computed != root:
        raise _mismatch(f"root of tree size {size}", computed, root)


def verify_consistency(
    size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes
) -> None:
    """Raise unless the tree ``(size2, root2)`` extends ``(size1, root1)`` (RFC 9162 2.1.4.2).

    An append-only log must be able to show this for any two of its checkpoints; a
    log that rewrote history cannot.
    """
    if size1 < 0 or size2 < size1:
        raise VerificationError(f"tree size {size1} is larger than {size2}")
    if size1 == 0 and root1 != EMPTY_ROOT:
        raise _mismatch("root of the empty tree", root1, EMPTY_ROOT)
    if size1 == size2:
        # Two heads of the same size are consistent exactly when they are identical.
        if proof:
            raise VerificationError("equal tree sizes need an empty consistency proof")
        if root1 != root2:
            raise _mismatch(f"root of tree size {size1}", root2, root1)
        return
    _check_hash(root1, "first root hash")
    _check_hash(root2, "second root hash")
    _check_proof(proof)
    if size1 == 0:
        if proof:
            raise VerificationError("a consistency proof from the empty tree must be empty")
        return
    _verify_subtree_consistency(0, size1, size2, proof, root1, root2)


# --- Subtree proofs (Merkle Tree Certificates draft) -----------------------------------


def is_valid_subtree(start: int, end: int) -> bool:
    """True when [start, end) is a subtree: start is a multiple of bit_ceil(end - start)."""
    if start < 0 or end <= start:
        return False
    width = 1 << (end - start - 1).bit_length()
    return start % width == 0


def verify_subtree_inclusion(  # noqa: PLR0917 - the argument order of the specification
    index: int, start: int, end: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Raise unless ``leaf`` is at ``index`` in the subtree [start, end) whose hash is ``root``.

    A subtree is itself a Merkle tree over its leaves, so this is an inclusion proof
    of ``index - start`` in a tree of ``end - start`` leaves.
    """
    if not is_valid_subtree(start, end):
        raise VerificationError(f"[{start}, {end}) is not a valid subtree")
    if not start <= index < end:
        raise VerificationError(f"leaf index {index} is outside the subtree [{start}, {end})")
    verify_inclusion(index - start, end - start, leaf, proof, root)


def verify_subtree_consistency(  # noqa: PLR0917 - the argument order of the specification
    start: int, end: int, size: int, proof: Sequence[bytes], subtree: bytes, root: bytes
) -> None:
    """Raise unless subtree [start, end) with hash ``subtree`` is in tree ``(size, root)``."""
    if start == end:
        # The empty subtree is part of every tree: only its own hash can be wrong.
        if proof:
            raise VerificationError("an empty subtree needs an empty consistency proof")
        if subtree != EMPTY_ROOT:
            raise _mismatch("empty subtree hash", subtree, EMPTY_ROOT)
        return
    _check_hash(subtree, "subtree hash")
    _check_hash(root, "root hash")
    _check_proof(proof)
    if not is_valid_subtree(start, end):
        raise VerificationError(f"[{start}, {end}) is not a valid subtree")
    if end > size:
        raise VerificationError(f"subtree [{start}, {end}) ends beyond tree size {size}")
    _verify_subtree_consistency(start, end, size, proof, subtree, root)


def _verify_subtree_consistency(  # noqa: PLR0917 - the argument order of the specification
    start: int, end: int, size: int, proof: Sequence[bytes], subtree: bytes, root: bytes
) -> None:
    """Walk down from the root to the subtree, then fold the proof back up.

    Going down, each step into a child leaves the other child as a proof hash; if
    that other child lies inside the subtree (only possible when the subtree starts at
    the current node and ends inside its right child) it is part of the subtree's
    hash as well as the root's. At the bottom the subtree is either a node the
    verifier already knows (``subtree`` itself) or, if part of it was split off, the
    first proof hash. This is RFC 9162 SUBPROOF generalised from [0, m) to [start, end).
    """
    steps: list[str] = []
    lo, hi, known = 0, size, True
    while (start, end) != (lo, hi):
        half = 1 << (hi - lo - 1).bit_length() - 1
        mid = lo + half
        if end <= mid:
            steps.append("left")
            hi = mid
        elif start >= mid:
            steps.append("right")
            lo = mid
        else:
            steps.append("right-in-subtree")
            lo = start = mid
            known = False
    expected = len(steps) + (0 if known else 1)
    if len(proof) != expected:
        raise VerificationError(f"consistency proof has {len(proof)} hashes, expected {expected}")
    position = 0
    if known:
        first = second = subtree
    else:
        first = second = proof[0]
        position = 1
    for step in reversed(steps):
        sibling = proof[position]
        position += 1
        if step == "left":
            second = node_hash(second, sibling)
        else:
            second = node_hash(sibling, second)
            if step == "right-in-subtree":
                first = node_hash(sibling, first)
    if first != subtree:
        raise _mismatch("old tree (or subtree) hash", first, subtree)
    if second != root:
        raise _mismatch(f"root of tree size {size}", second, root)


# --- C2SP signed-note, tlog-checkpoint, tlog-cosignature -----------------------------


@dataclass(frozen=True, slots=True)
class Verifier:
    """A public key that may have signed a note: its name, key id, type and key bytes."""

    name: str
    key_id: bytes
    sig_type: int
    public_key: bytes

    @property
    def vkey(self) -> str:
        """The C2SP ``vkey`` text: name+hex(key id)+base64(type || public key)."""
        encoded = base64.b64encode(bytes([self.sig_type]) + self.public_key).decode()
        return f"{self.name}+{self.key_id.hex()}+{encoded}"


def check_key_name(name: str) -> None:
    """signed-note key names are non-empty, with no whitespace and no ``+``."""
    if not name or "+" in name or any(c.isspace() for c in name):
        raise VerificationError(f"invalid key name {name!r}: must be non-empty, no spaces or '+'")


def key_id(name: str, sig_type: int, public_key: bytes) -> bytes:
    """C2SP key id: the first 4 bytes of SHA-256(name || 0x0A || type || public key)."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([sig_type]) + public_key).digest()[:4]


def parse_vkey(text: str) -> Verifier:
    """Parse ``name+hash+base64(type||key)``, checking that the hash matches the key."""
    parts = text.strip().split("+", 2)
    if len(parts) != 3:
        raise VerificationError(f"malformed vkey {text!r}: expected name+hash+key")
    name, hash_hex, encoded = parts
    check_key_name(name)
    try:
        raw = base64.b64decode(encoded, validate=True)
        claimed = bytes.fromhex(hash_hex)
    except (binascii.Error, ValueError) as exc:
        raise VerificationError(f"malformed vkey {text!r}: {exc}") from exc
    if len(raw) != 33 or raw[0] not in (SIG_ED25519, SIG_COSIGNATURE_V1):
        raise VerificationError(
            f"vkey {name}: only Ed25519 (type 0x01) and cosignature/v1 (0x04) keys are supported"
        )
    verifier = Verifier(name, key_id(name, raw[0], raw[1:]), raw[0], raw[1:])
    if len(claimed) != 4 or claimed != verifier.key_id:
        raise VerificationError(f"vkey {name}: key hash {hash_hex} does not match the key")
    return verifier


@dataclass(frozen=True, slots=True)
class NoteSignature:
    name: str
    key_id: bytes
    signature: bytes


@dataclass(frozen=True, slots=True)
class Note:
    """A signed note split into its text (what is signed) and its signature lines."""

    text: str
    signatures: tuple[NoteSignature, ...]


def parse_note(data: bytes | str) -> Note:
    """Split a C2SP signed note; reject anything the format does not allow.

    The text ends with a newline and is followed by one blank line and signature
    lines of the form ``— name base64(key id || signature)``.
    """
    raw = data.decode("utf-8") if isinstance(data, bytes) else data
    if any(ord(c) < 0x20 and c != "\n" for c in raw):
        raise VerificationError("note contains control characters")
    split = raw.rfind("\n\n")
    if split < 0:
        raise VerificationError("note has no blank line before its signatures")
    text, sig_block = raw[: split + 1], raw[split + 2 :]
    if not sig_block.endswith("\n"):
        raise VerificationError("note signature block must end with a newline")
    signatures = []
    for number, line in enumerate(sig_block[:-1].split("\n"), start=1):
        prefix = EM_DASH + " "
        if not line.startswith(prefix):
            raise VerificationError(f"signature line {number} does not start with '— '")
        fields = line[len(prefix) :].split(" ")
        if len(fields) != 2:
            raise VerificationError(f"signature line {number} is not '— name signature'")
        name, encoded = fields
        check_key_name(name)
        try:
            blob = base64.b64decode(encoded, validate=True)
        except binascii.Error as exc:
            raise VerificationError(f"signature line {number} ({name}): bad base64") from exc
        if len(blob) < 5:
            raise VerificationError(f"signature line {number} ({name}): too short")
        signatures.append(NoteSignature(name, blob[:4], blob[4:]))
    if not signatures:
        raise VerificationError("note has no signatures")
    return Note(text, tuple(signatures))


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A tlog-checkpoint body: origin, tree size, root hash and any extension lines."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def text(self) -> str:
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode()]
        return "\n".join([*lines, *self.extensions]) + "\n"


def parse_checkpoint(text: str) -> Checkpoint:
    """Parse the checkpoint body (the note text); sizes are decimal without leading zeros."""
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "":
        raise VerificationError("checkpoint needs origin, size and root lines, each ending in \\n")
    origin, size_text, root_text = lines[0], lines[1], lines[2]
    if not origin:
        raise VerificationError("checkpoint origin line is empty")
    if not size_text.isdigit() or (size_text != "0" and size_text.startswith("0")):
        raise VerificationError(f"checkpoint tree size {size_text!r} is not a decimal number")
    try:
        root = base64.b64decode(root_text, validate=True)
    except binascii.Error as exc:
        raise VerificationError("checkpoint root hash is not base64") from exc
    _check_hash(root, "checkpoint root hash")
    extensions = tuple(lines[3:-1])
    if any(not line for line in extensions):
        raise VerificationError("checkpoint has an empty extension line")
    return Checkpoint(origin, int(size_text), root, extensions)


def cosignature_message(note_text: str, timestamp: int) -> bytes:
    """The tlog-cosignature/v1 signed message: header, time line, then the note text."""
    return f"cosignature/v1\ntime {timestamp}\n{note_text}".encode()


def _ed25519_ok(public_key: bytes, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass(slots=True)
class NoteCheck:
    """Which trusted keys signed a note validly, and what went wrong with the others."""

    signers: list[str] = field(default_factory=list)
    cosigners: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def check_note_signatures(note: Note, verifiers: Sequence[Verifier]) -> NoteCheck:
    """Verify every signature line made by a key in ``verifiers``; ignore unknown keys.

    A line whose name and key id match a trusted key but whose signature is wrong is a
    problem (tampering); a line from a key we were not given is simply not counted, as
    the signed-note specification requires.
    """
    result = NoteCheck()
    for sig in note.signatures:
        for verifier in verifiers:
            if verifier.name != sig.name or verifier.key_id != sig.key_id:
                continue
            if verifier.sig_type == SIG_ED25519:
                if _ed25519_ok(verifier.public_key, sig.signature, note.text.encode()):
                    result.signers.append(sig.name)
                else:
                    result.problems.append(f"signature by {sig.name} does not verify")
            else:
                if len(sig.signature) != 8 + 64:
                    result.problems.append(f"cosignature by {sig.name} has the wrong length")
                    continue
                timestamp = int.from_bytes(sig.signature[:8], "big")
                message = cosignature_message(note.text, timestamp)
                if timestamp < 2**63 and _ed25519_ok(
                    verifier.public_key, sig.signature[8:], message
                ):
                    result.cosigners[sig.name] = timestamp
                else:
                    result.problems.append(f"cosignature by {sig.name} does not verify")
    return result


def verify_checkpoint(
    data: bytes | str, log_keys: Sequence[Verifier], witness_keys: Sequence[Verifier] = ()
) -> tuple[Checkpoint, NoteCheck]:
    """Parse a signed checkpoint; raise unless a trusted log key signed it and nothing is forged."""
    note = parse_note(data)
    checkpoint = parse_checkpoint(note.text)
    check = check_note_signatures(note, [*log_keys, *witness_keys])
    if check.problems:
        raise VerificationError("checkpoint: " + "; ".join(check.problems))
    log_names = {k.name for k in log_keys}
    if not any(name in log_names for name in check.signers):
        raise VerificationError("checkpoint is not signed by any trusted log key")
    return checkpoint, check


# --- Evidence bundles ------------------------------------------------------------------

ERASURE_KIND = "erasure"


@dataclass(slots=True)
class BundleReport:
    """The outcome of checking a bundle: every failure names the file or item and the check."""

    bundle: str
    items: int = 0
    erased: int = 0
    tree_size: int | None = None
    origin: str | None = None
    signers: list[str] = field(default_factory=list)
    cosigners: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def lines(self) -> list[str]:
        """A human-readable report, one finding per line."""
        out = [f"bundle {self.bundle}: {'VERIFIED' if self.ok else 'FAILED'}"]
        if self.origin is not None:
            out.append(f"log {self.origin} at tree size {self.tree_size}")
        out.append(f"signed by: {', '.join(self.signers) or 'nobody trusted'}")
        out.append(f"cosigned by: {', '.join(self.cosigners) or 'no trusted witness'}")
        out.append(f"items: {self.items} ({self.erased} erased, leaf and proof still verified)")
        out.extend(f"warning: {w}" for w in self.warnings)
        out.extend(f"FAIL: {f}" for f in self.failures)
        return out


def _b64(value: Any, what: str) -> bytes:
    if not isinstance(value, str):
        raise VerificationError(f"{what} is not a base64 string")
    try:
        return base64.b64decode(value, validate=True)
    except binascii.Error as exc:
        raise VerificationError(f"{what} is not valid base64") from exc


def _read(archive: zipfile.ZipFile, name: Any, what: str) -> bytes:
    if not isinstance(name, str) or name not in archive.namelist():
        raise VerificationError(f"{what}: file {name!r} is missing from the bundle")
    try:
        return archive.read(name)
    except (zipfile.BadZipFile, OSError) as exc:
        raise VerificationError(f"{what}: file {name} is corrupt in the zip ({exc})") from exc


def parse_leaf(data: bytes) -> dict[str, Any]:
    """Decode a Tracelight leaf: canonical JSON (sorted keys, no spaces) with an item hash."""
    try:
        leaf = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise VerificationError(f"leaf is not UTF-8 JSON ({exc})") from exc
    if not isinstance(leaf, dict):
        raise VerificationError("leaf is not a JSON object")
    item = leaf.get("item")
    if not isinstance(item, str) or len(item) != 64 or item.strip("0123456789abcdef"):
        raise VerificationError("leaf has no SHA-256 'item' hash")
    canonical = json.dumps(leaf, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    if canonical.encode() != data:
        raise VerificationError("leaf is not in canonical form")
    return leaf


def _check_item(
    archive: zipfile.ZipFile, entry: Any, checkpoint: Checkpoint
) -> tuple[int, dict[str, Any]]:
    """Check one manifest entry's leaf and proof; return its index and decoded leaf."""
    if not isinstance(entry, dict) or not isinstance(entry.get("index"), int):
        raise VerificationError("manifest item without an integer index")
    index: int = entry["index"]
    label = f"item {index}"
    leaf_bytes = _read(archive, entry.get("leaf"), label)
    computed_leaf_hash = leaf_hash(leaf_bytes)
    try:
        proof_doc = json.loads(_read(archive, entry.get("proof"), label))
    except json.JSONDecodeError as exc:
        raise VerificationError(f"{label}: proof file {entry.get('proof')} is not JSON") from exc
    if not isinstance(proof_doc, dict):
        raise VerificationError(f"{label}: proof file {entry.get('proof')} is not an object")
    if proof_doc.get("index") != index or proof_doc.get("tree_size") != checkpoint.size:
        raise VerificationError(
            f"{label}: proof is for index {proof_doc.get('index')} at tree size "
            f"{proof_doc.get('tree_size')}, not index {index} at {checkpoint.size}"
        )
    claimed = _b64(proof_doc.get("leaf_hash"), f"{label}: proof leaf_hash")
    if claimed != computed_leaf_hash:
        raise VerificationError(
            f"{label}: leaf file {entry.get('leaf')} hashes to {computed_leaf_hash.hex()}, "
            f"the proof is for {claimed.hex()}"
        )
    hashes = proof_doc.get("proof")
    if not isinstance(hashes, list):
        raise VerificationError(f"{label}: proof file has no 'proof' list")
    proof = [_b64(h, f"{label}: proof[{i}]") for i, h in enumerate(hashes)]
    try:
        verify_inclusion(index, checkpoint.size, computed_leaf_hash, proof, checkpoint.root)
    except VerificationError as exc:
        raise VerificationError(
            f"{label}: inclusion proof {entry.get('proof')} does not verify: {exc}"
        ) from exc
    try:
        leaf = parse_leaf(leaf_bytes)
    except VerificationError as exc:
        raise VerificationError(f"{label}: leaf file {entry.get('leaf')}: {exc}") from exc
    return index, leaf


def verify_bundle(path: str | Path, keys: Sequence[str] = ()) -> BundleReport:
    """Check everything in a bundle offline; collect every failure rather than stop at one.

    ``keys`` are vkeys the reader trusts: Ed25519 log keys (type 0x01) and witness
    cosignature keys (type 0x04). Without a log key the bundle's own key is used and a
    warning says so, because a bundle that vouches for itself proves integrity, not origin.
    """
    report = BundleReport(bundle=str(path))
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        report.failures.append(f"{path}: not a readable zip file ({exc})")
        return report
    with archive:
        try:
            manifest = json.loads(_read(archive, "manifest.json", "manifest"))
            if not isinstance(manifest, dict) or manifest.get("format") != BUNDLE_FORMAT:
                raise VerificationError(f"manifest.json: format is not {BUNDLE_FORMAT}")
            trusted = [parse_vkey(k) for k in keys]
            log_keys = [k for k in trusted if k.sig_type == SIG_ED25519]
            witness_keys = [k for k in trusted if k.sig_type == SIG_COSIGNATURE_V1]
            if not log_keys:
                log_keys = [parse_vkey(str(manifest.get("log_vkey", "")))]
                report.warnings.append(
                    "no --key given: the checkpoint was checked against the key the bundle "
                    "names itself, which shows integrity but not who signed"
                )
            note_bytes = _read(archive, manifest.get("checkpoint"), "checkpoint")
            try:
                checkpoint, check = verify_checkpoint(note_bytes, log_keys, witness_keys)
            except (VerificationError, UnicodeDecodeError) as exc:
                raise VerificationError(f"{manifest.get('checkpoint')}: {exc}") from exc
        except (VerificationError, json.JSONDecodeError) as exc:
            report.failures.append(str(exc))
            return report
        report.origin, report.tree_size = checkpoint.origin, checkpoint.size
        report.signers, report.cosigners = check.signers, sorted(check.cosigners)
        if manifest.get("origin") != checkpoint.origin:
            report.failures.append(
                f"manifest origin {manifest.get('origin')!r} is not the checkpoint's "
                f"{checkpoint.origin!r}"
            )
        entries = manifest.get("items")
        if not isinstance(entries, list):
            report.failures.append("manifest.json: 'items' is not a list")
            return report
        leaves: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {}
        for entry in entries:
            try:
                index, leaf = _check_item(archive, entry, checkpoint)
            except VerificationError as exc:
                report.failures.append(str(exc))
                continue
            leaves[index] = (entry, leaf)
        erased = {
            leaf["item"]: index
            for index, (_, leaf) in leaves.items()
            if leaf.get("kind") == ERASURE_KIND
        }
        for index, (entry, leaf) in sorted(leaves.items()):
            report.items += 1
            if leaf.get("kind") == ERASURE_KIND:
                continue
            content_name = entry.get("content")
            if content_name is None:
                if leaf["item"] in erased:
                    report.erased += 1
                else:
                    report.failures.append(
                        f"item {index}: content is missing and no erasure record for "
                        f"{leaf['item']} is in the bundle"
                    )
                continue
            try:
                content = _read(archive, content_name, f"item {index}")
            except VerificationError as exc:
                report.failures.append(str(exc))
                continue
            digest = hashlib.sha256(content).hexdigest()
            if digest != leaf["item"]:
                report.failures.append(
                    f"item {index}: content file {content_name} hashes to {digest}, "
                    f"the leaf records {leaf['item']}"
                )
    return report


def main(argv: Sequence[str] | None = None) -> int:
    """``python verify.py BUNDLE [--key VKEY]...``: exit 0 only when everything verifies."""
    import argparse

    parser = argparse.ArgumentParser(description="Verify a Tracelight evidence bundle offline.")
    parser.add_argument("bundle")
    parser.add_argument("--key", action="append", default=[], help="trusted vkey (repeatable)")
    args = parser.parse_args(argv)
    try:
        report = verify_bundle(args.bundle, args.key)
    except VerificationError as exc:
        print(f"FAIL: {exc}")
        return 1
    print("\n".join(report.lines()))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
