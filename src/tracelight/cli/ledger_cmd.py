"""``tracelight ledger``, ``tracelight evidence`` and ``tracelight verify``.

The log key lives in ``<workspace>/ledger/log.key`` (created on first use, mode
0600); its name is the log's origin. Notes and proofs are printed exactly as the
C2SP formats and RFC 9162 define them, so other tools can consume the output.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import Connection

from tracelight.cli.common import DbOpt, JsonOpt, WorkspaceOpt, failures, workspace_of
from tracelight.cli.render import emit_json
from tracelight.ledger import bundle as bundle_mod
from tracelight.ledger import log, merkle, witness
from tracelight.ledger.evidence import evidence_store
from tracelight.ledger.keys import SigningKey, log_key_path, workspace_log_key
from tracelight.ledger.verify import SIG_COSIGNATURE_V1, parse_vkey, verify_bundle
from tracelight.store import repository as repo
from tracelight.store.db import open_engine
from tracelight.store.workspace import Workspace

ledger_app = typer.Typer(
    help="The evidence ledger: checkpoints, keys, proofs, witnesses.", no_args_is_help=True
)
evidence_app = typer.Typer(help="Evidence bundles and erasure.", no_args_is_help=True)


def key_path(ws: Workspace) -> Path:
    return log_key_path(ws.root)


def log_key(ws: Workspace, origin: str | None = None) -> SigningKey:
    """The workspace's log key, generated on first use (origin: --origin or a random name)."""
    ws.ensure()
    return workspace_log_key(ws.root, origin)


@contextmanager
def _store(ws: Workspace, write: bool = False) -> Iterator[Connection]:
    engine = open_engine(ws.db_url)
    try:
        with engine.begin() if write else engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


