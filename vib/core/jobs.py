"""Background work: a task is a named function of one object id, safe to run again.

Tasks keep their state in the database (a clip's status), so a job lost in a restart is found and
queued again at start. The in-process runner is a single worker thread (media work is CPU-bound and
this is the embedded default); a Redis-backed queue with separate worker processes can implement the
same `enqueue` later. `inline` runs each job at once, which tests and scripts sometimes want.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

from flask import Flask, current_app
from sqlalchemy.orm import Session

from vib.core import db, metrics

log = logging.getLogger(__name__)

TASKS: dict[str, Callable[[int], None]] = {}
_IDLE_SECONDS = 10  # an idle worker thread ends; the next job starts another


def task(name: str):
    """Register a function as the task `name`."""

    def register(function: Callable[[int], None]) -> Callable[[int], None]:
        TASKS[name] = function
        return function

    return register


def _check_known(name: str) -> None:
    if name not in TASKS:
        raise KeyError(f"unknown task {name!r}")


def _run(app: Flask, name: str, object_id: int) -> None:
    """One job, one transaction: committed when the task returns, rolled back when it raises."""
    with app.app_context():
        try:
            with metrics.job_timer(name), db.unit_of_work():
                TASKS[name](object_id)
        except Exception:  # a task records its own failure; this only keeps the worker alive
            log.exception("job %s(%s) failed", name, object_id)


class InlineJobs:
    def __init__(self, app: Flask) -> None:
        self.app = app

    def enqueue(self, name: str, object_id: int) -> None:
        _check_known(name)
        _run(self.app, name, object_id)

    def wait_idle(self, timeout: float | None = None) -> bool:
        return True


class ThreadJobs:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self._queue: queue.Queue[tuple[str, int]] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._waiting: set[tuple[str, int]] = set()  # a job already waiting is not queued twice

    def enqueue(self, name: str, object_id: int) -> None:
        _check_known(name)
        with self._lock:
            if (name, object_id) in self._waiting:
                return
            self._waiting.add((name, object_id))
        self._queue.put((name, object_id))
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._work, name="vib-jobs", daemon=True)
                self._thread.start()

    def _work(self) -> None:
        while True:
            try:
                name, object_id = self._queue.get(timeout=_IDLE_SECONDS)
            except queue.Empty:
                with self._lock:  # enqueue starts a new worker once this one is gone
                    if self._queue.empty():
                        self._thread = None
                        return
                continue
            with self._lock:  # from now on a new request for this job must run it again
                self._waiting.discard((name, object_id))
            try:
                _run(self.app, name, object_id)
            finally:
                self._queue.task_done()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until every queued job has run (tests and the demo use this)."""
        done = threading.Event()
        threading.Thread(target=lambda: (self._queue.join(), done.set()), daemon=True).start()
        return done.wait(timeout)


RUNNERS = {"thread": ThreadJobs, "inline": InlineJobs}


def init_app(app: Flask) -> None:
    kind = app.config["VIB_JOBS"]
    if kind not in RUNNERS:
        raise ValueError(f"VIB_JOBS must be one of {sorted(RUNNERS)}, not {kind!r}")
    app.extensions["vib.jobs"] = RUNNERS[kind](app)


def enqueue(name: str, object_id: int) -> None:
    """Run the task now in the background (nothing of the current transaction is visible to it)."""
    current_app.extensions["vib.jobs"].enqueue(name, object_id)


def enqueue_after_commit(db_session: Session, name: str, object_id: int) -> None:
    """Queue the task once the current transaction has committed: the job reads what it wrote."""
    _check_known(name)
    runner = current_app.extensions["vib.jobs"]
    db.on_commit(db_session, lambda: runner.enqueue(name, object_id))
