"""The embedded server's list of users survives processes that were killed outright."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from laowu import db


def test_dead_processes_are_dropped_from_the_servers_handle_list(tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    path = tmp_path / ".handle_pids.json"
    path.write_text(json.dumps([dead.pid, os.getpid()]))
    db._forget_dead_handles(tmp_path)
    assert json.loads(path.read_text()) == [os.getpid()]


def test_a_missing_or_broken_handle_list_is_no_error(tmp_path: Path) -> None:
    db._forget_dead_handles(tmp_path)  # no file: nothing to do
    assert not (tmp_path / ".handle_pids.json").exists()
    (tmp_path / ".handle_pids.json").write_text("{not json")
    db._forget_dead_handles(tmp_path)
    assert json.loads((tmp_path / ".handle_pids.json").read_text()) == []


_HOLD = """
import sys, time
from laowu import db
import psycopg
conn = psycopg.connect(db.embedded_url("laowu_hold"), autocommit=True)
print("connected", flush=True)
sys.stdin.readline()
print(conn.execute("SELECT 'still connected'").fetchone()[0], flush=True)
"""


def test_a_second_process_joining_a_new_server_leaves_the_first_ones_connection(tmp_path: Path) -> None:
    """On a new cluster the first process applies TUNING; settings that need a restart used to
    be restarted for by the next process to join, cutting the first one's connections."""
    env = {**os.environ, "LAOWU_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    root = str(Path(db.__file__).resolve().parent.parent)
    first = subprocess.Popen(
        [sys.executable, "-c", _HOLD], env=env, cwd=root, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert first.stdout is not None and first.stdin is not None
        assert first.stdout.readline().strip() == "connected"
        second = subprocess.run(
            [
                sys.executable,
                "-c",
                "import psycopg; from laowu import db; "
                "conn = psycopg.connect(db.embedded_url('laowu_hold')); "
                "print(*(conn.execute(f'SHOW {name}').fetchone()[0] for name in ('shared_buffers', 'wal_level')))",
            ],
            env=env,
            cwd=root,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        # Both need a restart: wal_level (with max_wal_senders 0) came with it and the server started.
        assert second.stdout.split() == [db.TUNING["shared_buffers"], "minimal"]
        out, _ = first.communicate("\n", timeout=60)
        assert out.strip() == "still connected"
    finally:
        if first.poll() is None:
            first.kill()
