"""Who may reach the meetings' endpoints and pages, in the form of tests/core/test_access.py (status
for: the case's worker, another worker, the supervisor asked to review a clip of the case, another
supervisor, a trainer, an admin, anonymous). A meeting, its progress and its handout are the case's
worker's alone: a review of one of its clips shows the supervisor nothing of them."""

from __future__ import annotations

import pytest

from tests.core.test_access import PEOPLE, _check, check_page
from tests.days import organisation_today
from tests.library.test_library_access import request_as

MEETING_API_MATRIX = [
    ("get", "/api/cases/{case}/progress", [200, 404, 404, 404, 404, 404, 401]),
    ("get", "/api/cases/{case}/progress.svg", [200, 404, 404, 404, 404, 404, 401]),
    ("get", "/api/cases/{case}/meetings", [200, 404, 404, 404, 404, 404, 401]),
    ("post", "/api/cases/{case}/meetings", [201, 404, 404, 404, 404, 404, 401]),
    ("get", "/api/meetings/{meeting}", [200, 404, 404, 404, 404, 404, 401]),
    ("patch", "/api/meetings/{meeting}", [200, 404, 404, 404, 404, 404, 401]),
    ("delete", "/api/meetings/{meeting}", [204, 404, 404, 404, 404, 404, 401]),
    ("post", "/api/meetings/{meeting}/items", [201, 404, 404, 404, 404, 404, 401]),
    ("patch", "/api/meetings/{meeting}/items/{item}", [200, 404, 404, 404, 404, 404, 401]),
    ("delete", "/api/meetings/{meeting}/items/{item}", [204, 404, 404, 404, 404, 404, 401]),
    ("get", "/api/meetings/{meeting}/handout.pdf", [200, 404, 404, 404, 404, 404, 401]),
    ("patch", "/api/clips/{clip}", [200, 404, 404, 404, 404, 404, 401]),  # its cycle and recording date
]

MEETING_PAGE_MATRIX = [
    ("/meetings/{meeting}", [200, 404, 404, 404, 404, 404]),
    ("/meetings/{meeting}/present", [200, 404, 404, 404, 404, 404]),
    ("/meetings/{meeting}/print", [200, 404, 404, 404, 404, 404]),
]


@pytest.fixture
def meeting_objects(api, case, ready_clip, review):
    worker = api("worker")
    meeting = worker.post(f"/api/cases/{case['id']}/meetings", json={"date": organisation_today().isoformat(), "question": "What changed?"})
    item = worker.post(f"/api/meetings/{meeting.json['id']}/items", json={"clip_id": ready_clip["id"], "start_ms": 0, "end_ms": 1000})
    assert item.status_code == 201, item.json
    return {"case": case["id"], "clip": ready_clip["id"], "meeting": meeting.json["id"], "item": item.json["id"]}


def _bodies(objects) -> dict:
    return {
        "/api/cases/{case}/meetings": {"date": "2026-12-20", "question": "What helps?"},
        "/api/meetings/{meeting}": {"title": "December"},
        "/api/meetings/{meeting}/items": {"clip_id": objects["clip"], "start_ms": 1000, "end_ms": 2000},
        "/api/meetings/{meeting}/items/{item}": {"talking_point": "Look at her hands."},
        "/api/clips/{clip}": {"cycle": 2, "recorded_on": "2026-11-01"},
    }


READS = [row for row in MEETING_API_MATRIX if row[0] == "get"]
CHANGES = [row for row in MEETING_API_MATRIX if row[0] != "get"]


@pytest.mark.parametrize("method, template, statuses", READS, ids=[u for _, u, _ in READS])
def test_reading_meetings(api, meeting_objects, method, template, statuses):
    for who, expected in zip(PEOPLE, statuses, strict=True):
        _check(request_as(api, who, method, template, meeting_objects, _bodies(meeting_objects)), expected, who)


@pytest.mark.parametrize("method, template, statuses", CHANGES, ids=[f"{m} {u}" for m, u, _ in CHANGES])
@pytest.mark.parametrize("position, who", list(enumerate(PEOPLE)), ids=[p or "anonymous" for p in PEOPLE])
def test_changing_meetings(api, meeting_objects, method, template, statuses, position, who):
    _check(request_as(api, who, method, template, meeting_objects, _bodies(meeting_objects)), statuses[position], who)


@pytest.mark.parametrize("template, statuses", MEETING_PAGE_MATRIX, ids=[u for u, _ in MEETING_PAGE_MATRIX])
def test_meeting_page_access(app, browser_login, meeting_objects, template, statuses):
    check_page(app, browser_login, template.format(**meeting_objects), statuses)


def test_presenting_and_printing_stop_while_consent_to_analysis_is_withdrawn(api, browser_login, meeting_objects):
    withdrawn = api("worker").post(
        f"/api/cases/{meeting_objects['case']}/consents/withdraw", json={"person": "father", "purposes": ["analysis"]}
    )
    assert withdrawn.status_code in (200, 201)
    assert browser_login("worker").get(f"/meetings/{meeting_objects['meeting']}/present").status_code == 403
    assert api("worker").get(f"/api/meetings/{meeting_objects['meeting']}/handout.pdf").status_code == 403
    page = browser_login("worker").get(f"/meetings/{meeting_objects['meeting']}")
    assert page.status_code == 200 and "/present" not in page.get_data(as_text=True)
