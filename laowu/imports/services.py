"""Import jobs: submit a file, check it (dry run), commit it; small files at once, large ones as a
background job (procrastinate) with progress.

Life of a job: ``import_submit`` stores the file (by SHA-256, in the data folder) → ``import_start``
runs the dry run → the job is ``checked`` (no errors) or ``invalid`` (every error listed by row,
column and reason) → ``import_start(commit=True)`` on a checked job validates again and writes,
all or nothing; the job's final state commits in the same transaction as the data.

A job runs under a PostgreSQL advisory lock on its id: a second run of the same job is refused
while one is alive, and a job whose process died (the lock is gone while the status still says
running) shows as interrupted and may be run again — its transaction was rolled back by the
server, so nothing of it was written.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from laowu.audit.models import AuditEventType, Outcome
from laowu.audit.services import audit_record
from laowu.core.scope import require_in_scope
from laowu.db import data_dir
from laowu.imports.engine import ImportResult, get_target, run_import
from laowu.imports.models import ImportIssue, ImportJob, ImportPolicy, ImportStatus
from laowu.imports.profiles import get_profile
from laowu.imports.reader import SUFFIXES

log = logging.getLogger(__name__)
LOCK_CLASS = 7412  # advisory lock namespace for import jobs (pg_try_advisory_lock(class, id))
HEARTBEAT_SECONDS = 1.0


def _files_dir() -> Path:
    path = data_dir() / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def import_submit(
    *,
    user: Any,
    target: str,
    profile: str,
    filename: str,
    chunks: Any,
    policy: str = ImportPolicy.UPDATE,
    options: dict[str, Any] | None = None,
    ip: str = "",
) -> ImportJob:
    """Store an uploaded file and create its job. ``chunks`` iterates the file's bytes."""
    the_target = get_target(target)
    if not user.has_cap(the_target.capability):
        raise PermissionDenied(the_target.capability)
    try:
        the_profile = get_profile(profile)
    except LookupError as exc:
        raise ValidationError({"profile": [str(exc)]}) from None
    if the_profile.target != target:
        raise ValidationError({"profile": [f"「{the_profile.label}」不能用于导入{the_target.label}"]})
    if policy not in ImportPolicy.values:
        raise ValidationError({"policy": ["请选择已登记人员的处理方式"]})
    name = Path(str(filename or "")).name.replace("\x00", "")[:200]
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise ValidationError(
            {"file": [f"不支持的文件类型「{suffix or '无扩展名'}」，请上传 .xlsx、.xls 或 .csv 文件"]}
        )
    digest = hashlib.sha256()
    size = 0
    limit = settings.IMPORT_MAX_BYTES
    temporary = _files_dir() / f"upload-{threading.get_ident()}-{time.monotonic_ns()}{suffix}"
    try:
        with open(temporary, "wb") as out:
            for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise ValidationError({"file": [f"文件超过 {limit // (1024 * 1024)} MB，请分批导入"]})
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise ValidationError({"file": ["文件是空的"]})
        stored = _files_dir() / f"{digest.hexdigest()}{suffix}"
        temporary.replace(stored)
    finally:
        temporary.unlink(missing_ok=True)
    job = ImportJob(
        region_id=user.region_id,
        target=target,
        profile=profile,
        policy=policy,
        options={**(options or {}), "ip": ip[:45]},
        user=user,
        filename=name or f"upload{suffix}",
        file_sha256=digest.hexdigest(),
        file_size=size,
        stored_path=stored.name,
    )
    job.full_clean()
    job.save()
    return job


def _runs_inline(job: ImportJob) -> bool:
    return settings.IMPORT_ALWAYS_INLINE or job.file_size <= settings.IMPORT_INLINE_MAX_BYTES


def import_start(*, user: Any, job: ImportJob, commit: bool = False) -> ImportJob:
    """Check (``commit=False``) or import a job: at once for a small file, otherwise queued as a
    background job (the page then follows its progress)."""
    require_in_scope(user, job.region_id)
    if not user.has_cap(get_target(job.target).capability):
        raise PermissionDenied
    if job.user_id != user.pk and not user.has_cap("accounts.manage"):
        # Another officer's file: they started it and answer for what it writes.
        raise PermissionDenied
    if commit and job.status != ImportStatus.CHECKED:
        raise ValidationError("只有校验通过的文件才能导入；请先校验并改正全部错误")
    if job.status == ImportStatus.COMMITTED:
        raise ValidationError("该文件已经导入")
    if job_is_running(job):
        raise ValidationError("该文件正在处理中，请稍候")
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.PENDING, commit_requested=commit, phase="排队", processed_rows=0, message=""
    )
    job.refresh_from_db()
    if _runs_inline(job):
        import_execute(job_id=job.pk, commit=commit)
    else:
        from laowu.imports.tasks import run_import_job

        transaction.on_commit(lambda: run_import_job.defer(job_id=job.pk, commit=commit))
    job.refresh_from_db()
    return job


