"""Cycles, progress across cycles and preparing a progress meeting, through the JSON API."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.conftest import upload_and_process, wait_for_jobs
from tests.days import organisation_today
from tests.meetings.conftest import INITIATIVE, code
from vib.core import db
from vib.core.audit import AuditEvent
from vib.media.synth import ClipSpec, make_clip

# -- cycles ---------------------------------------------------------------------------------------


def test_a_clip_is_dated_by_its_camera_and_starts_the_next_cycle_of_its_case(app, api, case, tmp_path):
    filmed = tmp_path / "filmed.mp4"
    make_clip(filmed, ClipSpec(seconds=1, creation_time="2026-03-12T09:30:00.000000Z"))
    undated = tmp_path / "undated.mp4"
    make_clip(undated, ClipSpec(seconds=1))
    first = upload_and_process(app, api("worker"), case["id"], filmed)
    second = upload_and_process(app, api("worker"), case["id"], undated)
    assert (first["recorded_on"], first["cycle"]) == ("2026-03-12", 1)
    assert (second["recorded_on"], second["cycle"]) == (organisation_today().isoformat(), 2)  # no date in the file: the upload's


def test_the_worker_corrects_the_recording_date_and_cycle(api, ready_clip):
    url = f"/api/clips/{ready_clip['id']}"
    changed = api("worker").patch(url, json={"recorded_on": "2026-02-01", "cycle": 2})
    assert changed.status_code == 200, changed.json
    assert (changed.json["recorded_on"], changed.json["cycle"]) == ("2026-02-01", 2)
    tomorrow = (organisation_today() + timedelta(days=1)).isoformat()
    for body in ({"cycle": 0}, {"cycle": -1}, {"cycle": "2"}, {"cycle": 100}, {"recorded_on": tomorrow}, {"recorded_on": "12-03-2026"}):
        refused = api("worker").patch(url, json=body)
        assert refused.status_code == 422 and refused.json["error"], body
    assert api("worker").get(url).json["cycle"] == 2  # nothing of a refused change is stored


def test_the_case_keeps_its_goals_and_shows_each_cycle_with_the_goal_that_held(app, api, browser_login, case, ready_clip, certified):
    from tests.conftest import consent_to_supervision

    with app.app_context():
        from vib.cases.models import Case

        stored = db.session().get(Case, case["id"])
        assert [(g.kind, g.text) for g in stored.goals] == [("learning_question", case["learning_question"])]
    consent_to_supervision(api, case)
    review = api("worker").post(f"/api/clips/{ready_clip['id']}/reviews", json={"supervisor": "supervisor@example.org", "question": "Q?"})
    assert review.status_code == 201, review.json
    supervisor = api("supervisor")
    assert (
        supervisor.post(
            f"/api/reviews/{review.json['id']}/feedback", json={"kind": "strength", "text": "Ik zie dat je wacht.", "start_ms": 0}
        ).status_code
        == 201
    )
    assert supervisor.post(f"/api/reviews/{review.json['id']}/send").status_code == 200
    answered = api("worker").post(f"/api/reviews/{review.json['id']}/answers", json={"next_goal": "Name what the father does well."})
    assert answered.status_code == 201, answered.json
    with app.app_context():
        stored = db.session().get(Case, case["id"])
        assert [g.text for g in stored.goals] == [case["learning_question"], "Name what the father does well."]
    page = browser_login("worker").get(f"/cases/{case['id']}").get_data(as_text=True)
    assert "Cycle 1" in page and case["learning_question"] in page


# -- progress -------------------------------------------------------------------------------------


def test_progress_gives_each_clips_figures_in_cycle_order_with_the_definitions_of_stats(api, case, cycle_clips):
    progress = api("worker").get(f"/api/cases/{case['id']}/progress")
    assert progress.status_code == 200, progress.json
    rows = progress.json["clips"]
    assert [(r["clip_id"], r["cycle"]) for r in rows] == [(cycle_clips[0], 1), (cycle_clips[1], 2), (cycle_clips[2], 3)]
    assert [r["coded"] for r in rows] == [True, False, True]
    for row in (rows[0], rows[2]):
        stats = api("worker").get(f"/api/clips/{row['clip_id']}/stats").json
        for name in (
            "reception_ratio",
            "initiatives_per_10min",
            "median_reception_latency_ms",
            "strength_moments",
            "learning_question_moments",
            "by_code",
        ):
            assert row[name] == stats[name], name
    assert (rows[0]["initiatives"], rows[0]["received_initiatives"]) == (2, 1)
    assert (rows[2]["initiatives"], rows[2]["received_initiatives"], rows[2]["strength_moments"]) == (3, 3, 1)
    assert rows[1]["reception_ratio"] is None and rows[1]["by_code"] == []  # not coded: no figures
    assert rows[0]["recorded_on"] == (organisation_today() - timedelta(days=60)).isoformat() and rows[0]["duration_ms"] == 4000


def test_progress_is_told_in_plain_words(api, case, cycle_clips):
    sentences = api("worker").get(f"/api/cases/{case['id']}/progress").json["sentences"]
    assert "Of 2 initiatives in cycle 1 you received 1; in cycle 3, 3 of 3." in sentences
    assert any(s.startswith("In cycle 1 you marked 0 moments better than usual; in cycle 3, 1") for s in sentences)


def test_progress_of_a_case_with_nothing_coded_says_so(api, case, ready_clip):
    progress = api("worker").get(f"/api/cases/{case['id']}/progress").json
    assert [r["coded"] for r in progress["clips"]] == [False]
    assert progress["sentences"] == ["No clip of this case is coded yet: the figures appear once moments are marked."]


# -- meetings and items ---------------------------------------------------------------------------


def test_a_meeting_is_planned_changed_and_deleted(api, case):
    worker = api("worker")
    made = worker.post(f"/api/cases/{case['id']}/meetings", json={"date": "2026-12-15", "question": "What changed?"})
    assert made.status_code == 201, made.json
    assert made.json["title"] == "Progress meeting 2026-12-15" and made.json["items"] == []
    url = f"/api/meetings/{made.json['id']}"
    changed = worker.patch(url, json={"title": "Voortgang december", "question": "What helps?"})
    assert (changed.json["title"], changed.json["question"], changed.json["date"]) == ("Voortgang december", "What helps?", "2026-12-15")
    assert [m["id"] for m in worker.get(f"/api/cases/{case['id']}/meetings").json] == [made.json["id"]]
    for body in ({"date": "15-12-2026"}, {"question": "  "}, {"colour": "red"}):
        assert worker.patch(url, json=body).status_code == 422, body
    assert worker.post(f"/api/cases/{case['id']}/meetings", json={"question": "No date"}).status_code == 422
    assert worker.delete(url).status_code == 204
    assert worker.get(url).status_code == 404


def test_items_come_from_any_clip_of_the_case_snapped_to_frames_in_the_order_given(api, meeting, cycle_clips):
    worker = api("worker")
    items_url = f"/api/meetings/{meeting['id']}/items"
    first = worker.post(items_url, json={"clip_id": cycle_clips[2], "start_ms": 1010, "end_ms": 2030, "talking_point": "Now I wait."})
    assert first.status_code == 201, first.json
    # 25 frames a second: the frames on screen at 1010 and 2030 ms start at 1000 and 2000 ms
    assert (first.json["start_ms"], first.json["end_ms"]) == (1000, 2000)
    assert (first.json["pre_roll_ms"], first.json["post_roll_ms"], first.json["play_from_ms"], first.json["play_to_ms"]) == (
        2000,
        2000,
        0,
        4000,
    )
    before = worker.post(items_url, json={"clip_id": cycle_clips[0], "start_ms": 200, "end_ms": 1200, "pre_roll_ms": 500, "position": 0})
    assert before.status_code == 201, before.json
    assert (before.json["cycle"], before.json["play_from_ms"]) == (1, 0)
    items = worker.get(f"/api/meetings/{meeting['id']}").json["items"]
    assert [i["id"] for i in items] == [before.json["id"], first.json["id"]]
    assert [s["t_ms"] for s in items[1]["stills"]] == [1000, 1480, 1960]  # start, middle, last frame before the end
    moved = worker.patch(f"{items_url}/{before.json['id']}", json={"position": 1, "talking_point": "Cycle 1: I talk on."})
    assert moved.status_code == 200 and moved.json["position"] == 1
    assert [i["id"] for i in worker.get(f"/api/meetings/{meeting['id']}").json["items"]] == [first.json["id"], before.json["id"]]
    assert worker.delete(f"{items_url}/{first.json['id']}").status_code == 204
    assert [(i["id"], i["position"]) for i in worker.get(f"/api/meetings/{meeting['id']}").json["items"]] == [(before.json["id"], 0)]


def test_an_item_made_from_a_moment_takes_its_span_and_shows_its_code(api, meeting, cycle_clips):
    [point] = code(api, cycle_clips[1], (1500, INITIATIVE, {"note": "She looks up."}))
    item = api("worker").post(f"/api/meetings/{meeting['id']}/items", json={"clip_id": cycle_clips[1], "moment_id": point["id"]})
    assert item.status_code == 201, item.json
    assert (item.json["start_ms"], item.json["end_ms"]) == (1480, 4000)  # a point: the frame on screen, then 3 s (to the end)
    assert item.json["moment"]["code"] == INITIATIVE and item.json["moment"]["note"] == "She looks up."


def test_bad_items_are_refused_and_nothing_is_stored(api, people, meeting, cycle_clips):
    worker, items_url = api("worker"), f"/api/meetings/{meeting['id']}/items"
    [moment_elsewhere] = code(api, cycle_clips[0], (100, INITIATIVE))
    bad = [
        {"clip_id": cycle_clips[0], "start_ms": 1000, "end_ms": 4500},  # past the end of the clip
        {"clip_id": cycle_clips[0], "start_ms": -40, "end_ms": 1000},
        {"clip_id": cycle_clips[0], "start_ms": 2000, "end_ms": 1000},
        {"clip_id": cycle_clips[0], "start_ms": 1000, "end_ms": 1010},  # within one frame
        {"clip_id": cycle_clips[0], "start_ms": 0, "end_ms": 1000, "pre_roll_ms": -1},
        {"clip_id": cycle_clips[0], "start_ms": 0, "end_ms": 1000, "post_roll_ms": 60_000},
        {"clip_id": 999999, "start_ms": 0, "end_ms": 1000},
        {"start_ms": 0, "end_ms": 1000},
        {"clip_id": cycle_clips[1], "moment_id": moment_elsewhere["id"]},  # a moment of another clip
        {"clip_id": cycle_clips[0], "start_ms": 0, "end_ms": 1000, "position": 5},
    ]
    for body in bad:
        refused = worker.post(items_url, json=body)
        assert refused.status_code == 422 and refused.json["error"], (body, refused.json)
    assert worker.get(f"/api/meetings/{meeting['id']}").json["items"] == []


def make_case_with_code(worker, code_text):
    made = worker.post("/api/cases", json={"code": code_text, "learning_question": "How do I listen?"})
    assert made.status_code == 201
    return made.json


def test_an_item_on_a_clip_of_another_case_is_refused_as_unknown(app, api, people, meeting, cycle_clips, processed_clip):
    from tests.conftest import copy_processed_clip

    other = make_case_with_code(api("worker"), "2026-099")
    elsewhere = copy_processed_clip(app, people, other["id"], processed_clip)
    refused = api("worker").post(f"/api/meetings/{meeting['id']}/items", json={"clip_id": elsewhere, "start_ms": 0, "end_ms": 1000})
    assert refused.status_code == 422 and refused.json["field"] == "clip_id"


def test_the_supervisors_feedback_on_an_items_moment_is_shown_with_it(api, case, meeting, cycle_clips, certified):
    from tests.conftest import consent_to_supervision

    consent_to_supervision(api, case)
    [moment] = code(api, cycle_clips[2], (3000, INITIATIVE))
    review = (
        api("worker").post(f"/api/clips/{cycle_clips[2]}/reviews", json={"supervisor": "supervisor@example.org", "question": "Q?"}).json
    )
    supervisor = api("supervisor")
    on_moment = {"kind": "strength", "text": "Ik zie dat je wacht tot ze opkijkt.", "moment_id": moment["id"]}
    assert supervisor.post(f"/api/reviews/{review['id']}/feedback", json=on_moment).status_code == 201
    elsewhere = {"kind": "strength", "text": "Ik zie dat je knikt.", "start_ms": 100}
    assert supervisor.post(f"/api/reviews/{review['id']}/feedback", json=elsewhere).status_code == 201
    item_url = f"/api/meetings/{meeting['id']}/items"
    item = api("worker").post(item_url, json={"clip_id": cycle_clips[2], "moment_id": moment["id"]}).json
    assert item["feedback"] == []  # not sent yet: the worker has no feedback
    assert supervisor.post(f"/api/reviews/{review['id']}/send").status_code == 200
    [shown] = api("worker").get(f"/api/meetings/{meeting['id']}").json["items"][0]["feedback"]
    assert shown["text"] == "Ik zie dat je wacht tot ze opkijkt."


def test_viewing_presenting_and_changing_a_meeting_are_audited(app, api, browser_login, meeting, cycle_clips):
    api("worker").get(f"/api/meetings/{meeting['id']}")
    api("worker").post(f"/api/meetings/{meeting['id']}/items", json={"clip_id": cycle_clips[0], "start_ms": 0, "end_ms": 1000})
    assert browser_login("worker").get(f"/meetings/{meeting['id']}/present").status_code == 200
    with app.app_context():
        actions = db.session().scalars(select(AuditEvent.action).where(AuditEvent.object_type == "meeting").order_by(AuditEvent.id)).all()
    assert actions == ["meeting.create", "meeting.view", "meeting.update", "meeting.present"]


# -- privacy --------------------------------------------------------------------------------------


def test_deleting_a_clip_takes_its_meeting_items_and_the_export_lists_meetings(app, api, case, meeting, cycle_clips):
    worker, items_url = api("worker"), f"/api/meetings/{meeting['id']}/items"
    worker.post(items_url, json={"clip_id": cycle_clips[0], "start_ms": 0, "end_ms": 1000, "talking_point": "Before"})
    worker.post(items_url, json={"clip_id": cycle_clips[2], "start_ms": 0, "end_ms": 1000, "talking_point": "After"})
    assert worker.delete(f"/api/clips/{cycle_clips[0]}").status_code == 200
    wait_for_jobs(app)
    assert [i["talking_point"] for i in worker.get(f"/api/meetings/{meeting['id']}").json["items"]] == ["After"]
    import io
    import json
    import zipfile

    export = worker.get(f"/api/cases/{case['id']}/export")
    assert export.status_code == 200
    case_json = json.loads(zipfile.ZipFile(io.BytesIO(export.data)).read("case.json"))
    [exported] = case_json["meetings"]
    assert exported["question"] == meeting["question"] and [i["talking_point"] for i in exported["items"]] == ["After"]


def test_the_progress_chart_is_an_svg_drawn_from_the_same_figures(api, case, cycle_clips):
    from xml.etree import ElementTree

    chart = api("worker").get(f"/api/cases/{case['id']}/progress.svg")
    assert chart.status_code == 200 and chart.mimetype == "image/svg+xml"
    assert "no-store" in chart.headers["Cache-Control"]
    texts = {"".join(t.itertext()).strip() for t in ElementTree.fromstring(chart.data).iter("{http://www.w3.org/2000/svg}text")}
    assert {"Initiatives received (%)", "Cycle 1", "Cycle 2", "Cycle 3", "not coded"} <= texts
    assert {"50", "100"} <= texts  # 1 of 2 received in cycle 1, 3 of 3 in cycle 3
