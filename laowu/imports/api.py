"""Imports API: submit a file (it is checked at once or queued), follow its job, read every
error, commit a checked job. The same services and scope as the pages: a job outside the
user's subtree is a 404."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from laowu.core.api import require_api_cap
from laowu.core.audit_context import client_ip
from laowu.imports import services
from laowu.imports.engine import get_target
from laowu.imports.models import ImportJob, ImportStatus

router = Router(tags=["imports"])
ISSUES_MAX = 1000


class IssueOut(Schema):
    row: int
    column: str
    message: str


class JobOut(Schema):
    id: int
    target: str
    profile: str
    policy: str
    filename: str
    file_sha256: str
    status: str
    status_label: str
    phase: str
    total_rows: int
    processed_rows: int
    created: int
    updated: int
    unchanged: int
    skipped: int
    errors: int
    running: bool
    created_at: datetime.datetime
    committed_at: datetime.datetime | None
    summary: dict[str, Any]
    issues: list[IssueOut]


def _out(job: ImportJob, *, issues_offset: int = 0) -> dict[str, Any]:
    running = job.status in (ImportStatus.PENDING, ImportStatus.RUNNING) and not services.job_is_interrupted(job)
    issues = list(job.issues.all()[issues_offset : issues_offset + ISSUES_MAX]) if not running else []
    return {
        "id": job.pk,
        "target": job.target,
        "profile": job.profile,
        "policy": job.policy,
        "filename": job.filename,
        "file_sha256": job.file_sha256,
        "status": job.status,
        "status_label": job.get_status_display(),
        "phase": job.phase,
        "total_rows": job.total_rows,
        "processed_rows": job.processed_rows,
        "created": job.created_count,
        "updated": job.updated_count,
        "unchanged": job.unchanged_count,
        "skipped": job.skipped_count,
        "errors": job.error_count,
        "running": running,
        "created_at": job.created_at,
        "committed_at": job.committed_at,
        "summary": job.summary,
        "issues": [{"row": i.row, "column": i.column, "message": i.message} for i in issues],
    }


def _job(user: Any, job_id: int) -> ImportJob:
    return get_object_or_404(ImportJob.objects.restrict(user), pk=job_id)


@router.post("/", response={201: JobOut})
def import_submit(
    request: HttpRequest,
    file: File[UploadedFile],
    target: Form[str] = "person",
    profile: Form[str] = "",
    policy: Form[str] = "update",
    ledger: Form[str] = "",
) -> Any:
    """Upload a file: it is checked (dry run) at once when small, or queued; follow the job."""
    user = require_api_cap(request, "api.use")
    try:
        the_target = get_target(target)
    except LookupError as exc:
        from django.core.exceptions import ValidationError

        raise ValidationError({"target": [str(exc)]}) from None
    require_api_cap(request, the_target.capability)
    if not profile:
        from laowu.imports.profiles import profiles_for

        profile = profiles_for(target)[0].key
    job = services.import_submit(
        user=user,
        target=target,
        profile=profile,
        filename=file.name or "upload",
        chunks=file.chunks(),
        policy=policy,
        options={"ledger": ledger} if ledger else {},
        ip=client_ip(request),
    )
    job = services.import_start(user=user, job=job)
    return 201, _out(job)


@router.get("/", response=list[JobOut])
def import_list(request: HttpRequest, limit: int = 20, offset: int = 0) -> Any:
    user = require_api_cap(request, "registry.view")
    limit = max(1, min(limit, 100))
    offset = max(0, min(offset, 10**6))
    jobs = ImportJob.objects.restrict(user).order_by("-created_at", "-id")[offset : offset + limit]
    return [_out(job) | {"issues": []} for job in jobs]


@router.get("/{int:job_id}", response=JobOut)
def import_detail(request: HttpRequest, job_id: int, issues_offset: int = 0) -> Any:
    """A job's state and counts, and its errors (1,000 at a time from ``issues_offset``)."""
    user = require_api_cap(request, "registry.view")
    return _out(_job(user, job_id), issues_offset=max(0, min(issues_offset, 10**6)))


@router.post("/{int:job_id}/check", response=JobOut)
def import_check(request: HttpRequest, job_id: int) -> Any:
    user = require_api_cap(request, "registry.view")
    return _out(services.import_start(user=user, job=_job(user, job_id)))


@router.post("/{int:job_id}/commit", response=JobOut)
def import_commit(request: HttpRequest, job_id: int) -> Any:
    """Import a checked job: all rows or none."""
    user = require_api_cap(request, "registry.view")
    return _out(services.import_start(user=user, job=_job(user, job_id), commit=True))
