"""The administrator's page of background jobs in a real browser, with the Redis queues: a failed
job is listed by id and kind, tried again by keyboard, and the page passes axe-core (WCAG 2.1 AA)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import accessibility_violations
from tests.browser.test_upload_and_play import log_in, snap
from tests.conftest import fresh_app
from tests.queue.conftest import redis_url, work_off  # noqa: F401 - redis_url is a fixture
from vib.core import jobs


@jobs.task("test.browser.fails")
def fails(object_id: int) -> None:
    raise LookupError("De Vries family")


@pytest.fixture
def app(tmp_path, postgres_migrated, sqlite_migrated, redis_url):  # noqa: F811 - the fixture above
    with fresh_app(tmp_path, postgres_migrated, sqlite_migrated, VIB_REDIS_URL=redis_url, VIB_JOBS="rq") as made:
        yield made


def test_the_admin_tries_a_failed_job_again_by_keyboard(app, people, live_server, page):
    app.config["VIB_DEFAULT_LOCALE"] = "en"
    runner = app.extensions["vib.jobs"]
    runner.enqueue("test.browser.fails", 5)
    work_off(app)
    log_in(page, live_server, "admin@example.org")
    page.goto(f"{live_server}/admin/jobs")
    assert "test.browser.fails(5)" in page.locator("main").inner_text()
    assert "LookupError" in page.locator("main").inner_text() and "De Vries" not in page.content()
    assert "No worker is running" in page.locator("main").inner_text()
    assert accessibility_violations(page) == []
    snap(page, "admin-jobs")

    retry = page.get_by_role("button", name="Try again: job")
    for _ in range(40):  # Tab from the top of the page to the button, as a keyboard user does
        page.keyboard.press("Tab")
        if retry.evaluate("button => button === document.activeElement"):
            break
    else:
        raise AssertionError("the Try again button cannot be reached with Tab")
    with page.expect_navigation():  # the form posts, then comes back to this same address
        page.keyboard.press("Enter")
    page.wait_for_load_state("load")
    assert "The job is queued again." in page.locator("body").inner_text()
    assert "No job has failed." in page.locator("main").inner_text()
    assert runner.queues["default"].count == 1
    assert accessibility_violations(page) == []
