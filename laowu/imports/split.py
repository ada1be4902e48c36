"""Reading and cleaning a file in a child process, writing it in this one.

A large import is two streams of work: Python reads and cleans the rows, PostgreSQL writes them.
In one process the writer's database thread and the cleaning share one GIL, and each slows the
other (1,000,000-row ledger on the 2-core machine: cleaning 20.3 s in a dry run, 26-30 s beside
a writing database thread, which in turn waited for the GIL after every reply from the server).

So a writer that supports it (``split_ready``) has the file read and cleaned in a child forked
from this process, which inherits everything already set up (settings, keys, the header, the
writer's state and the villages it resolves against) and sends each clean chunk back through a
pipe; this process only hands the chunks to its database thread. The child never touches this
process's database connection: it shares its socket, so the child's copy is made unusable before
anything runs, kept from being closed (closing it would end this process's session) and the child
leaves with ``os._exit``. What the child cannot decide without the database (the wording of an
error about a village outside the subtree) it leaves to this process (the writer's
``child_end`` / ``parent_end``).

Nothing is written by the child: a child that dies (killed, or an error) ends the import with an
error, and the import's one transaction is rolled back as for any other failure.

The writer's side of the protocol: ``split_ready()``, ``fork_prepare()`` (here, before the fork),
``child_begin(send)`` (in the child: chunks go to ``send``), ``child_end() -> state`` (in the
child, after the last row), ``parent_job(job)`` (here, for each chunk) and ``parent_end(state)``;
when the child fails, the engine calls the writer's ``abort()`` as for any failure.
"""

from __future__ import annotations

import os
import signal
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

# The child's copies of this process's database connections: referenced until the child leaves
# (a connection that is garbage-collected sends the server a Terminate message, ending the
# parent's session), never used.
_KEPT: list[Any] = []


class ChildFailed(RuntimeError):
    """The reading process died or failed (its own error is in the message)."""


def available() -> bool:
    return hasattr(os, "fork")


def _seal_database() -> None:
    """In the child: any use of a database connection fails at once."""
    from django.db import connections

    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("the import's reading process has no database connection")

    for conn in connections.all(initialized_only=True):
        _KEPT.append(conn.connection)
        conn.ensure_connection = refuse  # type: ignore[method-assign]
        conn.connect = refuse  # type: ignore[method-assign]


def peak_mb() -> float:
    """This process's own peak resident memory in MB: VmHWM (Linux), else ru_maxrss. On Linux a
    child's ru_maxrss starts from its parent's size when it was forked, so it cannot be read as
    the child's own peak."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(writer: Any, loop: Callable[[Callable[[int, int, str], None]], int], footers: list[int], fd: int) -> None:
    """The child's whole life: read and clean, send, leave without running any cleanup."""
    code = 0
    conn = Connection(fd, readable=False)
    try:
        _seal_database()
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        writer.child_begin(lambda job: conn.send(("job", job)))
        done = loop(lambda done, total, phase: conn.send(("progress", done, total, phase)))
        state = writer.child_end()
        conn.send(("done", done, list(footers), state, peak_mb()))
    except BaseException as exc:  # everything goes to the parent
        code = 1
        try:
            conn.send(("error", exc, traceback.format_exc()))
        except BaseException:  # unpicklable, or the parent is gone
            try:
                conn.send(("error", None, traceback.format_exc()))
            except BaseException:
                pass
    finally:
        os._exit(code)


def run(
    writer: Any,
    loop: Callable[[Callable[[int, int, str], None]], int],
    progress: Callable[[int, int, str], None] | None,
    footers: list[int],
) -> tuple[int, float]:
    """Run ``loop`` (the engine's read-and-feed loop, given a progress callback; it returns the
    rows it went through) in a child; returns (rows gone through, the child's peak memory in MB).
    The engine's ``footers`` are filled with the child's."""
    writer.fork_prepare()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child (coverage does not follow it)
        os.close(read_fd)
        _child(writer, loop, footers, write_fd)
    os.close(write_fd)
    conn = Connection(read_fd, writable=False)
    finished = False
    try:
        while True:
            try:
                message = conn.recv()
            except EOFError:
                raise ChildFailed("读取文件的进程意外退出") from None
            kind = message[0]
            if kind == "job":
                writer.parent_job(message[1])
            elif kind == "progress":
                if progress is not None:
                    progress(*message[1:])
            elif kind == "done":
                _, done, child_footers, state, peak = message
                footers[:] = child_footers
                writer.parent_end(state)
                finished = True
                return done, peak
            else:
                _, exc, text = message
                if isinstance(exc, Exception):
                    exc.add_note(f"in the reading process:\n{text}")
                    raise exc
                raise ChildFailed(text.strip().splitlines()[-1] if text else "读取文件的进程出错")
    finally:
        conn.close()
        if not finished:  # the engine stops the writer (``abort``) and rolls back
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        os.waitpid(pid, 0)
