"""The store-backed ledger: appends, checkpoints, witnesses, bundles, erasure, tampering."""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, create_engine, select, update
from typer.testing import CliRunner

from helpers import ad, write_jsonl
from tracelight.cli.main import app
from tracelight.ingest import ReadOptions
from tracelight.ledger import bundle, log, merkle, witness
from tracelight.ledger.evidence import (
    EvidenceError,
    Item,
    evidence_store,
    record,
    record_analysis,
    record_ingest,
)
from tracelight.ledger.keys import SigningKey
from tracelight.ledger.note import add_signatures, parse_note
from tracelight.ledger.verify import (
    SIG_COSIGNATURE_V1,
    VerificationError,
    parse_vkey,
    verify_bundle,
    verify_checkpoint,
    verify_consistency,
    verify_inclusion,
)
from tracelight.model import ImageBlob, Mention, Network, Post
from tracelight.pipeline.ingest import ingest_sources
from tracelight.store import repository as repo
from tracelight.store import schema as t
from tracelight.store.db import open_engine
from tracelight.store.migrate import upgrade
from tracelight.store.workspace import Workspace
from tracelight.web.accounts import add_user

ORIGIN = "tracelight.example/test-log"


def _engine(url: str) -> Engine:
    return open_engine(url)


def _leaves(n: int, start: int = 0) -> list[log.Leaf]:
    return [
        log.Leaf("post", hashlib.sha256(str(i).encode()).hexdigest(), "test", "org", "t", f"p{i}")
        for i in range(start, start + n)
    ]


@pytest.fixture
def key() -> SigningKey:
    return SigningKey.generate(ORIGIN)


# --- the log on both backends -----------------------------------------------------------


def test_batched_appends_match_the_reference_tree(db_url: str) -> None:
    engine = _engine(db_url)
    try:
        leaves = _leaves(45)
        with engine.begin() as conn:
            assert log.append(conn, leaves[:20]) == list(range(20))
        with engine.begin() as conn:
            for position in range(20, 45, 6):
                log.append(conn, leaves[position : position + 6])
        hashes = [merkle.leaf_hash(leaf.encode()) for leaf in leaves]
        with engine.connect() as conn:
            size, root = log.head(conn)
            assert size == 45 and root == merkle.root_from_leaves(hashes)
            for old in (1, 7, 16, 20, 44):
                old_root = log.root_at(conn, old)
                assert old_root == merkle.root_from_leaves(hashes[:old])
                verify_consistency(old, 45, log.consistency_proof(conn, old, 45), old_root, root)
            for index in (0, 13, 31, 44):
                verify_inclusion(index, 45, hashes[index], log.inclusion_proof(conn, index), root)
                old_proof = log.inclusion_proof(conn, index, 44) if index < 44 else []
                if index < 44:
                    verify_inclusion(index, 44, hashes[index], old_proof, log.root_at(conn, 44))
            assert log.audit(conn) == []
            nodes = conn.execute(select(t.ledger_nodes.c.id)).all()
            assert len(nodes) == 2 * 45 - bin(45).count("1")
    finally:
        engine.dispose()


_TEXT = st.text(st.characters(codec="utf-8"), max_size=40)


@settings(max_examples=300, deadline=None)
@given(_TEXT, _TEXT, _TEXT, _TEXT, _TEXT, _TEXT)
def test_leaf_encoding_is_the_canonical_json_of_its_fields(
    kind: str, item: str, actor: str, org: str, time: str, ref: str
) -> None:
    # The verifier re-encodes every leaf with json.dumps and refuses any other form.
    leaf = log.Leaf(kind, item, actor, org, time, ref)
    fields = {"v": 1, "kind": kind, "item": item, "actor": actor, "org": org}
    expected = json.dumps(
        {**fields, "time": time, "ref": ref},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    assert leaf.encode() == expected.encode()


def test_hostile_leaf_fields_are_stored_exactly(db_url: str) -> None:
    # On PostgreSQL the rows travel as COPY text: tabs, newlines and backslashes in a
    # post id must be escaped, not split the row or change the stored leaf.
    refs = ["a\tb", "line\nbreak", "back\\slash\\N", "cr\rx", "\\.", "ünï 🙂"]
    leaves = [
        log.Leaf("post", hashlib.sha256(r.encode()).hexdigest(), "t\tx", "org", "t", r)
        for r in refs
    ]
    engine = _engine(db_url)
    try:
        with engine.begin() as conn:
            log.append(conn, leaves)
        with engine.connect() as conn:
            rows = conn.execute(
                select(t.ledger_leaves.c.ref, t.ledger_leaves.c.leaf).order_by(
                    t.ledger_leaves.c.idx
                )
            ).all()
            assert [r.ref for r in rows] == refs
            assert [bytes(r.leaf) for r in rows] == [leaf.encode() for leaf in leaves]
            assert log.audit(conn) == []
    finally:
        engine.dispose()


def test_an_append_rolled_back_leaves_no_trace(db_url: str) -> None:
    # PostgreSQL appends go through COPY on the same connection: it must roll back too.
    engine = _engine(db_url)
    with engine.begin() as conn:
        log.append(conn, _leaves(3))
    with pytest.raises(RuntimeError), engine.begin() as conn:
        log.append(conn, _leaves(4, 3))
        raise RuntimeError("the caller's batch failed")
    with engine.connect() as conn:
        assert log.head(conn)[0] == 3 and log.audit(conn) == []
    engine.dispose()


def test_ledger_migration_creates_exactly_the_ledger_tables(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(engine, "0003_ledger")
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), t.metadata)
    ledger_diff = [d for d in diff if "ledger_" in str(d)]
    assert ledger_diff == []
    engine.dispose()


