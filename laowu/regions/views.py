from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from laowu.core.scope import scope_prefix
from laowu.core.types import AuthedRequest
from laowu.core.views import paginate, require_cap
from laowu.regions import selectors, services
from laowu.regions.models import Region, RegionLevel


@require_cap("regions.view")
def region_list_view(request: AuthedRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    parent = request.GET.get("parent", "")
    level_raw = request.GET.get("level", "")
    level = int(level_raw) if level_raw.isdigit() else None
    if not query and not parent and level is None:
        # Start at the user's own node: its children.
        parent = request.user.region_id
    qs = selectors.region_list(user=request.user, query=query, level=level, parent=parent)
    page = paginate(request, qs)
    template = "regions/_region_rows.html" if request.htmx else "regions/region_list.html"
    parent_region = Region.objects.restrict(request.user).filter(code=parent).first() if parent else None
    return render(
        request,
        template,
        {"page": page, "q": query, "level": level_raw, "levels": RegionLevel.choices, "parent": parent_region},
    )


@require_cap("regions.view")
def region_detail_view(request: AuthedRequest, code: str) -> HttpResponse:
    region = selectors.region_get(user=request.user, code=code)
    children = Region.objects.filter(parent=region).order_by("code")[:500]
    ancestors = Region.objects.filter(code__in=region.ancestors_codes()).order_by("code")
    return render(
        request, "regions/region_detail.html", {"region": region, "children": children, "ancestors": ancestors}
    )


@require_cap("regions.view")
def region_search_view(request: AuthedRequest) -> HttpResponse:
    """Autocomplete for region pickers (htmx): name, code or pinyin initials."""
    query = request.GET.get("q", "")
    results = list(selectors.region_list(user=request.user, query=query)[:20]) if query else []
    return render(request, "regions/_region_options.html", {"results": results})


@require_cap("regions.edit")
def village_import_view(request: AuthedRequest) -> HttpResponse:
    result = None
    if request.method == "POST" and request.FILES.get("file"):
        upload: Any = request.FILES["file"]
        suffix = Path(str(upload.name)).suffix.lower()
        if suffix not in (".csv", ".xlsx", ".xls"):
            messages.error(request, "只支持 .csv、.xlsx、.xls 文件。")
            return redirect("regions:village_import")
        with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
            handle.flush()
            try:
                rows = services.read_table(Path(handle.name))
            except Exception:
                messages.error(request, "无法读取该文件，请确认是有效的 Excel 或 CSV 文件。")
                return redirect("regions:village_import")
        dry_run = request.POST.get("commit") != "1"
        scope = scope_prefix(request.user) or ""
        result = services.villages_load(rows=rows, dry_run=dry_run, scope=scope)
        if not result.errors and not dry_run:
            messages.success(request, f"已导入：新增 {result.created}，更新 {result.updated}。")
            return redirect("regions:region_list")
    return render(request, "regions/village_import.html", {"result": result})
