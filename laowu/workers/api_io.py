"""Registry export API (the importer's half of workers; imports are ``/api/imports/``):
a filtered ledger as streamed CSV or an Excel file, through ``services.person_export``."""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import quote

from django.http import FileResponse, HttpRequest, StreamingHttpResponse
from ninja import Query, Router

from laowu.core.api import require_api_cap
from laowu.core.xlsx import DeleteOnClose
from laowu.workers import services
from laowu.workers.api import LedgerFilters

router = Router(tags=["workers"])


class ExportFilters(LedgerFilters):
    format: Literal["csv", "xlsx"] = "csv"
    full: bool = False
    reason: str = ""
    age_min: str = ""
    age_max: str = ""


@router.get("/people/export", response={200: None})
def person_export(request: HttpRequest, filters: Query[ExportFilters]) -> Any:
    """The ledger's people in the caller's scope; numbers masked unless ``full`` with a
    ``reason`` (needs the view-sensitive capability); logged with the row count."""
    user = require_api_cap(request, "registry.export")
    values = filters.dict()
    export = services.person_export(
        user=user,
        ledger=values.pop("ledger"),
        fmt=values.pop("format"),
        full=values.pop("full"),
        reason=values.pop("reason"),
        filters={k: str(v) for k, v in values.items()},
    )
    if export.lines is not None:
        response: Any = StreamingHttpResponse(export.lines, content_type=export.content_type)
    else:
        assert export.path is not None
        response = FileResponse(DeleteOnClose(export.path), content_type=export.content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(export.filename)}"
    return response
