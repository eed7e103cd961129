"""C2SP signed notes and checkpoints: writing them, and merging cosignatures.

Parsing and verification are in :mod:`tracelight.ledger.verify` (the standalone
verifier) and re-exported here, so there is one reading of the format and the code
that writes notes cannot drift from the code a court uses to check them.
"""

from __future__ import annotations

from collections.abc import Sequence

from tracelight.ledger.keys import SigningKey
from tracelight.ledger.verify import (
    EM_DASH,
    Checkpoint,
    Note,
    NoteCheck,
    VerificationError,
    Verifier,
    check_note_signatures,
    parse_checkpoint,
    parse_note,
    parse_vkey,
    verify_checkpoint,
)

__all__ = [
    "Checkpoint",
    "Note",
    "NoteCheck",
    "VerificationError",
    "Verifier",
    "add_signatures",
    "check_note_signatures",
    "format_note",
    "parse_checkpoint",
    "parse_note",
    "parse_vkey",
    "sign_checkpoint",
    "verify_checkpoint",
]


def format_note(text: str, signature_lines: Sequence[str]) -> str:
    """Text, one blank line, then the signature lines: the signed-note layout."""
    if not text.endswith("\n"):
        raise ValueError("note text must end with a newline")
    return text + "\n" + "".join(signature_lines)


def sign_checkpoint(checkpoint: Checkpoint, key: SigningKey) -> str:
    """A checkpoint signed by the log key; the key name must be the checkpoint origin."""
    if key.name != checkpoint.origin:
        raise ValueError(f"log key {key.name!r} does not match origin {checkpoint.origin!r}")
    text = checkpoint.text()
    return format_note(text, [key.sign_line(text)])


def add_signatures(note: str, other: str) -> str:
    """Merge the signature lines of ``other`` into ``note``; both must sign the same text.

    Used to attach witness cosignatures to the log's own checkpoint; a line already
    present is not repeated.
    """
    mine, theirs = parse_note(note), parse_note(other)
    if mine.text != theirs.text:
        raise VerificationError("cosigned note is for a different checkpoint")
    lines = note[len(mine.text) + 1 :].splitlines(keepends=True)
    for line in other[len(theirs.text) + 1 :].splitlines(keepends=True):
        if line.startswith(EM_DASH) and line not in lines:
            lines.append(line)
    return format_note(mine.text, lines)
