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
