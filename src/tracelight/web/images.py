"""Image pages, and image and face search by upload.

* ``/images/{sha256}``: one image of the organisation's posts, the posts that use it,
  its near duplicates among the organisation's images, and (for roles allowed to see
  sensitive image data) its faces and EXIF/GPS; its bytes at ``/images/{sha256}/raw``,
  served only when a post of the organisation shows it and the vision stage decoded it
  as an image, with the decoded format's content type, ``inline`` and ``nosniff``.
* ``/images/search``: the PDQ hash of an uploaded photo (and of its 7 rotations and
  mirror images) against the organisation's image hashes, with the Hamming distance.
* ``/faces/search``: faces in an uploaded photo against the faces in the organisation's
  images, for roles with ``face_search``; every search is recorded in ``face_searches``
  and the ledger, and its threshold and measured false-accept rate are shown.

Uploads are hostile: the body is bounded before it is read (:mod:`.uploads`), decoded
behind the vision decode limits (size, pixels, allowed formats), never stored (only its
SHA-256 is kept, in the audit entry), and every search, refused ones too, is audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Depends, File, Form, HTTPException, Path, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from tracelight.model import sha256_hex
from tracelight.store import investigate
from tracelight.store import repository as repo
from tracelight.vision import Decoded, DecodeLimits, decode_image, pdq_hash
from tracelight.vision.index import brute_force, hashes_to_array
from tracelight.vision.pdq import PDQ_MATCH_THRESHOLD, PDQ_MIN_QUALITY
from tracelight.web.accounts import Principal
from tracelight.web.context import api_user, csrf_guard, log, log_denied, need, page_user, web
from tracelight.web.render import templates
from tracelight.web.uploads import DEFAULT_MAX_UPLOAD_BYTES
from tracelight.web.views import jsonable

pages = APIRouter(dependencies=[Depends(csrf_guard)], default_response_class=HTMLResponse)
api = APIRouter(prefix="/api/v1", dependencies=[Depends(csrf_guard)], tags=["api"])
router = APIRouter()

PageUser = Annotated[Principal, Depends(page_user)]
ApiUser = Annotated[Principal, Depends(api_user)]
Sha256 = Annotated[str, Path(pattern="^[0-9a-f]{64}$")]
Upload = Annotated[UploadFile, File(description="the photo (JPEG, PNG, GIF, WEBP or BMP)")]
MaxDistance = Annotated[int, Form(ge=0, le=PDQ_MATCH_THRESHOLD)]

CONTENT_TYPES = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "GIF": "image/gif",
    "WEBP": "image/webp",
    "BMP": "image/bmp",
}
"""What an image is served as: its *decoded* format, never the type its source claimed."""
SUFFIX = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp", "BMP": "bmp"}


class UploadRefused(ValueError):
    """The upload is empty or not an image within the decode limits; the message says why."""


def max_upload_bytes(request: Request) -> int:
    limit = getattr(request.app.state, "max_upload_bytes", DEFAULT_MAX_UPLOAD_BYTES)
    return int(limit)


def _render(request: Request, name: str, who: Principal, status: int = 200, **ctx: Any) -> Response:
    ctx.update(user=who, csrf=who.csrf, max_upload=max_upload_bytes(request))
    return templates.TemplateResponse(request, name, ctx, status_code=status)


def _decode(request: Request, data: bytes) -> Decoded:
    """The upload decoded behind the vision limits, or :class:`UploadRefused`."""
    limits = DecodeLimits(max_bytes=max_upload_bytes(request))
    decoded = decode_image(data, limits=limits)
    if not isinstance(decoded, Decoded):
        raise UploadRefused(
            f"the upload was refused: {decoded.reason} "
            f"(allowed: {', '.join(sorted(limits.formats))}, at most "
            f"{limits.max_pixels:,} pixels)"
        )
    return decoded


# -- image search ----------------------------------------------------------------------


@dataclass
class ImageSearch:
    """The result of one image search: the upload's hash and the matching posts."""

    sha256: str
    pdq: str
    quality: int
    max_distance: int
    matches: list[dict[str, Any]] = field(default_factory=list)
    message: str | None = None


