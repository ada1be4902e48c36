"""The ``laowu`` command (``python -m laowu ...``).

serve       run the production web server (gunicorn), never Django's development server
migrate     apply database migrations
demo        load the demo data set (Baoshan city and Shahe town)
createuser  create an account with a role and a region
check       Django's system checks (add --deploy for production settings)
worker      run the background job worker (procrastinate; `serve` starts one unless --no-worker)
Any other word is passed to Django's management commands (``python -m laowu shell``).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "laowu.settings")
    import django

    django.setup()


def _manage(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "laowu.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["laowu", *argv])


def serve(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="laowu serve")
    parser.add_argument("--bind", default=os.environ.get("LAOWU_BIND", "127.0.0.1:8000"))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("LAOWU_WORKERS", "3")))
    parser.add_argument("--print-logins", action="store_true", help="print the demo logins")
    parser.add_argument(
        "--no-worker", action="store_true", help="do not start the background job worker (run `laowu worker` elsewhere)"
    )
    args = parser.parse_args(argv)
    _django_setup()  # starts the embedded database if DATABASE_URL is not set
    from django.conf import settings
    from django.core.management import call_command

    if not settings.DEBUG and os.environ.get("LAOWU_ENV") == "production":
        call_command("collectstatic", "--noinput", verbosity=0)
    host, _, port = args.bind.rpartition(":")
    print(f"\nLaowu 劳务 is serving on http://{host or '127.0.0.1'}:{port}/  (Ctrl-C to stop)")
    if args.print_logins:
        from laowu.core.demo import print_logins

        print_logins()
    sys.stdout.flush()
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "laowu.wsgi:application",
        "--bind",
        args.bind,
        "--workers",
        str(args.workers),
        "--threads",
        "2",
        "--access-logfile",
        "-",
        "--timeout",
        "120",
    ]

    # Ctrl-C, a service manager's SIGTERM and a closed terminal's SIGHUP all stop the web server,
    # the worker and (on leaving) the embedded database; a shell that started us in the
    # background may have left SIGINT ignored, so every handler is set here.
    def _stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _stop)
    proc = subprocess.Popen(cmd, env=os.environ.copy())
    # Background jobs (large imports) run in a procrastinate worker beside the web server.
    worker = None
    if not args.no_worker:
        worker = subprocess.Popen([sys.executable, "-m", "laowu", "worker"], env=os.environ.copy())
    try:
        proc.wait()
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the cleanup short
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
    finally:
        if worker is not None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
    # Leaving this process stops the embedded database (pgserver's exit hook).


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(__doc__)
        return
    word, rest = argv[0], argv[1:]
    if word == "serve":
        serve(rest)
    elif word == "demo":
        _manage(["load_demo", *rest])
    elif word == "worker":
        _manage(["procrastinate", "worker", *rest])
    else:
        _manage([word, *rest])
