"""With VIB_REDIS_URL, jobs go to RQ queues (media, default) and `vib worker` runs them: in order,
retried when the error can pass, failed at once when not, visible (ids and kinds only) and retryable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import OperationalError

from tests.conftest import wait_for_jobs
from tests.queue.conftest import work_off
from vib.core import jobs

ran: list[int] = []
attempts: dict[int, int] = {}


@jobs.task("test.queue.record")
def record(object_id: int) -> None:
    if object_id < 0:
        raise RuntimeError("Jansen family, Dorpsstraat 3")  # client data that must not show in the overview
    ran.append(object_id)


@jobs.task("test.queue.flaky")
def flaky(object_id: int) -> None:
    """Fails the first `object_id` times with an error of the moment (the database was away)."""
    attempts[object_id] = attempts.get(object_id, 0) + 1
    if attempts[object_id] <= object_id:
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError("server closed the connection"))
    ran.append(object_id)


@pytest.fixture(autouse=True)
def clean():
    ran.clear()
    attempts.clear()


def test_with_redis_jobs_wait_in_the_queue_until_a_worker_runs_them_in_order(app):
    runner = app.extensions["vib.jobs"]
    assert isinstance(runner, jobs.RedisJobs)
    for object_id in (1, -1, 2, 3):
        runner.enqueue("test.queue.record", object_id)
    assert ran == [] and runner.queues["default"].count == 4
    work_off(app)
    assert ran == [1, 2, 3]


def test_a_job_already_waiting_is_queued_once_and_is_live_until_it_has_run(app):
    runner = app.extensions["vib.jobs"]
    for _ in range(3):
        runner.enqueue("test.queue.record", 7)
    assert runner.queues["default"].count == 1 and runner.is_live("test.queue.record", 7)
    work_off(app)
    assert ran == [7] and not runner.is_live("test.queue.record", 7)
    runner.enqueue("test.queue.record", 7)  # once it has run, a new request runs it again
    work_off(app)
    assert ran == [7, 7]


def test_unknown_tasks_are_refused_at_once(app):
    with pytest.raises(KeyError):
        app.extensions["vib.jobs"].enqueue("no.such.task", 1)


def test_a_filmstrip_or_stills_someone_waits_for_go_ahead_of_waiting_conversions(app):
    runner = app.extensions["vib.jobs"]
    for clip_id in (1, 2, 3):
        runner.enqueue("process_clip", clip_id)
    runner.enqueue("build_filmstrip", 1)
    runner.enqueue("moment_thumbnails", 1)
    order = [job.description for job in runner.queues["media"].jobs]
    assert order == ["moment_thumbnails(1)", "build_filmstrip(1)", "process_clip(1)", "process_clip(2)", "process_clip(3)"]


def test_media_work_has_a_queue_of_its_own(app):
    assert jobs.TASKS["process_clip"].queue == jobs.MEDIA
    assert jobs.TASKS["moment_thumbnails"].queue == jobs.MEDIA
    assert jobs.TASKS["notification_email"].queue == jobs.DEFAULT


def test_a_failed_job_is_listed_by_id_and_kind_without_its_message_and_can_be_retried(app):
    runner = app.extensions["vib.jobs"]
    runner.enqueue("test.queue.record", -1)
    work_off(app)
    with app.app_context():
        default = {state.name: state for state in runner.overview().queues}["default"]
    assert len(default.failed) == 1
    failed = default.failed[0]
    assert failed.kind == "test.queue.record(-1)" and failed.failure == "RuntimeError"
    assert "Jansen" not in repr(runner.overview())  # an exception's message may name a family
    assert runner.retry(failed.id) and not runner.retry("no-such-job")
    assert runner.queues["default"].count == 1 and runner.is_live("test.queue.record", -1)
    work_off(app)  # fails again, so it is listed again
    assert len(runner.queues["default"].failed_job_registry) == 1


def test_an_error_that_can_pass_is_tried_again_later_and_the_job_stays_live(app):
    runner = app.extensions["vib.jobs"]
    runner.enqueue("test.queue.flaky", 2)
    work_off(app)
    assert attempts[2] == 1 and ran == []
    queue = runner.queues["default"]
    assert len(queue.scheduled_job_registry) == 1  # waiting for its retry, after jobs.RETRY_DELAYS[0] s
    assert runner.is_live("test.queue.flaky", 2)  # so the sweep does not queue it a second time
    for _ in range(2):  # the retry delays pass
        for job_id in queue.scheduled_job_registry.get_job_ids():
            queue.scheduled_job_registry.remove(job_id)
            queue.enqueue_job(queue.fetch_job(job_id))
        work_off(app)
    assert ran == [2] and attempts[2] == 3
    assert len(queue.failed_job_registry) == 0


def test_an_error_that_cannot_pass_fails_the_job_at_once(app):
    runner = app.extensions["vib.jobs"]
    runner.enqueue("test.queue.record", -5)
    work_off(app)
    queue = runner.queues["default"]
    assert len(queue.failed_job_registry) == 1 and len(queue.scheduled_job_registry) == 0
    assert not runner.is_live("test.queue.record", -5)


def test_the_daily_work_is_queued_once_a_day_however_many_workers_ask(app, tmp_path, postgres_migrated, sqlite_migrated, redis_url):
    from tests.conftest import fresh_app

    with fresh_app(tmp_path / "second", postgres_migrated, sqlite_migrated, VIB_REDIS_URL=redis_url, VIB_JOBS="rq") as second:
        today = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
        daily = sorted(jobs.DAILY)
        assert {"purge", "certificate_notices"} <= set(daily)
        assert sorted(jobs.queue_daily(app, today)) == daily
        assert jobs.queue_daily(second, today) == []  # another worker, the same day
        assert jobs.queue_daily(app, today + timedelta(hours=20)) == []
        queue = app.extensions["vib.jobs"].queues["default"]
        assert queue.count == len(daily)
        work_off(app)
        assert sorted(jobs.queue_daily(second, today + timedelta(days=1))) == daily
        assert queue.count == len(daily)


def test_without_redis_the_thread_runner_stays_the_default(tmp_path):
    from tests.conftest import APP_CONFIG
    from vib import create_app

    made = create_app({**APP_CONFIG, "VIB_HOME": tmp_path, "VIB_JOBS": ""})
    assert isinstance(made.extensions["vib.jobs"], jobs.ThreadJobs)
    wait_for_jobs(made)
