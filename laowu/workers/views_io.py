"""Registry import and export pages (the importer's half of workers).

Import is the generic import machinery (``laowu/imports``) with the ``person`` target; export
streams a filtered ledger through ``services.person_export``. The away ledger (外出务工台帐)
imports and exports as stints: both views hand it to placements (``stint`` target,
``placements:stint_export``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from laowu.core.masking import can_view_sensitive
from laowu.core.types import AuthedRequest
from laowu.core.views import require_cap
from laowu.core.xlsx import DeleteOnClose
from laowu.workers import services
from laowu.workers.selectors import FILTER_KEYS, Ledger


@require_cap("registry.import")
def import_upload_view(request: AuthedRequest) -> HttpResponse:
    ledger = request.GET.get("ledger", Ledger.RESOURCE)
    if ledger not in Ledger.LABELS:
        ledger = Ledger.RESOURCE
    # The away ledger (外出务工台帐) is stints; the other two are people.
    target = "stint" if ledger == Ledger.AWAY else "person"
    return redirect(f"{reverse('imports:upload', args=[target])}?{urlencode({'ledger': ledger})}")


def _attachment(response: Any, filename: str) -> Any:
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@require_cap("registry.export")
def ledger_export_view(request: AuthedRequest) -> HttpResponse:
    """GET shows the export form for the current query; POST sends the file."""
    ledger = request.GET.get("ledger", Ledger.RESOURCE)
    if ledger == Ledger.AWAY:
        # The away ledger (外出务工台帐) exports as stints, in the stint import's layout.
        return redirect(f"{reverse('placements:stint_export')}?{request.GET.urlencode()}")
    filters = {key: request.GET.get(key, "") for key in FILTER_KEYS}
    error = ""
    if request.method == "POST":
        full = request.POST.get("full") == "1"
        try:
            export = services.person_export(
                user=request.user,
                ledger=ledger,
                filters=filters,
                fmt=request.POST.get("format", "xlsx"),
                full=full,
                reason=request.POST.get("reason", ""),
            )
        except ValidationError as exc:
            error = "；".join(exc.messages)
        else:
            if export.lines is not None:
                response: Any = StreamingHttpResponse(export.lines, content_type=export.content_type)
            else:
                assert export.path is not None
                response = FileResponse(DeleteOnClose(export.path), content_type=export.content_type)
            return _attachment(response, export.filename)
    context = {
        "ledger": ledger,
        "ledger_label": Ledger.LABELS.get(ledger, ""),
        "filters": {k: v for k, v in filters.items() if v},
        "can_full": can_view_sensitive(request.user),
        "error": error,
        "back": f"?{request.GET.urlencode()}",
    }
    return render(request, "workers/export.html", context, status=400 if error else 200)
