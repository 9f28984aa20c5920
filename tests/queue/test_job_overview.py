"""What the administrator sees of the background jobs (`vib jobs` and /admin/jobs): queue depth,
running and failed jobs by id and kind, never a client's data; a failed job can be tried again."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from tests.conftest import csrf_token
from tests.queue.conftest import work_off
from vib.cli import main
from vib.core import jobs
from vib.core.audit import AuditEvent

failing = {"on": True}


@jobs.task("test.overview.sometimes")
def sometimes(object_id: int) -> None:
    if failing["on"]:
        raise ValueError("Bakker family, case 2026-017")


@pytest.fixture
def failed_job(app):
    failing["on"] = True
    runner = app.extensions["vib.jobs"]
    runner.enqueue("test.overview.sometimes", 41)
    work_off(app)
    [job_id] = runner.queues["default"].failed_job_registry.get_job_ids()
    return job_id


@pytest.fixture
def vib_command(app, monkeypatch):
    for name, key in (("VIB_HOME", "VIB_HOME"), ("VIB_DATABASE_URL", "VIB_DATABASE_URL"), ("VIB_REDIS_URL", "VIB_REDIS_URL")):
        monkeypatch.setenv(name, str(app.config[key]))
    monkeypatch.setenv("VIB_DEFAULT_LOCALE", "en")
    return lambda *arguments: CliRunner().invoke(main, list(arguments))


def test_vib_jobs_lists_the_queues_and_a_failed_job_by_id_and_kind_only(app, vib_command, failed_job):
    app.extensions["vib.jobs"].enqueue("test.overview.sometimes", 42)
    result = vib_command("jobs")
    assert result.exit_code == 0, result.output
    assert "runner: rq, 0 worker(s)" in result.output
    assert "default: 1 queued, 0 running, 0 waiting to retry, 1 failed" in result.output
    assert f"failed   {failed_job}  test.overview.sometimes(41)  ValueError" in result.output
    assert "Bakker" not in result.output


def test_vib_jobs_retry_queues_a_failed_job_again(app, vib_command, failed_job):
    assert vib_command("jobs", "retry", "no-such-job").exit_code == 1
    result = vib_command("jobs", "retry", failed_job)
    assert result.exit_code == 0, result.output
    failing["on"] = False
    work_off(app)
    assert len(app.extensions["vib.jobs"].queues["default"].failed_job_registry) == 0


def test_the_admin_sees_the_failed_job_and_tries_it_again(app, browser_login, failed_job):
    admin = browser_login("admin")
    page = admin.get("/admin/jobs")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert failed_job in html and "test.overview.sometimes(41)" in html and "ValueError" in html and "Bakker" not in html
    retried = admin.post(f"/admin/jobs/{failed_job}/retry", data={"csrf_token": csrf_token(html)})
    assert retried.status_code == 302
    assert "The job is queued again." in admin.get("/admin/jobs").get_data(as_text=True)
    assert app.extensions["vib.jobs"].queues["default"].count == 1
    assert admin.post("/admin/jobs/no-such-job/retry", data={"csrf_token": csrf_token(html)}).status_code == 404
    with app.app_context():
        from vib.core import db

        [row] = db.session().query(AuditEvent).filter_by(action="job.retry").all()
        assert row.detail == f"job={failed_job}" and row.object_type == "job"


def test_no_one_but_an_admin_sees_or_retries_jobs(app, browser_login, failed_job):
    for who in ("worker", "supervisor", "trainer"):
        client = browser_login(who)
        assert client.get("/admin/jobs").status_code == 404
        assert client.post(f"/admin/jobs/{failed_job}/retry", data={"csrf_token": client.csrf}).status_code == 404
    assert len(app.extensions["vib.jobs"].queues["default"].failed_job_registry) == 1
