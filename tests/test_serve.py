"""`laowu serve` stops what it started: a SIGTERM (service manager) or SIGINT (Ctrl-C) to the
serve process must take the gunicorn server down with it, not leave it holding the port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_serve_stops_its_web_server_on_a_signal(signum: int) -> None:
    port = _free_port()
    env = dict(os.environ, LAOWU_ENV="test")
    # Started the way a non-interactive shell starts a background job: SIGINT ignored.
    proc = subprocess.Popen(
        [sys.executable, "-m", "laowu", "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--no-worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    try:
        deadline = time.monotonic() + 60
        while not _listening(port):
            assert proc.poll() is None, "laowu serve exited before listening"
            assert time.monotonic() < deadline, "laowu serve did not listen within 60 s"
            time.sleep(0.3)
        proc.send_signal(signum)
        assert proc.wait(timeout=40) is not None
        deadline = time.monotonic() + 10
        while _listening(port) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _listening(port), "the web server outlived laowu serve"
    finally:
        if proc.poll() is None:
            proc.kill()
