"""Who/where context for data history, inside and outside web requests.

django-pghistory records every insert/update/delete by database triggers, so bulk operations,
COPY, commands and background jobs are recorded too; this module attaches the context (user,
IP, source) that the triggers store with each event. Web requests get it from
``AuditContextMiddleware``; commands and jobs wrap their work in ``audit_context(...)``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pghistory
import pghistory.runtime


def client_ip(request: Any) -> str:
    # Behind the county's reverse proxy the address is in X-Forwarded-For (docs/deploy.md).
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        return forwarded.split(",")[0].strip()[:45]
    return str(request.META.get("REMOTE_ADDR", ""))[:45]


@contextlib.contextmanager
def audit_context(*, source: str, user: Any = None, ip: str = "", **extra: Any) -> Iterator[None]:
    """Attach who/where to every history event written inside the block."""
    values: dict[str, Any] = {"source": source, "ip": ip, **extra}
    if user is not None and getattr(user, "pk", None):
        values["user"] = user.pk
        values["username"] = user.username
    with pghistory.context(**values):
        yield


def context_ip() -> str:
    """The client IP of the current audit context (set by the middleware for web requests)."""
    context = getattr(pghistory.runtime._tracker, "value", None)
    return str((context.metadata if context else {}).get("ip", ""))[:45]
