"""Run heavy media work in a child process with a memory and a time cap, so one file can never take
the machine (or the other clips waiting behind it) down with it.

The child comes from a fork server started once, with the media libraries already imported: starting
one costs milliseconds, and it is forked from a process without threads. The child sets its own
address-space limit (RLIMIT_AS) and reports progress through a pipe; the parent kills it when the
time is up. VIB_JOB_ISOLATION=0 runs the work in the calling thread instead (tests that replace a
media function with one of their own need that: a replacement does not travel to another process).
"""

from __future__ import annotations

import multiprocessing
import resource
import time
from collections.abc import Callable

from flask import current_app

# What the fork server imports once, so that each child starts with it.
PRELOAD = ["av", "numpy", "cv2", "vib.media.playable", "vib.media.filmstrip", "vib.media.frames"]


class LimitExceeded(Exception):
    """The work needed more memory or time than allowed; `limit` says which ("memory" or "time")."""

    def __init__(self, limit: str) -> None:
        super().__init__(limit)
        self.limit = limit


_context = None


def _fork_server():
    global _context
    if _context is None:
        _context = multiprocessing.get_context("forkserver")
        _context.set_forkserver_preload(PRELOAD)
    return _context


def run(function: Callable, *args, progress: Callable[[float], None] | None = None):
    """`function(*args[, report])` under the configured caps; returns what it returns, raises what it
    raises (exceptions must be picklable), or LimitExceeded. With `progress`, the function gets a
    `report(fraction)` as its last argument and `progress` is called with each fraction, here."""
    config = current_app.config
    if not config["VIB_JOB_ISOLATION"]:
        return function(*args, *([progress] if progress else []))
    return run_capped(function, args, memory_mb=config["VIB_JOB_MEMORY_MB"], seconds=config["VIB_JOB_MINUTES"] * 60, progress=progress)


def run_capped(function: Callable, args: tuple, *, memory_mb: int, seconds: float, progress: Callable[[float], None] | None = None):
    context = _fork_server()
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sending, memory_mb, function, args, progress is not None), daemon=True)
    child.start()
    sending.close()
    deadline = time.monotonic() + seconds
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise LimitExceeded("time")
            if not receiving.poll(min(left, 1.0)):
                if not child.is_alive() and not receiving.poll():
                    raise LimitExceeded("memory")  # killed without a word: the kernel's answer to the cap
                continue
            try:
                kind, value = receiving.recv()
            except EOFError:
                raise LimitExceeded("memory") from None
            if kind == "progress":
                progress(value)
            elif kind == "done":
                return value
            elif isinstance(value, MemoryError):
                raise LimitExceeded("memory")
            else:
                raise value
    finally:
        if child.is_alive():
            child.kill()
        child.join(5)
        receiving.close()


def _child(sending, memory_mb: int, function: Callable, args: tuple, reports: bool) -> None:
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    extra = [lambda fraction: sending.send(("progress", fraction))] if reports else []
    try:
        result = function(*args, *extra)
    except BaseException as error:  # noqa: BLE001 (everything goes back to the parent, which decides)
        try:
            sending.send(("error", error))
        except Exception:  # an exception that cannot be pickled: say what it was
            sending.send(("error", RuntimeError(repr(error))))
        return
    sending.send(("done", result))