# --- signed notes -----------------------------------------------------------------------


def test_checkpoint_is_an_exact_c2sp_signed_note(tmp_path: Path, key: SigningKey) -> None:
    engine = _engine(f"sqlite:///{tmp_path / 's.db'}")
    with engine.begin() as conn:
        log.append(conn, _leaves(5))
        note = log.checkpoint(conn, key)
        root = log.head(conn)[1]
    engine.dispose()
    lines = note.split("\n")
    assert lines[:3] == [ORIGIN, "5", base64.b64encode(root).decode()]
    assert lines[3] == "" and lines[4].startswith("\u2014 " + ORIGIN + " ")
    blob = base64.b64decode(lines[4].split(" ")[2])
    expected_id = hashlib.sha256(ORIGIN.encode() + b"\n\x01" + key.public_key).digest()[:4]
    assert blob[:4] == expected_id and len(blob) == 4 + 64
    material = base64.b64encode(b"\x01" + key.public_key).decode()
    assert key.vkey == f"{ORIGIN}+{expected_id.hex()}+{material}"
    checkpoint, check = verify_checkpoint(note, [parse_vkey(key.vkey)])
    assert checkpoint.size == 5 and check.signers == [ORIGIN]
    other = SigningKey.generate(ORIGIN)
    with pytest.raises(VerificationError, match="not signed by any trusted"):
        verify_checkpoint(note, [other.verifier])
    assert SigningKey.from_skey(key.skey()) == key


def test_vkey_with_wrong_hash_is_rejected(key: SigningKey) -> None:
    name, _, material = key.vkey.split("+", 2)
    with pytest.raises(VerificationError, match="does not match"):
        parse_vkey(f"{name}+00000000+{material}")


# --- witnesses ----------------------------------------------------------------------------


def test_witness_cosigns_consistent_checkpoints_and_catches_a_split_view(
    tmp_path: Path, key: SigningKey
) -> None:
    honest = _engine(f"sqlite:///{tmp_path / 'a.db'}")
    forked = _engine(f"sqlite:///{tmp_path / 'b.db'}")
    wkey = SigningKey.generate("witness.example/w1", SIG_COSIGNATURE_V1)
    state = tmp_path / "witness"
    for engine in (honest, forked):
        with engine.begin() as conn:
            log.append(conn, _leaves(10))
    with honest.begin() as conn:
        first = log.checkpoint(conn, key)
    cosigned = witness.cosign(state, wkey, key.verifier, first, [], timestamp=1_700_000_000)
    _, check = verify_checkpoint(cosigned, [key.verifier], [parse_vkey(wkey.vkey)])
    assert check.cosigners == {"witness.example/w1": 1_700_000_000}
    # The honest log grows; the forked one shows a different history past leaf 10.
    with honest.begin() as conn:
        log.append(conn, _leaves(5, 10))
        grown = log.checkpoint(conn, key)
        proof = log.consistency_proof(conn, 10, 15)
        merged = log.add_cosignature(conn, cosigned)
    assert "witness.example/w1" in merged
    with forked.begin() as conn:
        log.append(conn, _leaves(5, 100))
        fork = log.checkpoint(conn, key)
        fork_proof = log.consistency_proof(conn, 10, 15)
    witness.cosign(state, wkey, key.verifier, grown, proof)
    with pytest.raises(witness.WitnessRefusal, match="split view"):
        witness.cosign(state, wkey, key.verifier, fork, fork_proof)
    with pytest.raises(witness.WitnessRefusal, match="rollback"):
        witness.cosign(state, wkey, key.verifier, first, [])
    honest.dispose()
    forked.dispose()


