from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from laowu.audit.models import AuditEvent


def audit_event_list(*, user: Any, filters: dict[str, Any]) -> QuerySet[AuditEvent]:
    """The auditor reads the whole trail; nobody else reads it at all."""
    if not user.has_cap("audit.view"):
        return AuditEvent.objects.none()
    qs = AuditEvent.objects.all()
    if filters.get("username"):
        qs = qs.filter(username=filters["username"])
    if filters.get("event"):
        qs = qs.filter(event=filters["event"])
    if filters.get("since"):
        qs = qs.filter(at__date__gte=filters["since"])
    if filters.get("until"):
        qs = qs.filter(at__date__lte=filters["until"])
    return qs.order_by("-id")
