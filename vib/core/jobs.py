"""Background work: a task is a named function of one object id, safe to run again.

Tasks keep their state in the database (a clip's status), so a job lost in a restart, a killed worker
or an emptied Redis is found again from the database alone: every feature registers a *resumer* that
queues what its rows say is unfinished (`resumer`, `resume_after_commit`), and `resume_unfinished`
runs them all (at start, and in every worker's sweep).

Three runners share `enqueue`:
- `thread` (the embedded default): one worker thread in the web process;
- `rq` (when VIB_REDIS_URL is set): RQ queues `media` and `default`, run by `vib worker` processes;
  errors that can pass are retried with backoff, a running job holds a short lease in Redis so that
  the sweep can tell a live job from one whose worker died;
- `inline`: each job at once (tests and scripts).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask import Flask, current_app
from sqlalchemy.orm import Session

from vib.core import db, metrics
from vib.core.errors import database_away

log = logging.getLogger(__name__)

MEDIA, DEFAULT = "media", "default"  # CPU-bound media work, and mail and small work
QUEUES = (MEDIA, DEFAULT)


@dataclass(frozen=True)
class Task:
    function: Callable[[int], None]
    queue: str
    first: bool = False  # short work someone waits for: ahead of the long conversions in its queue


TASKS: dict[str, Task] = {}
# What the database says is unfinished, per feature: fn(db) -> how many jobs it queued again.
RESUMERS: list[Callable[[Session], int]] = []
# Tasks that run once a day (with object id 0), across any number of workers.
DAILY: list[str] = []
_IDLE_SECONDS = 10  # an idle worker thread ends; the next job starts another


def task(name: str, queue: str = DEFAULT, daily: bool = False, first: bool = False):
    """Register a function as the task `name`, run on `queue` (`daily`: once a day, with id 0; `first`:
    queued ahead of the jobs waiting there)."""
    if queue not in QUEUES:
        raise ValueError(f"queue must be one of {QUEUES}")

    def register(function: Callable[[int], None]) -> Callable[[int], None]:
        TASKS[name] = Task(function, queue, first)
        if daily and name not in DAILY:
            DAILY.append(name)
        return function

    return register


def resumer(function: Callable[[Session], int]) -> Callable[[Session], int]:
    """Register fn(db) that queues again (with `resume_after_commit`) what its rows say is unfinished."""
    if function not in RESUMERS:
        RESUMERS.append(function)
    return function


def _check_known(name: str) -> None:
    if name not in TASKS:
        raise KeyError(f"unknown task {name!r}")


def _perform(app: Flask, name: str, object_id: int) -> None:
    """One job, one transaction: committed when the task returns, rolled back when it raises."""
    with app.app_context(), metrics.job_timer(name), db.unit_of_work():
        TASKS[name].function(object_id)


def _run(app: Flask, name: str, object_id: int) -> None:
    try:
        _perform(app, name, object_id)
    except Exception:  # a task records its own failure; this only keeps the worker alive
        log.exception("job %s(%s) failed", name, object_id)


class InlineJobs:
    def __init__(self, app: Flask) -> None:
        self.app = app

    def enqueue(self, name: str, object_id: int) -> None:
        _check_known(name)
        _run(self.app, name, object_id)

    def is_live(self, name: str, object_id: int) -> bool:
        return False

    def wait_idle(self, timeout: float | None = None) -> bool:
        return True

    def overview(self) -> Overview:
        return Overview(runner="inline")


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

    def is_live(self, name: str, object_id: int) -> bool:
        with self._lock:
            return (name, object_id) in self._waiting

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

    def overview(self) -> Overview:
        with self._lock:
            waiting = sorted(self._waiting)
        return Overview(runner="thread", queues=[QueueState(name="in-process", queued=len(waiting))])


# -- RQ (VIB_REDIS_URL) -----------------------------------------------------------------------------

# An error that can pass (`can_pass`) is tried again after these delays.
RETRY_DELAYS = [10, 60, 300]
_KEY = "vib:job"


def _waiting_key(name: str, object_id: int) -> str:
    return f"{_KEY}:waiting:{name}:{object_id}"


def _running_key(name: str, object_id: int) -> str:
    return f"{_KEY}:running:{name}:{object_id}"


class RedisJobs:
    """Jobs on RQ queues. A job is *live* while a key says it waits (set when queued, gone when it
    starts) or a lease says it runs (renewed by the running worker every third of its time): a
    killed worker's lease runs out, and an emptied Redis holds neither, so the sweep queues again."""

    def __init__(self, app: Flask) -> None:
        import redis  # noqa: PLC0415 - only the scaled deployment installs redis and rq
        import rq  # noqa: PLC0415

        self.app = app
        self.redis = redis.Redis.from_url(app.config["VIB_REDIS_URL"])
        self.queues = {name: rq.Queue(name, connection=self.redis) for name in QUEUES}
        self.lease_seconds = app.config["VIB_JOB_LEASE_SECONDS"]
        media_seconds = app.config["VIB_JOB_MINUTES"] * 60 + 600  # the sandbox stops a conversion first
        self.timeouts = {MEDIA: media_seconds, DEFAULT: 3600}

    def enqueue(self, name: str, object_id: int) -> None:
        import rq  # noqa: PLC0415

        _check_known(name)
        waiting = _waiting_key(name, object_id)
        if not self.redis.set(waiting, "1", nx=True, ex=30 * 24 * 3600):
            return  # already waiting: it will see what this caller committed
        queue_name = TASKS[name].queue
        try:
            self.queues[queue_name].enqueue(
                run_queued,
                name,
                object_id,
                at_front=TASKS[name].first,
                job_id=f"{name.replace('.', '_')}-{object_id}-{uuid.uuid4().hex[:12]}".replace("--", "-minus-"),
                description=f"{name}({object_id})",  # ids and kinds only: no client data in Redis
                retry=rq.Retry(max=len(RETRY_DELAYS), interval=RETRY_DELAYS),
                job_timeout=self.timeouts[queue_name],
                result_ttl=3600,
                failure_ttl=30 * 24 * 3600,
            )
        except Exception:
            self.redis.delete(waiting)
            raise

    def is_live(self, name: str, object_id: int) -> bool:
        return bool(self.redis.exists(_waiting_key(name, object_id), _running_key(name, object_id)))

    @contextmanager
    def lease(self, name: str, object_id: int) -> Iterator[None]:
        """Hold the running lease while the job runs (a thread renews it), then let it go."""
        key = _running_key(name, object_id)
        self.redis.set(key, "1", ex=self.lease_seconds)
        self.redis.delete(_waiting_key(name, object_id))  # after the lease: never a moment with neither
        done = threading.Event()

        def renew() -> None:
            while not done.wait(self.lease_seconds / 3):
                try:
                    self.redis.set(key, "1", ex=self.lease_seconds)
                except Exception:  # Redis briefly away: the next renewal tries again
                    log.warning("could not renew the lease of %s", key)

        renewer = threading.Thread(target=renew, name=f"vib-lease-{name}", daemon=True)
        renewer.start()
        try:
            yield
        finally:
            done.set()
            renewer.join()
            self.redis.delete(key)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """True once nothing waits, runs or waits for a retry (tests and the demo use this)."""
        deadline = time.monotonic() + (timeout if timeout is not None else 3600)
        while time.monotonic() < deadline:
            if all(q.count == 0 and not q.started_job_registry.count and not q.scheduled_job_registry.count for q in self.queues.values()):
                return True
            time.sleep(0.1)
        return False

    def overview(self) -> Overview:
        import rq  # noqa: PLC0415

        def described(job_ids: list[str]) -> list[JobState]:
            found = []
            for job in rq.job.Job.fetch_many(job_ids, connection=self.redis):
                if job is None:
                    continue
                failure = ""
                if job.get_status(refresh=False) == "failed":
                    result = job.latest_result()
                    failure = _exception_name(result.exc_string if result else "")
                found.append(JobState(job.id, job.description or job.func_name, failure, job.enqueued_at or job.created_at))
            return found

        states = []
        for name, q in self.queues.items():
            states.append(
                QueueState(
                    name=name,
                    queued=q.count,
                    running=described(q.started_job_registry.get_job_ids()),
                    failed=described(q.failed_job_registry.get_job_ids()),
                    retrying=len(q.scheduled_job_registry),
                )
            )
        workers = len(rq.Worker.all(connection=self.redis))
        return Overview(runner="rq", queues=states, workers=workers)

    def retry(self, job_id: str) -> bool:
        """Queue a failed job again; False when there is no failed job of that id."""
        for q in self.queues.values():
            if job_id in q.failed_job_registry.get_job_ids():
                name, object_id = q.fetch_job(job_id).args
                self.redis.set(_waiting_key(name, object_id), "1", ex=30 * 24 * 3600)  # live again: no sweep doubles it
                q.failed_job_registry.requeue(job_id)
                return True
        return False


