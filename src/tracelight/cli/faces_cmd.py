"""``tracelight faces encode|compare|search``: face encodings and permissioned face search.

Identity matching only: no age, gender, ethnicity or emotion estimation, ever. Every
search is recorded (``face_searches`` and the ledger); the threshold and its measured
false-accept rate are printed with the results.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated, Any

import typer

from tracelight.cli.common import DbOpt, JsonOpt, WorkspaceOpt, failures, workspace_of
from tracelight.cli.render import emit_json, stdout
from tracelight.store.workspace import Workspace
from tracelight.vision import Decoded, decode_image

FACE_SEARCH = "exif"
"""The permission that covers sensitive image data: EXIF, GPS and faces."""


def _permitted(ws: Workspace, username: str | None) -> str | None:
    """The account searching, checked against its role; ``None`` for a workspace with
    no accounts (one analyst on a laptop: the operating-system user is recorded)."""
    from tracelight.store import repository as repo
    from tracelight.store.db import open_engine
    from tracelight.web.security import allowed

    engine = open_engine(ws.db_url)
    try:
        with engine.connect() as conn:
            if username is None:
                if repo.has_users(conn):
                    raise typer.BadParameter(
                        "this workspace has user accounts: name yours", param_hint="--user"
                    )
                return None
            row = repo.user_by_username(conn, username.strip().lower())
    finally:
        engine.dispose()
    if row is None or not row.active:
        raise typer.BadParameter(f"no active user {username!r}", param_hint="--user")
    if not allowed(row.role, FACE_SEARCH):
        raise PermissionError(f"role {row.role!r} may not search faces (admin or analyst may)")
    return f"{row.username}@{row.org_name}"


faces_app = typer.Typer(help="Face encodings and audited face search.", no_args_is_help=True)


def _faces(path: Path) -> list[dict[str, object]]:
    from tracelight.vision.faces import default_encoder

    decoded = decode_image(path.read_bytes(), name=path.name)
    if not isinstance(decoded, Decoded):
        raise ValueError(f"{path}: {decoded.reason}")
    return [
        {"box": list(f.box), "embedding": [round(float(x), 6) for x in f.embedding]}
        for f in default_encoder().encode(decoded.image)
    ]


@faces_app.command("encode")
def encode(path: Path, as_json: JsonOpt = False) -> None:
    """Detect faces and print each box with its 128-d encoding."""
    with failures():
        faces = _faces(path)
        if as_json:
            emit_json({"path": str(path), "faces": faces})
            return
        stdout.print(f"{path}: {len(faces)} face(s)", markup=False)
        for face in faces:
            stdout.print(f"  box {face['box']}", markup=False)


@faces_app.command("compare")
def compare(a: Path, b: Path, threshold: float | None = None, as_json: JsonOpt = False) -> None:
    """Distance between the closest faces of two photos, and whether that is a match."""
    import numpy as np

    from tracelight.vision.faces import face_threshold

    with failures():
        limit = face_threshold().threshold if threshold is None else threshold
        fa, fb = _faces(a), _faces(b)
        if not fa or not fb:
            raise ValueError(f"no face found in {a if not fa else b}")
        distance = min(
            float(np.linalg.norm(np.array(x["embedding"]) - np.array(y["embedding"])))
            for x in fa
            for y in fb
        )
        row = {"distance": round(distance, 4), "same_person": distance <= limit, "threshold": limit}
        if as_json:
            emit_json(row)
        else:
            verdict = "same person" if row["same_person"] else "different people"
            stdout.print(f"{verdict}: distance {distance:.3f} (threshold {limit:.3f})")


@faces_app.command("search")
def search(
    photo: Path,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
    threshold: Annotated[float | None, typer.Option(help="Override the measured default.")] = None,
    actor: Annotated[str | None, typer.Option(help="Who searches (for the audit).")] = None,
    user: Annotated[
        str | None,
        typer.Option(
            "--user",
            help="Your account; required once the workspace has accounts, and its role "
            "must allow face search (admin or analyst).",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Posts whose images show a face matching one in PHOTO. Audited."""
    from tracelight.pipeline.vision import search_faces

    with failures():
        ws = workspace_of(workspace, db)
        who = _permitted(ws, user) or actor or getpass.getuser()
        result = search_faces(ws, photo.read_bytes(), actor=who, threshold=threshold)
        rows: list[dict[str, Any]] = [
            {"posts": m.post_ids, "image": m.image_sha256, "box": m.box, "distance": m.distance}
            for m in result.matches
        ]
        if as_json:
            emit_json(
                {
                    "threshold": result.threshold,
                    "measured_far": result.measured_far,
                    "measured_tar": result.measured_tar,
                    "query_faces": result.query_faces,
                    "audit_id": result.audit_id,
                    "matches": rows,
                }
            )
            return
        far = f"{result.measured_far:.2%}" if result.measured_far is not None else "unmeasured"
        stdout.print(
            f"threshold {result.threshold:.3f} (measured false-accept rate {far}); "
            f"{result.query_faces} face(s) in the photo; search #{result.audit_id} recorded",
            markup=False,
        )
        for row in rows:
            stdout.print(
                f"{row['distance']:.3f}  {', '.join(row['posts'])}  image {row['image'][:12]}",
                markup=False,
            )
