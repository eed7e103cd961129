"""The vision stage of ``analyze``: decode, EXIF, PDQ and faces for new images, then
near-duplicate and face clusters, which ``rebuild_selectors`` turns into ``image`` and
``face`` selectors. Run it before linking.

Incremental like extraction: an image is analysed once per :data:`VISION_VERSION`;
clusters are then updated by searching only the new images against all stored ones.
Bad images (bombs, truncated, lying about their type, missing bytes) are recorded as
rejected with their reason; their posts are untouched and still link by SHA-256.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import Engine as DbEngine

from tracelight.pipeline.engine import Engine, SerialEngine
from tracelight.pipeline.progress import NullReporter, Reporter
from tracelight.store import repository as repo
from tracelight.store.workspace import Workspace
from tracelight.vision.cluster import face_clusters, image_clusters
from tracelight.vision.decode import Decoded, DecodeLimits, decode_image
from tracelight.vision.pdq import PDQ_MATCH_THRESHOLD, PDQ_MIN_QUALITY
from tracelight.vision.stage import ImageResult, ImageTask, VisionBatch, vision_batch

VISION_VERSION = 1
BATCH_IMAGES = 64


@dataclass
class VisionSummary:
    images: int = 0
    rejected: int = 0
    rejected_by_code: dict[str, int] = field(default_factory=dict)
    with_exif: int = 0
    low_quality: int = 0
    faces: int = 0
    faces_enabled: bool = False
    face_error: str | None = None
    image_cluster_changes: int = 0
    face_cluster_changes: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def faces_available() -> bool:
    """Whether dlib and the face model files are installed (the ``faces`` extra)."""
    try:
        import dlib  # noqa: F401

        from tracelight.vision.faces import FaceModelsMissing, model_dir

        model_dir()
    except (ImportError, FaceModelsMissing):
        return False
    return True


def analyze_images(
    store: DbEngine,
    workspace: Workspace,
    engine: Engine | None = None,
    reporter: Reporter | None = None,
    *,
    faces: bool | None = None,
    face_threshold: float | None = None,
    limits: DecodeLimits | None = None,
) -> VisionSummary:
    """Analyse every image not yet analysed, then update image and face clusters.

    ``faces=None`` encodes faces when the face models are installed. Each batch is
    written in its own transaction, so an interrupted run resumes where it stopped.
    """
    engine = engine or SerialEngine()
    reporter = reporter or NullReporter()
    summary = VisionSummary(faces_enabled=faces_available() if faces is None else faces)
    limits = limits or DecodeLimits()
    blobs = workspace.blobs
    reporter.stage("images", None)

    def batches() -> Iterator[VisionBatch]:
        after = ""
        while True:
            with store.connect() as conn:
                rows = repo.images_to_analyze(conn, VISION_VERSION, after, BATCH_IMAGES)
            if not rows:
                return
            after = rows[-1].sha256
            tasks = [
                ImageTask(
                    row.sha256,
                    blobs.get(row.sha256) if blobs.has(row.sha256) else None,
                    row.media_type,
                    row.uri,
                )
                for row in rows
            ]
            yield VisionBatch(tasks, summary.faces_enabled, limits)

    for results in engine.map_batches(vision_batch, batches()):
        with store.begin() as conn:
            repo.write_image_results(conn, results, VISION_VERSION, PDQ_MIN_QUALITY)
        _count(summary, results)
        reporter.advance(len(results))
    with store.begin() as conn:
        # Images not yet searched (cluster NULL), from this run or an interrupted one.
        items = repo.image_hashes(conn, PDQ_MIN_QUALITY)
        if any(row.cluster is None for row in items):
            changes = image_clusters(
                [(row.sha256, row.pdq, row.pdq_dihedral, row.cluster) for row in items],
                PDQ_MATCH_THRESHOLD,
            )
            repo.set_image_clusters(conn, changes)
            summary.image_cluster_changes = len(changes)
    with store.begin() as conn:
        rows = repo.face_encodings(conn)
        if any(row.cluster is None for row in rows):
            if face_threshold is None:
                from tracelight.vision.faces import face_threshold as measured

                face_threshold = measured().threshold
            vectors = np.frombuffer(b"".join(row.embedding for row in rows), dtype="<f4")
            changed = face_clusters(
                [f"{row.sha256}:{row.position}" for row in rows],
                vectors.reshape(-1, 128),
                [row.cluster for row in rows],
                face_threshold,
            )
            repo.set_face_clusters(conn, changed)
            summary.face_cluster_changes = len(changed)
    return summary


def _count(summary: VisionSummary, results: list[ImageResult]) -> None:
    for r in results:
        summary.images += 1
        if r.status != "ok":
            summary.rejected += 1
            code = (r.reason or "unknown").split(":", 1)[0]
            summary.rejected_by_code[code] = summary.rejected_by_code.get(code, 0) + 1
            continue
        summary.with_exif += r.exif is not None
        summary.low_quality += (r.quality or 0) < PDQ_MIN_QUALITY
        summary.faces += len(r.faces or ())
        if r.face_error and not summary.face_error:
            summary.face_error = r.face_error


@dataclass(frozen=True, slots=True)
class FaceMatch:
    post_ids: list[str]
    image_sha256: str
    box: list[int]
    distance: float


@dataclass(frozen=True, slots=True)
class FaceSearch:
    query_sha256: str
    query_faces: int
    threshold: float
    measured_far: float | None
    measured_tar: float | None
    matches: list[FaceMatch]
    audit_id: int


def search_faces(
    workspace: Workspace,
    photo: bytes,
    *,
    actor: str,
    threshold: float | None = None,
    store: DbEngine | None = None,
) -> FaceSearch:
    """Faces in stored post images that match any face in ``photo``: an audited action.

    Every search is recorded (who, when, the photo's SHA-256, never its bytes, the
    threshold and the results) in ``face_searches`` and as a ledger leaf, in the same
    transaction, so a search cannot happen without its record. Callers check the role
    before calling; the threshold and its measured false-accept rate are returned so
    the interface can show them beside the results.
    """
    from tracelight.ledger.evidence import Item, canonical_json, evidence_store, record
    from tracelight.model import sha256_hex
    from tracelight.store.db import open_engine
    from tracelight.vision.face_index import build_face_index
    from tracelight.vision.faces import default_encoder, face_threshold

    measured = face_threshold()
    limit = measured.threshold if threshold is None else threshold
    decoded = decode_image(photo)
    if not isinstance(decoded, Decoded):
        raise ValueError(f"query photo refused: {decoded.reason}")
    query_faces = default_encoder().encode(decoded.image)
    digest = sha256_hex(photo)
    db = store or open_engine(workspace.db_url)
    try:
        with db.begin() as conn:
            rows = repo.face_encodings(conn)
            best: dict[tuple[str, int], float] = {}
            if rows and query_faces:
                vectors = np.frombuffer(b"".join(r.embedding for r in rows), dtype="<f4")
                index = build_face_index(vectors.reshape(-1, 128))
                for face in query_faces:
                    for i, distance in index.search(face.embedding, limit):
                        key = (rows[i].sha256, rows[i].position)
                        best[key] = min(distance, best.get(key, distance))
            posts = repo.posts_with_images(conn, sorted({sha for sha, _ in best}))
            by_key = {(r.sha256, r.position): r for r in rows}
            matches = sorted(
                (
                    FaceMatch(
                        sorted(posts.get(sha, [])), sha, list(by_key[sha, pos].box), round(d, 4)
                    )
                    for (sha, pos), d in best.items()
                ),
                key=lambda m: (m.distance, m.image_sha256),
            )
            summary = [
                {"image": m.image_sha256, "posts": m.post_ids, "distance": m.distance}
                for m in matches
            ]
            audit_id = repo.record_face_search(conn, actor, digest, limit, summary)
            body = {
                "face_search": audit_id,
                "actor": actor,
                "query_sha256": digest,
                "threshold": limit,
                "matches": summary,
            }
            record(
                conn,
                evidence_store(workspace.root),
                [Item(canonical_json(body), "face_search", str(audit_id))],
                actor=actor,
            )
    finally:
        if store is None:
            db.dispose()
    return FaceSearch(
        digest, len(query_faces), limit, measured.far, measured.tar, matches, audit_id
    )