def search_images(request: Request, who: Principal, data: bytes, max_distance: int) -> ImageSearch:
    """The organisation's images within ``max_distance`` bits of the upload (or of one of
    its rotations and mirror images), nearest first, each with the posts using it.

    A flat upload (PDQ quality below 50) is not matched at all: such hashes agree with
    each other by chance, which is why the vision stage never links on them either.
    """
    need(who, "search")
    digest = sha256_hex(data)
    detail: dict[str, Any] = {"sha256": digest, "bytes": len(data)}
    try:
        decoded = _decode(request, data)
    except UploadRefused as exc:
        with web(request).engine.begin() as conn:
            log(conn, request, who, "image.search", f"upload/{digest}",
                {**detail, "refused": str(exc)})  # fmt: skip
        raise
    pdq = pdq_hash(decoded.image, dihedral=True)
    result = ImageSearch(digest, pdq.hex, pdq.quality, max_distance)
    with web(request).engine.begin() as conn:
        if not pdq.usable:
            result.message = (
                f"the upload's PDQ quality is {pdq.quality} (below {PDQ_MIN_QUALITY}): "
                "too flat to match reliably, so nothing was searched"
            )
        else:
            result.matches = _near(conn, who.org_id, [pdq.hex, *pdq.dihedral], max_distance)
        log(conn, request, who, "image.search", f"upload/{digest}",
            {**detail, "results": len(result.matches), "max_distance": max_distance})  # fmt: skip
    return result


def _near(conn: Any, org_id: int, queries: list[str], radius: int) -> list[dict[str, Any]]:
    rows = investigate.org_image_hashes(conn, org_id, PDQ_MIN_QUALITY)
    if not rows:
        return []
    words = hashes_to_array([r.pdq for r in rows])
    best: dict[int, int] = {}
    for query in queries:
        for i, distance in brute_force(words, hashes_to_array([query])[0], radius):
            best[i] = min(distance, best.get(i, distance))
    ranked = sorted(best.items(), key=lambda kv: (kv[1], rows[kv[0]].sha256))
    posts = investigate.org_posts_with_images(conn, [rows[i].sha256 for i, _ in ranked], org_id)
    return [
        {"image": rows[i].sha256, "distance": d, "posts": posts.get(rows[i].sha256, [])}
        for i, d in ranked
    ]


@pages.get("/images/search")
def image_search_form(request: Request, who: PageUser) -> Response:
    need(who, "search")
    return _render(request, "image_search.html", who, result=None, message=None)


@pages.post("/images/search")
def image_search_page(
    request: Request, who: PageUser, photo: Upload, max_distance: MaxDistance = PDQ_MATCH_THRESHOLD
) -> Response:
    try:
        result = search_images(request, who, photo.file.read(), max_distance)
    except UploadRefused as exc:
        return _render(request, "image_search.html", who, 400, result=None, message=str(exc))
    return _render(request, "image_search.html", who, result=result, message=result.message)


@api.post("/images/search")
def image_search_api(
    request: Request, who: ApiUser, photo: Upload, max_distance: MaxDistance = PDQ_MATCH_THRESHOLD
) -> dict[str, Any]:
    """The organisation's posts whose images are within ``max_distance`` bits (PDQ
    Hamming distance, at most 31) of the uploaded photo or a rotation or mirror of it."""
    try:
        result = search_images(request, who, photo.file.read(), max_distance)
    except UploadRefused as exc:
        raise HTTPException(400, str(exc)) from exc
    return {
        "sha256": result.sha256,
        "pdq": result.pdq,
        "quality": result.quality,
        "max_distance": result.max_distance,
        "message": result.message,
        "matches": result.matches,
    }


# -- face search -----------------------------------------------------------------------


@dataclass
class FaceSearchResult:
    """One face search: the threshold and its measured rates travel with the matches."""

    sha256: str
    query_faces: int
    threshold: float
    measured_far: float | None
    measured_tar: float | None
    search_id: int
    matches: list[dict[str, Any]]


