"""Large files run as a background job (procrastinate) in a worker process, with progress; a
worker killed half-way leaves nothing written, the job shows as interrupted and runs again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import pytest
from django.db import connection

from laowu.accounts.roles import Role
from laowu.imports import services
from laowu.imports.models import ImportJob, ImportStatus
from laowu.imports.tests.files import person_row, township_xlsx
from laowu.workers.models import Household, Person

pytestmark = pytest.mark.django_db(transaction=True)
WUSAN = "620723101201"


def _worker_env() -> dict[str, str]:
    """The environment of a worker process that uses this test's database."""
    url = urlparse(os.environ["DATABASE_URL"])
    test_url = urlunparse(url._replace(path=f"/{connection.settings_dict['NAME']}"))
    return {**os.environ, "DATABASE_URL": test_url, "LAOWU_ENV": "test"}


def _worker(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "laowu", "worker", "--queues", "imports", *args],
        env=_worker_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wait_for(job: ImportJob, predicate: Any, seconds: float = 120) -> ImportJob:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if predicate(job):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job stayed {job.status} ({job.phase}, {job.processed_rows} rows)")


def test_a_large_file_is_checked_and_imported_by_the_worker_then_a_killed_import_leaves_nothing(
    make_user: Any, villages: Any, tmp_path: Path, settings: Any
) -> None:
    settings.IMPORT_INLINE_MAX_BYTES = 0  # every file goes to the worker
    station = make_user(role=Role.TOWNSHIP_STATION, region="620723101")
    path = township_xlsx(tmp_path / "big.xlsx", [person_row(i, WUSAN) for i in range(30_000)])
    job = services.import_submit(
        user=station, target="person", profile="laowu_person", filename=path.name, chunks=[path.read_bytes()]
    )
    job = services.import_start(user=station, job=job)
    assert job.status == ImportStatus.PENDING  # queued, not run in the request

    worker = _worker("--one-shot")
    assert worker.wait(timeout=300) == 0, worker.stderr.read().decode()[-2000:] if worker.stderr else ""
    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKED and job.created_count == 30_000, job.message
    assert Person.objects.count() == 0

    # The import, killed while it writes: nothing of it stays, and it runs again.
    services.import_start(user=station, job=job, commit=True)
    worker = _worker()
    try:
        _wait_for(job, lambda j: j.status == ImportStatus.RUNNING and j.processed_rows >= 10_000)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    # The server rolls the dead worker's transaction back (and frees its lock) once it notices.
    _wait_for(job, services.job_is_interrupted, seconds=60)
    assert Person.objects.count() == 0 and Household.objects.count() == 0
    with pytest.raises(Exception, match="校验通过"):
        services.import_start(user=station, job=job, commit=True)  # interrupted: check it again first
    job = services.import_start(user=station, job=job)
    worker = _worker("--one-shot")
    assert worker.wait(timeout=300) == 0
    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKED
    services.import_start(user=station, job=job, commit=True)
    worker = _worker("--one-shot")
    assert worker.wait(timeout=300) == 0
    job.refresh_from_db()
    assert job.status == ImportStatus.COMMITTED and Person.objects.count() == 30_000
