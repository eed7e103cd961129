"""Our signed notes against Go's reference implementation, ``golang.org/x/mod/sumdb/note``.

The ledger's checkpoints claim to be C2SP signed notes that standard verifiers accept.
This builds ``tests/go/notecheck.go`` with Debian's Go toolchain and the Debian
packaging of ``golang.org/x/mod`` (both installed by ``make test`` on CI, GOPATH mode, no
network) and checks both directions: Go opens our checkpoints with our vkey, and we
verify notes Go signed; Ed25519 being deterministic, the same key must give byte-equal
signature lines on both sides.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tracelight.ledger.keys import SigningKey
from tracelight.ledger.note import add_signatures, format_note, sign_checkpoint
from tracelight.ledger.verify import (
    Checkpoint,
    VerificationError,
    check_note_signatures,
    parse_note,
    parse_vkey,
    verify_checkpoint,
)

GOPATH = Path("/usr/share/gocode")
NOTE_SOURCE = GOPATH / "src/golang.org/x/mod/sumdb/note/note.go"
PROGRAM = Path(__file__).parent / "go" / "notecheck.go"
ORIGIN = "tracelight.example/interop-log"


@pytest.fixture(scope="module")
def notecheck(tmp_path_factory: pytest.TempPathFactory) -> Path:
    go = shutil.which("go")
    if go is None or not NOTE_SOURCE.exists():
        pytest.skip(
            "Go or golang.org/x/mod missing: apt-get install golang-go "
            "golang-golang-x-mod-dev (make test does this as root)"
        )
    folder = tmp_path_factory.mktemp("go")
    binary = folder / "notecheck"
    env = {
        **os.environ,
        "GO111MODULE": "off",
        "GOPATH": str(GOPATH),
        "GOCACHE": str(folder / "cache"),
        "GOFLAGS": "",
        "GOPROXY": "off",
    }
    subprocess.run(
        [go, "build", "-o", str(binary), str(PROGRAM)],
        check=True,
        env=env,
        cwd=folder,
        capture_output=True,
        timeout=300,
    )
    return binary


def _go(binary: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(binary), *args], capture_output=True, text=True, timeout=60, check=False
    )


def _checkpoint(key: SigningKey, size: int = 1234) -> str:
    root = hashlib.sha256(b"interop root").digest()
    return sign_checkpoint(Checkpoint(key.name, size, root), key)


def test_go_opens_our_checkpoint_with_our_vkey(notecheck: Path, tmp_path: Path) -> None:
    key = SigningKey.generate(ORIGIN)
    note = _checkpoint(key)
    path = tmp_path / "checkpoint"
    path.write_text(note, encoding="utf-8")
    result = _go(notecheck, "verify", key.vkey, str(path))
    assert result.returncode == 0, result.stderr
    text = parse_note(note).text
    assert result.stdout == text + f"verified {ORIGIN} {key.key_id.hex()}\n"


def test_go_accepts_a_checkpoint_carrying_a_witness_cosignature(
    notecheck: Path, tmp_path: Path
) -> None:
    # Verifiers that do not know a witness key must skip its line, not reject the note.
    key, witness = SigningKey.generate(ORIGIN), SigningKey.generate("witness.example/w1")
    note = _checkpoint(key)
    text = parse_note(note).text
    cosigned = add_signatures(note, format_note(text, [witness.cosign_line(text, 1700000000)]))
    path = tmp_path / "cosigned"
    path.write_text(cosigned, encoding="utf-8")
    result = _go(notecheck, "verify", key.vkey, str(path))
    assert result.returncode == 0, result.stderr
    assert f"verified {ORIGIN} " in result.stdout
    assert f"unverified witness.example/w1 {witness.key_id.hex()}" in result.stdout


@pytest.mark.parametrize(
    ("what", "change"),
    [
        ("tree size", lambda n: n.replace("\n1234\n", "\n1235\n")),
        ("signature", lambda n: n[:-6] + ("A" if n[-6] != "A" else "B") + n[-5:]),
        ("origin", lambda n: n.replace(ORIGIN + "\n", ORIGIN + "x\n", 1)),
    ],
)
def test_go_rejects_a_tampered_checkpoint(
    notecheck: Path, tmp_path: Path, what: str, change: Callable[[str], str]
) -> None:
    key = SigningKey.generate(ORIGIN)
    note = _checkpoint(key)
    tampered = change(note)
    assert tampered != note, what
    path = tmp_path / "tampered"
    path.write_text(tampered, encoding="utf-8")
    result = _go(notecheck, "verify", key.vkey, str(path))
    assert result.returncode == 1, f"Go accepted a checkpoint with a changed {what}"
    with pytest.raises(VerificationError):
        verify_checkpoint(tampered, [key.verifier])


def test_we_verify_what_go_signs_and_sign_byte_for_byte_alike(
    notecheck: Path, tmp_path: Path
) -> None:
    generated = _go(notecheck, "generate", "go.example/log")
    assert generated.returncode == 0, generated.stderr
    skey, vkey = generated.stdout.split()
    ours = SigningKey.from_skey(skey, "Go-generated key")
    assert ours.vkey == vkey
    text = "go.example/log\n42\n" + "q" * 43 + "=\n"
    path = tmp_path / "text"
    path.write_text(text, encoding="utf-8")
    signed = _go(notecheck, "sign", skey, str(path))
    assert signed.returncode == 0, signed.stderr
    check = check_note_signatures(parse_note(signed.stdout), [parse_vkey(vkey)])
    assert check.problems == [] and check.signers == ["go.example/log"]
    assert signed.stdout == format_note(text, [ours.sign_line(text)])
