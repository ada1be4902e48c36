from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from laowu.audit.models import AuditEventType
from laowu.audit.selectors import audit_event_list
from laowu.audit.services import audit_verify_chain
from laowu.core.types import AuthedRequest
from laowu.core.views import paginate, require_cap


@require_cap("audit.view")
def event_list_view(request: AuthedRequest) -> HttpResponse:
    filters = {k: request.GET.get(k, "").strip() for k in ("username", "event", "since", "until")}
    page = paginate(request, audit_event_list(user=request.user, filters=filters))
    chain = audit_verify_chain() if request.GET.get("verify") else None
    return render(
        request,
        "audit/event_list.html",
        {"page": page, "filters": filters, "events": AuditEventType.choices, "chain": chain},
    )