def job_is_running(job: ImportJob) -> bool:
    """True while a process holds the job's advisory lock."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_CLASS, job.pk])
        got = cursor.fetchone()[0]
        if got:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_CLASS, job.pk])
    return not got


def job_is_interrupted(job: ImportJob) -> bool:
    return (
        job.status in (ImportStatus.RUNNING, ImportStatus.PENDING)
        and job.started_at is not None
        and not job_is_running(job)
    )


class _ProgressReporter:
    """Writes a job's progress through a second, autocommit connection: the import's own
    transaction is invisible to the page that polls until it commits."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.last = 0.0
        self.conn: Any = None
        try:
            import psycopg

            params = connection.get_connection_params()
            params.pop("cursor_factory", None)
            params.pop("context", None)
            self.conn = psycopg.connect(**params, autocommit=True)
        except Exception:  # progress is a courtesy; the import goes on without it
            log.warning("import progress connection failed", exc_info=True)

    def __call__(self, done: int, total: int, phase: str) -> None:
        now = time.monotonic()
        if self.conn is None or (now - self.last < HEARTBEAT_SECONDS and done and done < total):
            return
        self.last = now
        try:
            self.conn.execute(
                "UPDATE imports_importjob SET processed_rows = %s, total_rows = %s, phase = %s, "
                "heartbeat_at = now() WHERE id = %s",
                [done, total, phase, self.job_id],
            )
        except Exception:
            log.warning("import progress update failed", exc_info=True)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


def _summary(result: ImportResult) -> dict[str, Any]:
    header = result.header
    return {
        "columns": [header.headers[c] for c in sorted(header.columns)] if header else [],
        "ignored": header.ignored if header else [],
        "header_rows": [r + 1 for r in header.header_rows] if header else [],
        "footers": result.footers[:50],
        "extra": result.counts.extra,
        "seconds": round(result.seconds, 2),
        "timings": result.timings,
    }


def _record(job: ImportJob, result: ImportResult, status: str) -> None:
    counts = result.counts
    ImportIssue.objects.filter(job=job).delete()
    ImportIssue.objects.bulk_create(
        [ImportIssue(job=job, row=i.row, column=i.column[:60], message=i.message[:500]) for i in result.issues.items],
        batch_size=2000,
    )
    now = timezone.now()
    ImportJob.objects.filter(pk=job.pk).update(
        status=status,
        phase="",
        total_rows=counts.rows,
        processed_rows=counts.rows,
        created_count=counts.created,
        updated_count=counts.updated,
        unchanged_count=counts.unchanged,
        skipped_count=counts.skipped,
        error_count=result.issues.count,
        summary=_summary(result),
        finished_at=now,
        heartbeat_at=now,
        duration_ms=int(result.seconds * 1000),
        committed_at=now if status == ImportStatus.COMMITTED else None,
    )


def import_execute(*, job_id: int, commit: bool) -> ImportJob:
    """Run a job in this process (the background task and small files call this)."""
    from laowu.accounts.models import User
    from laowu.core.audit_context import audit_context

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_CLASS, job_id])
        if not cursor.fetchone()[0]:
            raise ValidationError("该文件正在处理中，请稍候")
    reporter = _ProgressReporter(job_id)
    try:
        job = ImportJob.objects.get(pk=job_id)
        user = User.objects.get(pk=job.user_id)
        if commit and job.status not in (ImportStatus.PENDING, ImportStatus.RUNNING, ImportStatus.CHECKED):
            raise ValidationError("只有校验通过的文件才能导入")
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportStatus.RUNNING, started_at=timezone.now(), heartbeat_at=timezone.now(), phase="读取文件"
        )
        options = {
            **job.options,
            "policy": job.policy,
            "job_id": job.pk,
            "filename": job.filename,
            "file_sha256": job.file_sha256,
        }
        if commit:  # what the check found to write plans the commit (bulk mode)
            options["checked_writes"] = job.created_count + job.updated_count
            options["checked_created"] = job.created_count
            options["checked_extra"] = dict((job.summary or {}).get("extra") or {})

        def committed(result: ImportResult) -> None:
            _record(job, result, ImportStatus.COMMITTED)

        try:
            with audit_context(source="import", user=user, ip=job.options.get("ip", ""), import_job=job.pk):
                result = run_import(
                    path=_files_dir() / job.stored_path,
                    filename=job.filename,
                    target=job.target,
                    profile=job.profile,
                    user=user,
                    options=options,
                    dry_run=not commit,
                    progress=reporter,
                    on_commit=committed,
                )
        except Exception as exc:
            log.exception("import job %s failed", job_id)
            ImportJob.objects.filter(pk=job_id).update(
                status=ImportStatus.FAILED,
                phase="",
                finished_at=timezone.now(),
                message=f"处理失败：{type(exc).__name__}",
            )
            raise
        if not result.committed:
            status = ImportStatus.CHECKED if result.ok else ImportStatus.INVALID
            _record(job, result, status)
            if commit or not result.ok:
                with transaction.atomic():
                    audit_record(
                        event=AuditEventType.IMPORT,
                        user=user,
                        ip=job.options.get("ip", ""),
                        obj=job,
                        outcome=Outcome.FAILURE if not result.ok else Outcome.SUCCESS,
                        detail={"dry_run": not commit, "errors": result.issues.count, "file_sha256": job.file_sha256},
                    )
        job.refresh_from_db()
        return job
    finally:
        reporter.close()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_CLASS, job_id])


def import_template(*, user: Any, target: str, profile: str, ledger: str) -> bytes:
    the_target = get_target(target)
    if not user.has_cap(the_target.capability):
        raise PermissionDenied(the_target.capability)
    return bytes(the_target.template(profile=get_profile(profile), ledger=ledger, user=user))
