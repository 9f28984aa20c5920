"""A worker imports an ELAN file through the coding page: a preview first (what will be created and
what is skipped), then the import, and the moments are on the timeline and in the list."""

from __future__ import annotations

from tests.browser.conftest import DESKTOP, PHONE, WCAG_21_AA, accessibility_violations
from tests.browser.test_coding import canvas_colour, lane_y, moments, open_coding, timeline_x
from tests.browser.test_upload_and_play import log_in, snap, wait_until
from vib.interop.formats import eaf
from vib.interop.formats.model import ExportedClip, ExportedMoment

ELAN_FILE = eaf.write(
    ExportedClip("clip-1.mp4", 4000),
    [
        ExportedMoment(400, 1200, "bc.initiatief", "Initiatief", "Initiative", "client", note="Ze kijkt op."),
        ExportedMoment(2000, None, "bc.ontvangen", "Ontvangen", "Receiving", "worker"),
        ExportedMoment(2400, 2800, "laughs", "", "", "client"),
    ],
)


def section_violations(page, selector: str) -> list[dict]:
    """axe (loaded by accessibility_violations) on one part of the page."""
    return page.evaluate(
        """async ([selector, tags]) => {
          const result = await axe.run(selector, { runOnly: { type: 'tag', values: tags } });
          return result.violations.map((v) => ({ id: v.id, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
        }""",
        [selector, WCAG_21_AA],
    )


def test_a_worker_imports_an_elan_file_and_sees_its_moments_on_the_timeline(people, live_server, page, api, ready_clip):
    clip_id = ready_clip["id"]
    log_in(page, live_server, people["worker"].email)
    open_coding(page, live_server, clip_id)
    section = page.locator("#exchange-data")
    assert section.get_by_role("link", name="ELAN (.eaf)").count() == 1

    section.get_by_label("Import moments").set_input_files(
        files=[{"name": "visit.eaf", "mimeType": "application/xml", "buffer": ELAN_FILE}]
    )
    section.get_by_role("button", name="Check the file").click()
    wait_until(page, "!document.querySelector('#exchange-data .import-report').hidden")
    report = section.locator(".import-report").inner_text()
    assert "2 moments to import, 1 skipped." in report and "laughs (1×)" in report
    assert moments(api, clip_id) == []  # the preview creates nothing
    assert accessibility_violations(page) == []
    # At 375 px only the section is checked: the coding page's own timeline (.timeline-scroll) is
    # sometimes flagged there while it redraws after the resize (scrollable-region-focusable), which
    # is the coding page's matter, tested in test_small_screens.py.
    page.set_viewport_size(PHONE)
    snap(page, "interop-import-preview-375")
    assert section_violations(page, "#exchange-data") == []
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.set_viewport_size(DESKTOP)

    section.get_by_role("button", name="Import 2 moments").focus()
    with page.expect_navigation():  # the page reloads with the new moments
        page.keyboard.press("Enter")  # by keyboard
    wait_until(page, "document.querySelector('.coding')?.dataset.ready === 'true'")
    wait_until(page, "document.querySelectorAll('.moment-list li').length === 2")
    saved = sorted(moments(api, clip_id), key=lambda m: m["start_ms"])
    assert [(m["code"], m["actor"], m["start_ms"], m["end_ms"], m["note"]) for m in saved] == [
        ("bc.initiatief", "client", 400, 1200, "Ze kijkt op."),
        ("bc.ontvangen", "worker", 2000, None, ""),
    ]
    assert "Initiative" in page.locator(".moment-list li").nth(0).inner_text()
    assert canvas_colour(page, timeline_x(page, 800), lane_y(page, 1) + 6) != "#ffffff"  # the span, in the client's lane