# --- evidence, bundles, erasure, tampering --------------------------------------------------


def _populated(tmp_path: Path) -> tuple[Engine, Path, list[str]]:
    root = tmp_path / "ws"
    engine = _engine(f"sqlite:///{root / 'store.db'}")
    items = [Item(f"evidence {i}".encode(), "post", f"p{i}") for i in range(6)]
    with engine.begin() as conn:
        record(conn, evidence_store(root), items, actor="tester")
    return engine, root, [i.sha256 for i in items]


def _export(engine: Engine, root: Path, key: SigningKey, out: Path) -> None:
    with engine.begin() as conn:
        bundle.export(conn, evidence_store(root), out, key=key)


def test_bundle_verifies_offline_and_every_tampered_file_is_named(
    tmp_path: Path, key: SigningKey
) -> None:
    engine, root, _ = _populated(tmp_path)
    out = tmp_path / "b.zip"
    _export(engine, root, key, out)
    engine.dispose()
    report = verify_bundle(out, [key.vkey])
    assert report.ok, report.failures
    assert report.items == 6 and report.signers == [ORIGIN]
    assert not verify_bundle(out).failures and verify_bundle(out).warnings
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        contents = {n: archive.read(n) for n in names}
    targets = {
        "checkpoint.txt": "checkpoint",
        "leaves/000000000002.json": "item 2",
        "proofs/000000000004.json": "item 4",
        next(n for n in names if n.startswith("items/")): "content file",
    }
    for name, expected in targets.items():
        data = bytearray(contents[name])
        position = len(data) // 2 if not name.startswith("proofs/") else data.index(b'"proof"') + 14
        data[position] ^= 0x01
        tampered = tmp_path / f"t-{name.replace('/', '_')}.zip"
        with zipfile.ZipFile(tampered, "w") as archive:
            for other in names:
                archive.writestr(other, bytes(data) if other == name else contents[other])
        report = verify_bundle(tampered, [key.vkey])
        assert not report.ok, name
        assert any(expected in f for f in report.failures), (name, report.failures)


def test_stored_blob_node_leaf_and_checkpoint_tampering_is_located(
    tmp_path: Path, key: SigningKey
) -> None:
    engine, root, digests = _populated(tmp_path)
    store = evidence_store(root)
    with engine.begin() as conn:
        log.checkpoint(conn, key)
    blob = store.path_for(digests[1])
    data = bytearray(blob.read_bytes())
    data[20] ^= 0x01
    blob.write_bytes(bytes(data))
    with engine.begin() as conn:
        with pytest.raises(EvidenceError, match=f"{digests[1]}.*fails authentication"):
            store.get(conn, digests[1])
        assert any(str(blob) in p for p in store.check_all(conn))
        node = conn.execute(
            select(t.ledger_nodes.c.hash).where(t.ledger_nodes.c.id == merkle.node_key(1, 1))
        ).scalar_one()
        conn.execute(
            update(t.ledger_nodes)
            .where(t.ledger_nodes.c.id == merkle.node_key(1, 1))
            .values(hash=bytes([node[0] ^ 1]) + node[1:])
        )
        leaf = log.leaf_at(conn, 4)
        conn.execute(
            update(t.ledger_leaves)
            .where(t.ledger_leaves.c.idx == 4)
            .values(leaf=leaf.replace(b"tester", b"tester!"))
        )
        problems = log.audit(conn)
    assert any("node (level 1, index 1)" in p for p in problems), problems
    assert any(p.startswith("leaf 4:") for p in problems), problems
    with engine.begin() as conn:
        note = log.latest_checkpoint(conn)
        assert note is not None
        flipped = note.replace("\n6\n", "\n7\n")
        with pytest.raises(VerificationError):
            verify_checkpoint(flipped, [key.verifier])
        conn.execute(update(t.ledger_checkpoints).values(note=flipped))
        assert any("checkpoint" in p for p in log.audit(conn))
    engine.dispose()


