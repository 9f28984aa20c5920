"""The transaction rule: operations flush, and one wrapper commits per request, per CLI command and
per job; what fails is rolled back whole. Work queued for after the commit runs only after a commit."""

from __future__ import annotations

import pytest
from flask import Blueprint, abort
from sqlalchemy import select

from tests.conftest import wait_for_jobs
from vib.accounts.models import User
from vib.accounts.operations import add_user
from vib.core import db, jobs
from vib.core.errors import UserError

happened: list[str] = []


def _add_someone(email: str) -> None:
    add_user(db.session(), email, ["worker"], name="Someone")
    db.session().flush()  # as operations do: flushed, not committed
    db.on_commit(db.session(), lambda: happened.append(f"committed {email}"))
    db.on_rollback(db.session(), lambda: happened.append(f"rolled back {email}"))


@pytest.fixture
def routes(app):
    """Views that make a change and then answer in different ways."""
    happened.clear()
    bp = Blueprint("transaction_test", __name__)

    @bp.post("/api/t/ok")
    def ok():
        _add_someone("ok@example.org")
        return "", 204

    @bp.post("/api/t/refused")
    def refused():
        _add_someone("refused@example.org")
        raise UserError("not like this")

    @bp.post("/api/t/not-found")
    def not_found():
        _add_someone("missing@example.org")
        abort(404)

    @bp.post("/api/t/crash")
    def crash():
        _add_someone("crash@example.org")
        raise RuntimeError("a bug")

    app.register_blueprint(bp)
    return app.test_client()


def stored(app, email: str) -> bool:
    with app.app_context():
        return db.session().scalar(select(User.id).where(User.email == email)) is not None


def test_a_request_that_succeeds_commits_once_and_then_runs_what_waited_for_the_commit(app, routes):
    assert routes.post("/api/t/ok").status_code == 204
    assert stored(app, "ok@example.org")
    assert happened == ["committed ok@example.org"]


@pytest.mark.parametrize(("url", "status", "email"), [
    ("/api/t/refused", 422, "refused@example.org"),
    ("/api/t/not-found", 404, "missing@example.org"),
    ("/api/t/crash", 500, "crash@example.org"),
])  # fmt: skip
def test_a_request_that_fails_leaves_nothing_of_what_it_flushed(app, routes, url, status, email):
    assert routes.post(url).status_code == status
    assert not stored(app, email)
    assert happened == [f"rolled back {email}"]


@jobs.task("test_add_and_maybe_fail")
def _add_and_maybe_fail(number: int) -> None:
    _add_someone(f"job{number}@example.org")
    if number == 2:
        raise RuntimeError("the job fails after its change")


def test_a_job_commits_when_it_returns_and_rolls_back_when_it_raises(app):
    happened.clear()
    with app.app_context():
        jobs.enqueue("test_add_and_maybe_fail", 1)
        jobs.enqueue("test_add_and_maybe_fail", 2)
    wait_for_jobs(app)
    assert stored(app, "job1@example.org") and not stored(app, "job2@example.org")
    assert sorted(happened) == ["committed job1@example.org", "rolled back job2@example.org"]


def test_a_job_queued_after_the_commit_is_not_queued_when_the_request_rolls_back(app, monkeypatch):
    queued = []
    monkeypatch.setattr(app.extensions["vib.jobs"], "enqueue", lambda name, object_id: queued.append((name, object_id)))
    with app.test_request_context():
        jobs.enqueue_after_commit(db.session(), "process_clip", 7)
        assert queued == []  # not before the commit: the job would not find the row
        db.session().rollback()
        db.session().commit()
    assert queued == []
    with app.test_request_context():
        jobs.enqueue_after_commit(db.session(), "process_clip", 8)
        db.session().commit()
    assert queued == [("process_clip", 8)]


def test_a_cli_command_that_fails_half_way_stores_nothing(tmp_path, monkeypatch):
    from tests.test_cli import run
    from vib import cli

    def broken_audit(*args, **kwargs):
        raise RuntimeError("the audit log is unavailable")

    assert run(tmp_path, "init").exit_code == 0
    monkeypatch.setattr(cli.audit, "record", broken_audit)  # after add_user has flushed the new user
    with pytest.raises(RuntimeError):
        run(tmp_path, "user", "add", "half@example.org", "--role", "worker")
    monkeypatch.undo()
    listed = run(tmp_path, "token", "create", "half@example.org")
    assert listed.exit_code != 0 and "no user half@example.org" in listed.output
