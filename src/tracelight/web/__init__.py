"""The investigator web app: FastAPI pages (Jinja2 + htmx) and the JSON API under /api/v1.

* :mod:`~tracelight.web.app`: the application factory and its security headers.
* :mod:`~tracelight.web.security`: roles, password hashing, tokens, cookies and CSRF.
* :mod:`~tracelight.web.accounts`: users, logins (rate-limited), sessions, API tokens.
* :mod:`~tracelight.web.audit`: the audit log, mirrored into the evidence ledger.
* :mod:`~tracelight.web.context`: who is asking, and the checks every route relies on.
* :mod:`~tracelight.web.text`: showing attacker-controlled ad text safely.
* :mod:`~tracelight.web.pages` and :mod:`~tracelight.web.api`: the routes.

Every read goes through ``tracelight.store.repository`` functions that take the
caller's organisation, so isolation lives in the queries, not in the templates.
"""

from __future__ import annotations

from tracelight.web.app import create_app

__all__ = ["create_app"]