def _exception_name(exc_string: str) -> str:
    """The exception's class only: its message may name a file or a person."""
    last = (exc_string or "").strip().splitlines()[-1:] or [""]
    return last[0].split(":", 1)[0].strip()[:80]


def run_queued(name: str, object_id: int) -> None:
    """What an RQ worker runs: the task in its own transaction, under the lease. An error that can
    pass is raised for RQ to retry; any other fails the job at once (it shows in `vib jobs`)."""
    import rq  # noqa: PLC0415

    app = current_app._get_current_object()
    runner: RedisJobs = app.extensions["vib.jobs"]
    job = rq.get_current_job()
    with runner.lease(name, object_id):
        try:
            _perform(app, name, object_id)
        except Exception as exc:
            if job is not None:
                if not can_pass(exc):
                    job.retries_left = 0  # the same error would come again: fail now, visibly
                elif job.retries_left:  # live while it waits for its retry
                    runner.redis.set(_waiting_key(name, object_id), "1", ex=30 * 24 * 3600)
            raise


def can_pass(exc: BaseException) -> bool:
    """An error of the moment (the database or Redis was away), worth another try later."""
    import redis  # noqa: PLC0415

    return database_away(exc) or isinstance(exc, ConnectionError | TimeoutError | redis.ConnectionError | redis.TimeoutError)


