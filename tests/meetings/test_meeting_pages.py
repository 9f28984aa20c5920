"""The pages of progress meetings: the case page by cycle with its progress, planning a meeting,
preparing it, and adding moments from the coding page and the review screen."""

from __future__ import annotations

from tests.conftest import csrf_token
from tests.days import organisation_today


def test_the_case_page_lists_clips_by_cycle_and_shows_progress_with_its_numbers(browser_login, case, cycle_clips):
    page = browser_login("worker").get(f"/cases/{case['id']}").get_data(as_text=True)
    assert page.index("Cycle 1") < page.index("Cycle 2") < page.index("Cycle 3")
    assert f"/api/cases/{case['id']}/progress.svg" in page
    assert "Of 2 initiatives in cycle 1 you received 1; in cycle 3, 3 of 3." in page
    assert "1 of 2 (50%)" in page and "3 of 3 (100%)" in page and "not coded yet" in page


def test_the_worker_moves_a_clip_to_another_cycle_from_the_case_page(api, browser_login, case, ready_clip):
    client = browser_login("worker")
    token = csrf_token(client.get(f"/cases/{case['id']}").get_data(as_text=True))
    moved = client.post(f"/clips/{ready_clip['id']}/cycle", data={"csrf_token": token, "cycle": "2", "recorded_on": "2026-05-04"})
    assert moved.status_code == 302
    assert (
        api("worker").get(f"/api/clips/{ready_clip['id']}").json["cycle"],
        api("worker").get(f"/api/clips/{ready_clip['id']}").json["recorded_on"],
    ) == (2, "2026-05-04")
    refused = client.post(
        f"/clips/{ready_clip['id']}/cycle", data={"csrf_token": token, "cycle": "0", "recorded_on": "2026-05-04"}, follow_redirects=True
    )
    assert "The cycle is a whole number from 1 to 99." in refused.get_data(as_text=True)
    assert api("worker").get(f"/api/clips/{ready_clip['id']}").json["cycle"] == 2


def test_a_meeting_is_planned_from_the_case_page_and_prepared_on_its_own(api, browser_login, case, cycle_clips):
    client = browser_login("worker")
    token = csrf_token(client.get(f"/cases/{case['id']}").get_data(as_text=True))
    planned = client.post(
        f"/meetings/for-case/{case['id']}",
        data={"csrf_token": token, "date": organisation_today().isoformat(), "question": "What changed?"},
    )
    assert planned.status_code == 302 and "/meetings/" in planned.location
    page = client.get(planned.location).get_data(as_text=True)
    assert "What changed?" in page and "No items yet." in page
    # every coded moment of the case's clips can be picked, with its cycle
    assert page.count('class="add-moment"') == 9 and "cycle 3" in page
    refused = client.post(
        f"/meetings/for-case/{case['id']}", data={"csrf_token": token, "date": "", "question": "No date"}, follow_redirects=True
    )
    assert "Give the meeting&#39;s date as YYYY-MM-DD." in refused.get_data(as_text=True)


def test_the_meeting_page_shows_each_item_with_stills_feedback_and_before_and_after(api, browser_login, meeting, cycle_clips):
    for clip_id, point in ((cycle_clips[0], "Cycle 1: I talk on."), (cycle_clips[2], "Cycle 3: I wait.")):
        r = api("worker").post(
            f"/api/meetings/{meeting['id']}/items", json={"clip_id": clip_id, "start_ms": 200, "end_ms": 1200, "talking_point": point}
        )
        assert r.status_code == 201
    page = browser_login("worker").get(f"/meetings/{meeting['id']}").get_data(as_text=True)
    assert page.index("Cycle 1: I talk on.") < page.index("Cycle 3: I wait.")
    assert page.count('<img src="/api/clips/') == 6 and "Before and after" in page  # three stills per item


def test_the_coding_page_and_review_screen_offer_add_to_a_meeting_to_the_owner_only(browser_login, review, ready_clip, meeting):
    for url in (f"/clips/{ready_clip['id']}/coding", f"/clips/{ready_clip['id']}/review"):
        owner = browser_login("worker").get(url).get_data(as_text=True)
        assert "Add to a progress meeting" in owner and meeting["title"] in owner, url
        supervisor = browser_login("supervisor").get(url).get_data(as_text=True)
        assert "Add to a progress meeting" not in supervisor and meeting["title"] not in supervisor, url
