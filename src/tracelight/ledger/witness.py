"""A witness: cosign a log's checkpoint only after proving it extends the last one seen.

The witness is another organisation. It keeps, per log origin, the last checkpoint
it cosigned (a file in its own state folder, never the log's database). Shown a new
checkpoint and a consistency proof from the old one, it checks the log's signature,
refuses a smaller tree (rollback), a different root at the same size (a fork) or a
proof that fails (rewritten history), and only then cosigns and remembers the new
checkpoint. A log that shows two histories to two witnesses therefore cannot get
both cosigned past the point where they diverge.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from tracelight.ledger.keys import SigningKey
from tracelight.ledger.note import add_signatures, format_note, parse_note
from tracelight.ledger.verify import (
    Checkpoint,
    VerificationError,
    Verifier,
    verify_checkpoint,
    verify_consistency,
)


class WitnessRefusal(VerificationError):
    """The witness will not cosign; the message says why (fork, rollback, bad proof)."""


def _state_file(state: Path, origin: str) -> Path:
    return state / (hashlib.sha256(origin.encode()).hexdigest()[:32] + ".checkpoint")


def last_seen(state: Path, origin: str, log_key: Verifier) -> Checkpoint | None:
    path = _state_file(state, origin)
    if not path.exists():
        return None
    checkpoint, _ = verify_checkpoint(path.read_bytes(), [log_key])
    return checkpoint


def cosign(  # noqa: PLR0917 - state, keys, note and proof are all required
    state: Path,
    witness_key: SigningKey,
    log_key: Verifier,
    note: str,
    proof: Sequence[bytes],
    timestamp: int | None = None,
) -> str:
    """Verify ``note`` against the last seen checkpoint and return it with our cosignature."""
    checkpoint, _ = verify_checkpoint(note, [log_key])
    previous = last_seen(state, checkpoint.origin, log_key)
    if previous is not None:
        if checkpoint.size < previous.size:
            raise WitnessRefusal(
                f"rollback: {checkpoint.origin} at size {checkpoint.size} is older than the "
                f"size {previous.size} already cosigned"
            )
        try:
            verify_consistency(
                previous.size, checkpoint.size, proof, previous.root, checkpoint.root
            )
        except VerificationError as exc:
            raise WitnessRefusal(
                f"split view: {checkpoint.origin} at size {checkpoint.size} is not consistent "
                f"with the size {previous.size} already cosigned ({exc})"
            ) from exc
    text = parse_note(note).text
    mine = format_note(text, [witness_key.cosign_line(text, timestamp)])
    state.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=state, prefix=".tmp-")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(note)
    os.replace(temp, _state_file(state, checkpoint.origin))
    return add_signatures(note, mine)