def search_faces(request: Request, who: Principal, data: bytes) -> FaceSearchResult:
    """Faces in the organisation's images that match a face in the upload: an audited,
    permissioned action (``face_search``), recorded in ``face_searches`` and the ledger
    in the transaction that reads the faces, like ``tracelight faces search`` but scoped
    to the organisation's images."""
    need(who, "face_search")
    try:
        from tracelight.ledger.evidence import Item, canonical_json, evidence_store, record
        from tracelight.vision.face_index import build_face_index
        from tracelight.vision.faces import FaceModelsMissing, default_encoder, face_threshold
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise HTTPException(503, f"face search is not available here: {exc}") from exc
    digest = sha256_hex(data)
    try:
        decoded = _decode(request, data)
    except UploadRefused as exc:
        with web(request).engine.begin() as conn:
            log(conn, request, who, "face.search", f"upload/{digest}",
                {"sha256": digest, "bytes": len(data), "refused": str(exc)})  # fmt: skip
        raise
    try:
        query_faces = default_encoder().encode(decoded.image)
    except FaceModelsMissing as exc:
        raise HTTPException(503, f"face search is not available here: {exc}") from exc
    measured = face_threshold()
    limit = measured.threshold
    actor = f"{who.username}@{who.org}"
    state = web(request)
    with state.engine.begin() as conn:
        rows = investigate.org_face_encodings(conn, who.org_id)
        best: dict[tuple[str, int], float] = {}
        if rows and query_faces:
            vectors = np.frombuffer(b"".join(r.embedding for r in rows), dtype="<f4")
            index = build_face_index(vectors.reshape(-1, 128))
            for face in query_faces:
                for i, distance in index.search(face.embedding, limit):
                    key = (rows[i].sha256, rows[i].position)
                    best[key] = min(distance, best.get(key, distance))
        posts = investigate.org_posts_with_images(conn, sorted({s for s, _ in best}), who.org_id)
        boxes = {(r.sha256, r.position): list(r.box) for r in rows}
        matches = [
            {
                "image": sha,
                "box": boxes[sha, pos],
                "distance": round(d, 4),
                "posts": posts.get(sha, []),
            }
            for (sha, pos), d in sorted(best.items(), key=lambda kv: (kv[1], kv[0]))
        ]
        summary = [{"image": m["image"], "posts": m["posts"], "distance": m["distance"]}
                   for m in matches]  # fmt: skip
        search_id = repo.record_face_search(conn, actor, digest, limit, summary)
        body = {"face_search": search_id, "actor": actor, "query_sha256": digest,
                "threshold": limit, "matches": summary}  # fmt: skip
        record(
            conn,
            evidence_store(state.workspace.root),
            [Item(canonical_json(body), "face_search", str(search_id))],
            actor=actor,
            org=who.org,
        )
        log(conn, request, who, "face.search", f"upload/{digest}",
            {"sha256": digest, "bytes": len(data), "faces": len(query_faces),
             "results": len(matches), "threshold": limit, "face_search": search_id})  # fmt: skip
    return FaceSearchResult(
        digest, len(query_faces), limit, measured.far, measured.tar, search_id, matches
    )


@pages.get("/faces/search")
def face_search_form(request: Request, who: PageUser) -> Response:
    need(who, "face_search")
    return _render(request, "face_search.html", who, result=None, message=None)


@pages.post("/faces/search")
def face_search_page(request: Request, who: PageUser, photo: Upload) -> Response:
    try:
        result = search_faces(request, who, photo.file.read())
    except UploadRefused as exc:
        return _render(request, "face_search.html", who, 400, result=None, message=str(exc))
    message = None if result.query_faces else "no face was found in the upload"
    return _render(request, "face_search.html", who, result=result, message=message)


