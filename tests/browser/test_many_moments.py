"""The coding page with thousands of moments (issue 17): the list puts only the rows in view in the
page, yet every moment can be reached, selected, deleted and heard in its place."""

from sqlalchemy import select

from tests.browser.conftest import accessibility_violations
from tests.browser.test_coding import open_coding
from tests.browser.test_upload_and_play import log_in, wait_until
from vib.accounts.models import User
from vib.clips.models import Clip
from vib.coding.models import Moment
from vib.core import db

MANY = 3000


def add_many_moments(app, clip_id: int, count: int) -> None:
    """`count` point moments of the worker spread over the clip's frames (several on one frame)."""
    with app.app_context():
        session = db.session()
        clip = session.get(Clip, clip_id)
        worker = session.scalar(select(User).where(User.email == "worker@example.org"))
        step = max(1, clip.duration_ms // count)
        session.add_all(
            Moment(clip_id=clip_id, start_ms=min(i * step, clip.duration_ms - 1), scheme_id="vib-basiscommunicatie", scheme_version=2,
                   code="bc.initiatief", actor="client", note=f"Moment {i + 1}", tags=[], author_id=worker.id)
            for i in range(count)
        )  # fmt: skip
        session.commit()


def rows_in_page(page) -> int:
    return page.evaluate("() => document.querySelectorAll('.moment-list li').length")


def row_is_in_view(page, selector: str) -> bool:
    return page.evaluate(
        """(s) => { const row = document.querySelector(s); const box = document.querySelector('.moment-list ol');
                    if (!row) return false;
                    const r = row.getBoundingClientRect(), b = box.getBoundingClientRect();
                    return r.top >= b.top - 1 && r.bottom <= b.bottom + 1; }""",
        selector,
    )


def test_thousands_of_moments_keep_few_rows_in_the_page_and_each_is_reachable_by_keyboard(app, live_server, page, ready_clip):
    add_many_moments(app, ready_clip["id"], MANY)
    log_in(page, live_server, "worker@example.org")
    open_coding(page, live_server, ready_clip["id"])

    assert page.locator(".moment-count").inner_text() == str(MANY)
    assert 0 < rows_in_page(page) < 150
    first = page.locator(".moment-list li").first
    assert (first.get_attribute("aria-posinset"), first.get_attribute("aria-setsize")) == ("1", str(MANY))

    # The last moment, by keys: to the clip's end, then the moment before the playhead.
    page.focus(".coding video")
    page.keyboard.press("End")
    page.keyboard.press("[")
    wait_until(page, f"document.querySelector('.moment-list li.selected')?.getAttribute('aria-posinset') === '{MANY}'")
    assert row_is_in_view(page, ".moment-list li.selected")
    assert page.locator(".moment-list li.selected .note").inner_text() == f"Moment {MANY}"
    assert rows_in_page(page) < 150

    # Deleting it from its row moves the focus to the row before, which is in the page and in view.
    page.focus(".moment-list li.selected button")
    page.keyboard.press("Delete")
    wait_until(page, f"document.querySelector('.moment-count').textContent === '{MANY - 1}'")
    assert page.evaluate("() => document.activeElement.closest('li')?.getAttribute('aria-posinset')") == str(MANY - 1)
    assert page.evaluate("() => document.activeElement.closest('li')?.getAttribute('aria-setsize')") == str(MANY - 1)
    assert row_is_in_view(page, ".moment-list li:has(:focus)")

    # Scrolling the list back to its start shows the first rows again, and no gap.
    page.evaluate("() => { document.querySelector('.moment-list ol').scrollTop = 0; }")
    wait_until(page, "document.querySelector('.moment-list li[aria-posinset=\"1\"]') !== null")
    assert row_is_in_view(page, '.moment-list li[aria-posinset="1"]')
    assert rows_in_page(page) < 150
    assert accessibility_violations(page) == []