def test_erasure_destroys_content_but_keeps_every_proof(tmp_path: Path, key: SigningKey) -> None:
    engine, root, digests = _populated(tmp_path)
    store = evidence_store(root)
    with engine.begin() as conn:
        erasure_index = store.erase(conn, digests[2], actor="dpo", reason="victim request")
        with pytest.raises(EvidenceError, match="erased"):
            store.get(conn, digests[2])
        assert not store.path_for(digests[2]).exists()
        assert (
            conn.execute(
                select(t.ledger_item_keys).where(t.ledger_item_keys.c.sha256 == digests[2])
            ).first()
            is None
        )
        assert json.loads(log.leaf_at(conn, erasure_index))["kind"] == "erasure"
        assert log.audit(conn) == []
    out = tmp_path / "erased.zip"
    _export(engine, root, key, out)
    engine.dispose()
    report = verify_bundle(out, [key.vkey])
    assert report.ok, report.failures
    assert report.erased == 1
    with zipfile.ZipFile(out) as archive:
        assert f"items/{digests[2]}" not in archive.namelist()


def test_missing_content_without_erasure_record_fails(tmp_path: Path, key: SigningKey) -> None:
    engine, root, _ = _populated(tmp_path)
    out = tmp_path / "b.zip"
    _export(engine, root, key, out)
    engine.dispose()
    with zipfile.ZipFile(out) as archive:
        contents = {n: archive.read(n) for n in archive.namelist()}
    victim = next(n for n in contents if n.startswith("items/"))
    manifest = json.loads(contents["manifest.json"])
    for entry in manifest["items"]:
        if entry["content"] == victim:
            entry["content"] = None
    contents["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in contents.items():
            archive.writestr(name, data)
    report = verify_bundle(out, [key.vkey])
    assert any("no erasure record" in f for f in report.failures)


# --- pipeline hooks -------------------------------------------------------------------------


def _post(i: int) -> Post:
    return Post(
        id=f"post{i:04d}",
        source="site",
        external_id=None,
        url=None,
        posted_at=datetime(2026, 1, 1, tzinfo=UTC),
        collected_at=None,
        title="t",
        body=f"body {i}",
        location=None,
        country=None,
        language=None,
    )


def test_pipeline_hooks_record_artifacts_and_results(tmp_path: Path, key: SigningKey) -> None:
    root = tmp_path / "ws"
    engine = _engine(f"sqlite:///{root / 'store.db'}")
    posts = [_post(i) for i in range(3)]
    image = ImageBlob("0" * 64, "img/a.jpg", "image/jpeg", b"\xff\xd8jpeg", "f", "l")
    with engine.begin() as conn:
        assert len(record_ingest(conn, root, posts, [image], run_id=1)) == 4
        assert record_ingest(conn, root, posts, run_id=2) == []  # already recorded
        mention = Mention("post0000", "phone", "+15555550100", "body", 0, 4, "5555", "m", 0.9)
        network = Network("n1", ("post0000", "post0001"), (("phone", "+15555550100"),))
        indices = record_analysis(conn, root, [("post0000", [mention])], [network], run_id=3)
        assert len(indices) == 2
        kinds = [json.loads(leaf)["kind"] for _, leaf in log.leaves_for(conn, None)]
        assert kinds == ["post", "post", "post", "image", "extraction", "network"]
        summary = bundle.export(
            conn, evidence_store(root), tmp_path / "p.zip", key=key, posts=["post0001"]
        )
    engine.dispose()
    assert summary["items"] == 1
    assert verify_bundle(tmp_path / "p.zip", [key.vkey]).ok


# --- the command line -----------------------------------------------------------------------


def test_cli_checkpoint_proof_witness_export_verify(tmp_path: Path) -> None:
    runner = CliRunner()
    ws = tmp_path / "ws"
    engine = _engine(f"sqlite:///{ws / 'tracelight.db'}")
    with engine.begin() as conn:
        record(
            conn,
            evidence_store(ws),
            [Item(b"a", "post", "p1"), Item(b"b", "post", "p2")],
            actor="t",
        )
    engine.dispose()
    w = ["--workspace", str(ws)]
    created = runner.invoke(app, ["ledger", "key", "--origin", ORIGIN, *w])
    assert created.exit_code == 0, created.output
    vkey = runner.invoke(app, ["ledger", "key", "--public", *w]).output.strip()
    assert parse_vkey(vkey).name == ORIGIN
    result = runner.invoke(app, ["ledger", "checkpoint", *w])
    assert result.exit_code == 0 and result.output.startswith(f"{ORIGIN}\n2\n")
    (tmp_path / "cp.txt").write_text(result.output)
    proof = runner.invoke(app, ["ledger", "proof", "--index", "1", "--json", *w])
    doc = json.loads(proof.output)
    assert set(doc) == {"index", "tree_size", "leaf_hash", "proof"} and doc["tree_size"] == 2
    cons = runner.invoke(app, ["ledger", "proof", "--consistency", "1", "2", "--json", *w])
    assert len(json.loads(cons.output)["proof"]) == 1
    wvkey = runner.invoke(
        app, ["ledger", "key", "--witness", "w.example/1", "--out", str(tmp_path / "w.key")]
    ).output.strip()
    cosigned = runner.invoke(
        app,
        [
            "ledger",
            "witness",
            str(tmp_path / "cp.txt"),
            "--log-key",
            vkey,
            "--key",
            str(tmp_path / "w.key"),
            "--state",
            str(tmp_path / "wstate"),
        ],
    )
    assert cosigned.exit_code == 0, cosigned.output
    (tmp_path / "cosigned.txt").write_text(cosigned.output)
    added = runner.invoke(app, ["ledger", "add-cosignature", str(tmp_path / "cosigned.txt"), *w])
    assert added.exit_code == 0 and "w.example/1" in added.output
    out = tmp_path / "bundle.zip"
    exported = runner.invoke(app, ["evidence", "export", "--out", str(out), *w])
    assert exported.exit_code == 0, exported.output
    # The export itself is entered in the ledger, naming the bundle it wrote.
    with engine.connect() as conn:
        leaves = conn.execute(
            select(t.ledger_leaves.c.item).where(t.ledger_leaves.c.kind == "export")
        ).all()
        assert len(leaves) == 1
        content = json.loads(evidence_store(ws).get(conn, leaves[0].item))
    assert content["bundle_sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert content["items"] == 2 and content["actor"] == "tracelight evidence export"
    ok = runner.invoke(app, ["verify", str(out), "--key", vkey, "--key", wvkey])
    assert ok.exit_code == 0, ok.output
    assert "cosigned by: w.example/1" in ok.output
    stranger = SigningKey.generate(ORIGIN).vkey
    bad = runner.invoke(app, ["verify", str(out), "--key", stranger])
    assert bad.exit_code == 1 and "not signed by any trusted log key" in bad.output
    assert runner.invoke(app, ["ledger", "audit", *w]).exit_code == 0


def test_note_signature_merging_rejects_other_text(key: SigningKey) -> None:
    a = f"{ORIGIN}\n1\n{base64.b64encode(bytes(32)).decode()}\n"
    b = a.replace("\n1\n", "\n2\n")
    note_a = a + "\n" + key.sign_line(a)
    note_b = b + "\n" + key.sign_line(b)
    with pytest.raises(VerificationError, match="different checkpoint"):
        add_signatures(note_a, note_b)
    assert parse_note(add_signatures(note_a, note_a)).signatures == parse_note(note_a).signatures


def test_evidence_export_of_a_case_bundles_its_posts(tmp_path: Path) -> None:
    runner = CliRunner()
    ws = Workspace.resolve(tmp_path / "ws")
    source = write_jsonl(tmp_path / "ads.jsonl", [ad(i) for i in range(4)])
    ingest_sources(ws, [source], ReadOptions())
    engine = open_engine(ws.db_url)
    with engine.begin() as conn:
        chosen = sorted(row.id for row in conn.execute(select(t.posts.c.id)))[:2]
        user = add_user(conn, "north", "analyst", "ana", "a long passphrase 1")
        org = repo.get_or_create_org(conn, "north")
        case = repo.insert_case(conn, org, "case one", user)
        empty = repo.insert_case(conn, org, "case two", user)
        for post_id in chosen:
            repo.add_case_item(conn, case, "post", post_id, user)
    engine.dispose()
    w = ["--workspace", str(ws.root)]
    out = tmp_path / "case.zip"
    result = runner.invoke(app, ["evidence", "export", "--case", str(case), "--out", str(out), *w])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["selection"]["posts"] == chosen
    assert {e["ref"] for e in manifest["items"] if e["kind"] == "post"} == set(chosen)
    vkey = runner.invoke(app, ["ledger", "key", "--public", *w]).output.strip()
    assert runner.invoke(app, ["verify", str(out), "--key", vkey]).exit_code == 0
    missing = runner.invoke(app, ["evidence", "export", "--case", "999", "--out", str(out), *w])
    assert missing.exit_code == 2 and "no case 999" in missing.output
    nothing = runner.invoke(
        app, ["evidence", "export", "--case", str(empty), "--out", str(out), *w]
    )
    assert nothing.exit_code == 2 and "holds nothing" in nothing.output