# -- what every runner shares ------------------------------------------------------------------------


@dataclass
class JobState:
    id: str
    kind: str
    failure: str = ""
    queued_at: datetime | None = None


@dataclass
class QueueState:
    name: str
    queued: int = 0
    running: list[JobState] = field(default_factory=list)
    failed: list[JobState] = field(default_factory=list)
    retrying: int = 0


@dataclass
class Overview:
    runner: str
    queues: list[QueueState] = field(default_factory=list)
    workers: int = 0


RUNNERS = {"thread": ThreadJobs, "inline": InlineJobs, "rq": RedisJobs}


def init_app(app: Flask) -> None:
    kind = app.config["VIB_JOBS"] or ("rq" if app.config["VIB_REDIS_URL"] else "thread")
    if kind not in RUNNERS:
        raise ValueError(f"VIB_JOBS must be one of {sorted(RUNNERS)}, not {kind!r}")
    if kind == "rq" and not app.config["VIB_REDIS_URL"]:
        raise ValueError("VIB_JOBS=rq needs VIB_REDIS_URL")
    app.extensions["vib.jobs"] = RUNNERS[kind](app)


def runner():
    return current_app.extensions["vib.jobs"]


def enqueue(name: str, object_id: int) -> None:
    """Run the task in the background (nothing of the current transaction is visible to it)."""
    runner().enqueue(name, object_id)


def enqueue_after_commit(db_session: Session, name: str, object_id: int) -> None:
    """Queue the task once the current transaction has committed: the job reads what it wrote."""
    _check_known(name)
    jobs = runner()
    db.on_commit(db_session, lambda: jobs.enqueue(name, object_id))


def resume_after_commit(db_session: Session, name: str, object_id: int) -> bool:
    """Queue the task after the commit unless it is live (waiting or running): for resumers. True
    when it will be queued."""
    if runner().is_live(name, object_id):
        return False
    enqueue_after_commit(db_session, name, object_id)
    return True


def resume_unfinished(db_session: Session) -> int:
    """Queue again everything the database says is unfinished and no job is doing."""
    return sum(resume(db_session) for resume in RESUMERS)


def sweep(app: Flask) -> int:
    """One sweep, in a transaction of its own."""
    with app.app_context(), db.unit_of_work() as db_session:
        return resume_unfinished(db_session)


def queue_daily(app: Flask, today: datetime | None = None) -> list[str]:
    """Queue each daily task unless some process already did today (a key per day in Redis, or the
    process's own memory for the thread runner). Returns the tasks queued."""
    day = (today or datetime.now(UTC)).date().isoformat()
    jobs = app.extensions["vib.jobs"]
    queued = []
    with app.app_context():
        for name in DAILY:
            if isinstance(jobs, RedisJobs):
                first = jobs.redis.set(f"{_KEY}:daily:{name}:{day}", "1", nx=True, ex=3 * 24 * 3600)
            else:
                done = app.extensions.setdefault("vib.jobs.daily", set())
                first = (name, day) not in done
                done.add((name, day))
            if first:
                jobs.enqueue(name, 0)
                queued.append(name)
    return queued


def keep_time(app: Flask, with_sweep: bool, every_seconds: float | None = None) -> threading.Event:
    """A thread that, every `every_seconds` until the returned event is set, queues the daily tasks
    (once a day across all processes) and, `with_sweep` (the workers), queues again what the database
    says is unfinished and no job is doing (one process sweeps at a time)."""
    every = every_seconds if every_seconds is not None else app.config["VIB_SWEEP_SECONDS"]
    stop = threading.Event()
    jobs = app.extensions["vib.jobs"]

    def tick() -> None:
        while not stop.is_set():
            try:
                queue_daily(app)
                if with_sweep and jobs.redis.set(f"{_KEY}:sweeping", "1", nx=True, ex=max(1, int(every))):
                    resumed = sweep(app)
                    if resumed:
                        log.warning("the sweep queued %d unfinished job(s) again", resumed)
            except Exception:  # the database or Redis away for a moment: the next tick tries again
                log.exception("periodic work failed")
            stop.wait(every)

    threading.Thread(target=tick, name="vib-periodic", daemon=True).start()
    return stop
