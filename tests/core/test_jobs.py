"""The in-process job runners: the same contract for each (tasks take an id, run in order, one failure
stops nothing). The Redis runner, whose jobs a worker process runs, is tested in tests/queue."""

import pytest

from vib.core import jobs

ran: list[int] = []


@jobs.task("test.record")
def record(object_id: int) -> None:
    if object_id < 0:
        raise RuntimeError("a task that fails")
    ran.append(object_id)


@pytest.mark.parametrize("kind", ["inline", "thread"])
def test_runner_runs_tasks_in_order_and_survives_a_failure(app, kind):
    runner = jobs.RUNNERS[kind](app)
    ran.clear()
    for object_id in (1, -1, 2, 3):
        runner.enqueue("test.record", object_id)
    assert runner.wait_idle(10)
    assert ran == [1, 2, 3]


def test_an_idle_worker_thread_ends_and_the_next_job_starts_another(app, monkeypatch):
    monkeypatch.setattr(jobs, "_IDLE_SECONDS", 0.05)
    runner = jobs.ThreadJobs(app)
    ran.clear()
    runner.enqueue("test.record", 1)
    first = runner._thread
    runner.wait_idle(10)
    first.join(5)
    assert not first.is_alive()
    runner.enqueue("test.record", 2)
    assert runner.wait_idle(10) and ran == [1, 2]


@pytest.mark.parametrize("kind", ["inline", "thread"])
def test_unknown_tasks_are_refused_at_once(app, kind):
    with pytest.raises(KeyError):
        jobs.RUNNERS[kind](app).enqueue("no.such.task", 1)


def test_a_job_already_waiting_is_not_queued_twice_but_runs_again_once_started(app):
    import threading

    started, release = threading.Event(), threading.Event()

    @jobs.task("test.blocking")
    def blocking(object_id: int) -> None:
        started.set()
        release.wait(10)

    runner = jobs.ThreadJobs(app)
    ran.clear()
    runner.enqueue("test.blocking", 0)
    assert started.wait(10)
    for _ in range(3):  # while the blocking job runs, three requests for the same job queue it once
        runner.enqueue("test.record", 7)
    release.set()
    assert runner.wait_idle(10)
    assert ran == [7]
    runner.enqueue("test.record", 7)
    assert runner.wait_idle(10) and ran == [7, 7]
