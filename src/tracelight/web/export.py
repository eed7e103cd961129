"""Evidence-bundle export of a case, from its page and the API.

The bundle is the one ``tracelight evidence export --case ID`` writes (the ledger's
:func:`tracelight.ledger.bundle.export`, signed with the workspace's log key), so a
court's expert verifies a download from the web exactly as one from the command line,
offline, with ``tracelight.ledger.verify``. An export hands evidence out of the system,
so it is for analysts and admins only, and it is recorded twice in the transaction
that makes it: an ``export`` leaf in the ledger (what was exported, the bundle's
SHA-256, by whom) and an audit entry (which the ledger also holds).
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy import Connection

from tracelight.ledger import bundle as bundle_mod
from tracelight.ledger import evidence
from tracelight.ledger import log as ledger_log
from tracelight.ledger.keys import workspace_log_key
from tracelight.store import repository as repo
from tracelight.web.accounts import Principal
from tracelight.web.context import api_user, csrf_guard, log, log_denied, need, page_user, web

pages = APIRouter(dependencies=[Depends(csrf_guard)])
api = APIRouter(prefix="/api/v1", dependencies=[Depends(csrf_guard)], tags=["api"])
router = APIRouter()


def export_case(request: Request, who: Principal, case_id: int) -> Response:
    """Build the case's bundle, record the export, and answer it as a zip download."""
    need(who, "case.write")
    target = f"case/{case_id}"
    data: bytes | None = None
    with web(request).engine.begin() as conn:
        owned = repo.org_case(conn, case_id, who.org_id) is not None
        refs = repo.case_refs(conn, case_id) if owned else None
        if refs is not None and (refs["post"] or refs["network"]):
            data, detail = _bundle(request, conn, who, case_id, refs)
            log(conn, request, who, "case.export", target, detail)
    if refs is None:
        log_denied(request, who, target)
        raise HTTPException(404, "no such case")
    if data is None:
        raise HTTPException(409, "this case holds nothing yet: add posts or networks first")
    return Response(
        data,
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="case-{case_id}-evidence.zip"',
            "X-Bundle-SHA256": detail["bundle_sha256"],
        },
    )


def _bundle(
    request: Request, conn: Connection, who: Principal, case_id: int, refs: dict[str, list[str]]
) -> tuple[bytes, dict[str, Any]]:
    """The bundle's bytes, with its ``export`` leaf appended to the ledger."""
    state = web(request)
    store = evidence.evidence_store(state.workspace.root)
    with tempfile.TemporaryDirectory(prefix="tl-export-") as folder:
        out = Path(folder) / "bundle.zip"
        try:
            summary = bundle_mod.export(
                conn,
                store,
                out,
                key=workspace_log_key(state.workspace.root),
                posts=refs["post"],
                networks=refs["network"],
            )
        except ledger_log.LedgerError as exc:
            raise HTTPException(409, f"nothing to export: {exc}") from exc
        data = out.read_bytes()
    detail: dict[str, Any] = {
        "bundle_sha256": hashlib.sha256(data).hexdigest(),
        "items": summary["items"],
        "tree_size": summary["tree_size"],
        "posts": len(refs["post"]),
        "networks": len(refs["network"]),
    }
    bundle_mod.record_export(
        conn,
        store,
        bundle_sha256=detail["bundle_sha256"],
        scope={"case": case_id, **detail},
        ref=f"case/{case_id}",
        actor=f"web:{who.username}",
        org=who.org,
    )
    return data, detail


@pages.post("/cases/{case_id}/export")
def export_page(
    request: Request, who: Annotated[Principal, Depends(page_user)], case_id: int
) -> Response:
    return export_case(request, who, case_id)


@api.post(
    "/cases/{case_id}/export",
    responses={200: {"content": {"application/zip": {}}, "description": "the bundle"}},
)
def export_api(
    request: Request, who: Annotated[Principal, Depends(api_user)], case_id: int
) -> Response:
    """The case's evidence bundle (zip): its posts and networks, their ledger leaves,
    inclusion proofs and the signed checkpoint; verify it with ``tracelight verify``."""
    return export_case(request, who, case_id)


router.include_router(pages)
router.include_router(api)
