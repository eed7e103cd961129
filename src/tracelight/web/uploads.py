"""The request-body limit: uploads are hostile, so their size is bounded before reading.

:class:`BodyLimit` is an ASGI middleware wrapped around the whole app. A request whose
``Content-Length`` already exceeds the limit is refused the first time the app asks for
its body, before a single byte is read; a request without one (chunked) is counted
while it streams and refused as soon as the count passes the limit. Either way the
answer is a 413 with a plain message, through the app's normal error pages, and the
body is never buffered whole. Nothing else in the app takes more than a few kilobytes,
so one limit for every route is enough.
"""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEFAULT_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
"""10 MiB: comfortably above an ad photo, far below what could exhaust memory."""


def too_large(limit: int) -> HTTPException:
    mib = limit / (1024 * 1024)
    return HTTPException(
        413, f"the upload is too large: the limit is {limit:,} bytes ({mib:.1f} MiB)"
    )


class BodyLimit:
    """Refuse request bodies larger than ``max_bytes`` with a 413, without reading them."""

    def __init__(self, app: ASGIApp, max_bytes: int = DEFAULT_MAX_UPLOAD_BYTES) -> None:
        if max_bytes < 1:
            raise ValueError("the upload limit must be at least one byte")
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        limit = self.max_bytes
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            if declared is not None and declared > limit:
                raise too_large(limit)
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise too_large(limit)
            return message

        await self.app(scope, limited, send)


def _content_length(scope: Scope) -> int | None:
    headers: Any = scope.get("headers") or []
    for name, value in headers:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
