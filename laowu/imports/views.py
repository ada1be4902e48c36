"""Import pages: upload, the job page (progress, preview, every error, import), error report,
the list of imports. Region scope: a job is visible in the importing user's subtree only."""

from __future__ import annotations

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from laowu.core.audit_context import client_ip
from laowu.core.types import AuthedRequest
from laowu.core.views import paginate, require_cap
from laowu.core.xlsx import LedgerBook, SheetColumn
from laowu.imports import services
from laowu.imports.engine import get_target
from laowu.imports.forms import ImportUploadForm
from laowu.imports.models import ImportJob, ImportStatus
from laowu.imports.profiles import get_profile, profiles_for

ISSUES_PER_PAGE = 100


def _target_or_404(key: str):  # type: ignore[no-untyped-def]
    try:
        return get_target(key)
    except LookupError:
        raise Http404 from None


def _job(request: AuthedRequest, pk: int) -> ImportJob:
    return get_object_or_404(ImportJob.objects.restrict(request.user).select_related("user"), pk=pk)


@require_cap("registry.view")
def upload_view(request: AuthedRequest, target: str) -> HttpResponse:
    """Upload a file, then the job page runs the dry run (校验) and shows the result."""
    the_target = _target_or_404(target)
    if not request.user.has_cap(the_target.capability):
        raise PermissionDenied
    ledger = request.GET.get("ledger", request.POST.get("ledger", ""))
    form = ImportUploadForm(request.POST or None, request.FILES or None, target=target)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.import_submit(
                user=request.user,
                target=target,
                profile=form.cleaned_data["profile"],
                filename=upload.name,
                chunks=upload.chunks(),
                policy=form.cleaned_data["policy"],
                options={"ledger": ledger} if ledger else {},
                ip=client_ip(request),
            )
            services.import_start(user=request.user, job=job)
        except ValidationError as exc:
            for field, errors in getattr(exc, "message_dict", {"file": exc.messages}).items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            return redirect("imports:job_detail", pk=job.pk)
    context = {
        "form": form,
        "target": the_target,
        "target_key": target,
        "ledger": ledger,
        "profiles": profiles_for(target),
        "recent": ImportJob.objects.restrict(request.user).filter(target=target).order_by("-created_at")[:5],
    }
    return render(request, "imports/upload.html", context)


@require_cap("registry.view")
def template_view(request: AuthedRequest, target: str) -> HttpResponse:
    """The import template of a target and ledger, as the user's region would fill it."""
    _target_or_404(target)
    profile_key = request.GET.get("profile") or (profiles_for(target)[0].key if profiles_for(target) else "")
    try:
        profile = get_profile(profile_key)
    except LookupError:
        raise Http404 from None
    ledger = request.GET.get("ledger", "resource")
    content = services.import_template(user=request.user, target=target, profile=profile.key, ledger=ledger)
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    filename = f"{profile.label}-导入模板.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


@require_cap("registry.view")
def job_list_view(request: AuthedRequest) -> HttpResponse:
    qs = ImportJob.objects.restrict(request.user).select_related("user").order_by("-created_at", "-id")
    return render(request, "imports/job_list.html", {"page": paginate(request, qs)})


def _job_context(request: AuthedRequest, job: ImportJob) -> dict[str, object]:
    running = job.status in (ImportStatus.PENDING, ImportStatus.RUNNING)
    interrupted = running and services.job_is_interrupted(job)
    issues = paginate(request, job.issues.all(), default_size=ISSUES_PER_PAGE) if not running else None
    try:
        profile_label = get_profile(job.profile).label
    except LookupError:
        profile_label = job.profile
    the_target = _target_or_404(job.target)
    policy_labels = dict(getattr(the_target, "policy_choices", ()))
    return {
        "job": job,
        "policy_label": getattr(the_target, "policy_label", "已登记人员"),
        "policy_display": policy_labels.get(job.policy) or job.get_policy_display(),
        "running": running and not interrupted,
        "interrupted": interrupted,
        "issues": issues,
        "profile_label": profile_label,
        "target": the_target,
        "can_run": request.user.pk == job.user_id and request.user.has_cap(the_target.capability),
    }


@require_cap("registry.view")
def job_detail_view(request: AuthedRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    context = _job_context(request, job)
    if request.htmx and request.GET.get("poll"):
        return render(request, "imports/_job_status.html", context)
    return render(request, "imports/job_detail.html", context)


@require_cap("registry.view")
@require_POST
def job_start_view(request: AuthedRequest, pk: int) -> HttpResponse:
    """校验 (dry run) or 导入 (commit) a job; small files finish before the page returns."""
    job = _job(request, pk)
    commit = request.POST.get("commit") == "1"
    try:
        job = services.import_start(user=request.user, job=job, commit=commit)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        if job.status == ImportStatus.COMMITTED:
            unit = getattr(_target_or_404(job.target), "unit", "人")
            messages.success(
                request,
                f"已导入：新增 {job.created_count} {unit}，更新 {job.updated_count} {unit}，"
                f"无变化 {job.unchanged_count} {unit}，跳过 {job.skipped_count} {unit}",
            )
        elif job.status == ImportStatus.INVALID:
            messages.error(request, f"发现 {job.error_count} 处错误，未导入任何数据")
    return redirect("imports:job_detail", pk=job.pk)


@require_cap("registry.view")
def job_issues_xlsx_view(request: AuthedRequest, pk: int) -> HttpResponse:
    """Every error of a job as a workbook, to fix the file row by row."""
    job = _job(request, pk)
    buffer = io.BytesIO()
    book = LedgerBook(buffer)
    book.ledger_sheet(
        "错误清单",
        f"{job.filename} 校验错误清单（共 {job.error_count} 处）",
        [SheetColumn("行号", width=8), SheetColumn("列", width=18), SheetColumn("原因", width=80)],
    )
    for issue in job.issues.all().iterator(chunk_size=2000):
        book.write_row([issue.row or "", issue.column, issue.message])
    book.close()
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(f'错误清单-{job.pk}.xlsx')}"
    return response