@api.post("/faces/search")
def face_search_api(request: Request, who: ApiUser, photo: Upload) -> dict[str, Any]:
    """Posts of the organisation whose images show a face matching one in the upload
    (admin and analyst only). Audited; the threshold and its measured rates are given."""
    try:
        result = search_faces(request, who, photo.file.read())
    except UploadRefused as exc:
        raise HTTPException(400, str(exc)) from exc
    return {
        "sha256": result.sha256,
        "query_faces": result.query_faces,
        "threshold": result.threshold,
        "measured_far": result.measured_far,
        "measured_tar": result.measured_tar,
        "search_id": result.search_id,
        "matches": result.matches,
    }


# -- the image page --------------------------------------------------------------------


def image_view(request: Request, who: Principal, sha256: str) -> dict[str, Any]:
    """The image as the organisation may see it, read and audited together; EXIF, GPS
    and faces only for roles with ``exif``. A 404 (audited ``denied``) when no post of
    the organisation shows it."""
    need(who, "read")
    target = f"image/{sha256}"
    with web(request).engine.begin() as conn:
        view = investigate.org_image(conn, sha256, who.org_id)
        if view is not None:
            view["near"] = _near_duplicates(conn, who.org_id, view)
            sensitive = who.can("exif")
            view["sensitive_hidden"] = not sensitive
            view["exif"] = _exif(repo.image_exif(conn, sha256)) if sensitive else None
            if not sensitive:
                view["faces"] = None
            log(conn, request, who, "view.image", target)
    if view is None:
        log_denied(request, who, target)
        raise HTTPException(404, "no such image")
    return view


def _near_duplicates(conn: Any, org_id: int, view: dict[str, Any]) -> list[dict[str, Any]]:
    if not view["pdq"] or (view["quality"] or 0) < PDQ_MIN_QUALITY:
        return []
    queries = [view["pdq"], *view["pdq_dihedral"]]
    near = _near(conn, org_id, queries, PDQ_MATCH_THRESHOLD)
    return [n for n in near if n["image"] != view["sha256"]]


def _exif(row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "camera": row.get("camera"),
        "captured_at": row.get("captured_at"),
        "gps_lat": row.get("gps_lat"),
        "gps_lon": row.get("gps_lon"),
        "tags": row.get("tags") or {},
    }


@pages.get("/images/{sha256}")
def image_page(request: Request, who: PageUser, sha256: Sha256) -> Response:
    view = image_view(request, who, sha256)
    served = view["status"] == "ok" and view["format"] in CONTENT_TYPES and view["stored"]
    return _render(request, "image.html", who, image=view, served=served)


@api.get("/images/{sha256}")
def image_api(request: Request, who: ApiUser, sha256: Sha256) -> dict[str, Any]:
    """One image of the organisation's posts: decode verdict, PDQ hash, the posts using
    it, near duplicates; faces and EXIF/GPS only for roles allowed (else ``null`` with
    ``sensitive_hidden: true``)."""
    view = image_view(request, who, sha256)
    view.pop("pdq_dihedral", None)
    return dict(jsonable(view))


@pages.get("/images/{sha256}/raw", response_class=Response)
def image_bytes(request: Request, who: PageUser, sha256: Sha256) -> Response:
    """The image's bytes, as stored, if a post of the organisation shows it and it was
    decoded as one of the allowed formats: a file that did not decode is never served,
    since its bytes could be anything (markup, a polyglot) whatever its name says."""
    need(who, "read")
    target = f"image/{sha256}"
    state = web(request)
    with state.engine.begin() as conn:
        view = investigate.org_image(conn, sha256, who.org_id)
        if view is not None:
            log(conn, request, who, "view.image", target, {"part": "bytes"})
    if view is None:
        log_denied(request, who, target)
        raise HTTPException(404, "no such image")
    fmt = view["format"]
    if view["status"] != "ok" or fmt not in CONTENT_TYPES or not state.workspace.blobs.has(sha256):
        raise HTTPException(404, "this image is not served: it is not stored or did not decode")
    return Response(
        state.workspace.blobs.get(sha256),
        media_type=CONTENT_TYPES[fmt],
        headers={
            "Content-Disposition": f'inline; filename="{sha256}.{SUFFIX[fmt]}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


router.include_router(pages)
router.include_router(api)
