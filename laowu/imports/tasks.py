"""Background jobs of imports (procrastinate, on PostgreSQL; run by ``laowu worker``)."""

from __future__ import annotations

from procrastinate.contrib.django import app


@app.task(queue="imports", name="laowu.imports.run_import_job")
def run_import_job(job_id: int, commit: bool) -> None:
    from laowu.imports.services import import_execute

    import_execute(job_id=job_id, commit=commit)