@ledger_app.command("key")
def key_cmd(
    public: Annotated[bool, typer.Option("--public", help="Print only the vkey.")] = False,
    origin: Annotated[str | None, typer.Option(help="Origin (key name) for a new key.")] = None,
    witness_name: Annotated[
        str | None, typer.Option("--witness", help="Create a witness key with this name.")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Where to write a new witness key.")] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Print the log's public verifier key (C2SP vkey), creating the key if needed."""
    with failures():
        if witness_name is not None:
            if out is None:
                raise ValueError("--witness needs --out FILE for the private key")
            wkey = SigningKey.generate(witness_name, SIG_COSIGNATURE_V1)
            wkey.save(out)
            typer.echo(wkey.vkey)
            return
        ws = workspace_of(workspace, None)
        key = log_key(ws, origin)
        typer.echo(key.vkey if public else f"{key.vkey}\n(private key: {key_path(ws)})")


@ledger_app.command("checkpoint")
def checkpoint_cmd(workspace: WorkspaceOpt = None, db: DbOpt = None) -> None:
    """Sign and print the current checkpoint (C2SP tlog-checkpoint as a signed note)."""
    with failures():
        ws = workspace_of(workspace, db)
        key = log_key(ws)
        with _store(ws, write=True) as conn:
            sys.stdout.write(log.checkpoint(conn, key))


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode()


@ledger_app.command("proof")
def proof_cmd(
    index: Annotated[int | None, typer.Option(help="Leaf index for an inclusion proof.")] = None,
    size: Annotated[int | None, typer.Option(help="Tree size (default: current).")] = None,
    consistency: Annotated[
        tuple[int, int] | None,
        typer.Option(help="OLD NEW: a consistency proof between two sizes."),
    ] = None,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Print an inclusion proof (--index N) or a consistency proof (--consistency OLD NEW)."""
    with failures():
        if (index is None) == (consistency is None):
            raise typer.BadParameter("give exactly one of --index or --consistency")
        ws = workspace_of(workspace, db)
        with _store(ws) as conn:
            if index is not None:
                tree_size = size if size is not None else log.head(conn)[0]
                proof = log.inclusion_proof(conn, index, tree_size)
                doc: dict[str, object] = {
                    "index": index,
                    "tree_size": tree_size,
                    "leaf_hash": _b64(merkle.leaf_hash(log.leaf_at(conn, index))),
                    "proof": [_b64(p) for p in proof],
                }
            else:
                assert consistency is not None
                old, new = consistency
                proof = log.consistency_proof(conn, old, new)
                doc = {
                    "size1": old,
                    "size2": new,
                    "root1": _b64(log.root_at(conn, old)),
                    "root2": _b64(log.root_at(conn, new)),
                    "proof": [_b64(p) for p in proof],
                }
        if as_json:
            emit_json(doc)
        else:
            for name, value in doc.items():
                typer.echo(f"{name}: {value}")


@ledger_app.command("witness")
def witness_cmd(
    checkpoint: Annotated[Path, typer.Argument(help="The log's signed checkpoint file.")],
    log_vkey: Annotated[str, typer.Option("--log-key", help="The log's vkey.")],
    key: Annotated[Path, typer.Option("--key", help="This witness's private key file.")],
    state: Annotated[Path, typer.Option(help="Folder where the witness keeps what it saw.")],
    proof: Annotated[
        Path | None, typer.Option(help="Consistency proof JSON from the last cosigned size.")
    ] = None,
) -> None:
    """Cosign a checkpoint after checking it extends the last one this witness saw."""
    with failures():
        hashes: list[bytes] = []
        if proof is not None:
            doc = json.loads(proof.read_text(encoding="utf-8"))
            hashes = [base64.b64decode(h, validate=True) for h in doc["proof"]]
        note = checkpoint.read_text(encoding="utf-8")
        cosigned = witness.cosign(state, SigningKey.load(key), parse_vkey(log_vkey), note, hashes)
        sys.stdout.write(cosigned)


@ledger_app.command("add-cosignature")
def add_cosignature_cmd(
    cosigned: Annotated[Path, typer.Argument(help="A checkpoint cosigned by a witness.")],
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Attach a witness's cosignature to the stored checkpoint and print the result."""
    with failures():
        ws = workspace_of(workspace, db)
        with _store(ws, write=True) as conn:
            sys.stdout.write(log.add_cosignature(conn, cosigned.read_text(encoding="utf-8")))


@ledger_app.command("audit")
def audit_cmd(workspace: WorkspaceOpt = None, db: DbOpt = None) -> None:
    """Recompute the whole tree and decrypt every item; exit 1 naming each problem."""
    with failures():
        ws = workspace_of(workspace, db)
        with _store(ws) as conn:
            problems = log.audit(conn) + evidence_store(ws.root).check_all(conn)
            size, root = log.head(conn)
        for problem in problems:
            typer.echo(f"FAIL: {problem}", err=True)
        if problems:
            raise typer.Exit(1)
        typer.echo(f"ledger ok: {size} leaves, root {root.hex()}")


@evidence_app.command("export")
def export_cmd(
    out: Annotated[Path, typer.Option("--out", help="The bundle (zip) to write.")],
    post: Annotated[list[str] | None, typer.Option(help="A post id (repeatable).")] = None,
    network: Annotated[list[str] | None, typer.Option(help="A network id (repeatable).")] = None,
    case: Annotated[
        int | None, typer.Option(help="A case: every post and network it holds.")
    ] = None,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Write an evidence bundle: items, leaves, proofs and the signed checkpoint."""
    with failures():
        ws = workspace_of(workspace, db)
        key = log_key(ws)
        posts, networks = list(post or []), list(network or [])
        with _store(ws, write=True) as conn:
            if case is not None:
                refs = repo.case_refs(conn, case)
                if refs is None:
                    raise typer.BadParameter(f"no case {case} in this store", param_hint="--case")
                if not refs["post"] and not refs["network"]:
                    raise typer.BadParameter(f"case {case} holds nothing yet", param_hint="--case")
                posts += refs["post"]
                networks += refs["network"]
            store = evidence_store(ws.root)
            summary = bundle_mod.export(conn, store, out, key=key, posts=posts, networks=networks)
            scope = {
                "case": case,
                "posts": len(posts),
                "networks": len(networks),
                "items": summary["items"],
                "tree_size": summary["tree_size"],
            }
            bundle_mod.record_export(
                conn,
                store,
                bundle_sha256=hashlib.sha256(out.read_bytes()).hexdigest(),
                scope=scope,
                ref=f"case/{case}" if case is not None else "export",
                actor="tracelight evidence export",
                org=repo.DEFAULT_ORG,
            )
        if as_json:
            emit_json(summary)
        else:
            typer.echo(
                f"wrote {summary['bundle']}: {summary['items']} entries "
                f"at tree size {summary['tree_size']}"
            )


@evidence_app.command("erase")
def erase_cmd(
    item: Annotated[str, typer.Argument(help="SHA-256 of the item to crypto-shred.")],
    reason: Annotated[str, typer.Option(help="Why (recorded in the erasure leaf).")] = "",
    actor: Annotated[str, typer.Option(help="Who erases it.")] = "tracelight evidence erase",
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Destroy an item's key and blob; its leaf and proofs stay valid, the erasure is logged."""
    with failures():
        ws = workspace_of(workspace, db)
        with _store(ws, write=True) as conn:
            index = evidence_store(ws.root).erase(conn, item, actor=actor, reason=reason)
        typer.echo(f"erased {item}; erasure recorded at leaf {index}")


def verify(
    bundle: Annotated[Path, typer.Argument(help="The evidence bundle (zip).")],
    key: Annotated[
        list[str] | None, typer.Option("--key", help="A trusted vkey (log or witness).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Verify an evidence bundle offline; exit 0 only when everything verifies."""
    with failures():
        report = verify_bundle(bundle, key or [])
        if as_json:
            emit_json(
                {
                    "ok": report.ok,
                    "failures": report.failures,
                    "warnings": report.warnings,
                    "items": report.items,
                    "erased": report.erased,
                    "signers": report.signers,
                    "cosigners": report.cosigners,
                }
            )
        else:
            typer.echo("\n".join(report.lines()))
        if not report.ok:
            raise typer.Exit(1)
