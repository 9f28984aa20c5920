"""Review requests through the JSON API: who may ask whom, what the request opens up, and the life of
a review from request to close."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests.conftest import consent_to_supervision
from tests.days import organisation_today
from vib.core import db
from vib.core.audit import AuditEvent
from vib.supervision.models import ReviewRequest


def ask(api, clip, supervisor="supervisor@example.org", question="Look at how I start."):
    return api("worker").post(f"/api/clips/{clip['id']}/reviews", json={"supervisor": supervisor, "question": question})


def reviews_in_db(app) -> int:
    with app.app_context():
        return len(db.session().scalars(select(ReviewRequest)).all())


def feedback(api, review, **fields):
    """The supervisor adds an item: a strength at the clip's start unless `fields` say otherwise."""
    body = {"kind": "strength", "text": "Ik zie dat je wacht.", **fields}
    if body["kind"] != "summary" and "moment_id" not in body and "start_ms" not in body:
        body["start_ms"] = 0
    return api("supervisor").post(f"/api/reviews/{review['id']}/feedback", json=body)


def add_moment(api, who, clip, **fields):
    r = api(who).post(f"/api/clips/{clip['id']}/moments", json={"start_ms": 400, "code": "bc.initiatief", **fields})
    assert r.status_code == 201, r.json
    return r.json


# -- asking ----------------------------------------------------------------------------------------


def test_asking_needs_supervision_consent_from_everyone_and_stores_nothing_without_it(app, api, ready_clip, certified):
    r = ask(api, ready_clip)
    assert r.status_code == 422 and r.json["field"] == "consent"
    assert "supervisor" in r.json["error"] and "father" in r.json["error"]
    assert reviews_in_db(app) == 0


def test_a_withdrawn_supervision_consent_refuses_a_new_request(app, api, case, ready_clip, certified):
    consent_to_supervision(api, case)
    api("worker").post(f"/api/cases/{case['id']}/consents/withdraw", json={"person": "father", "purposes": ["supervision"]})
    r = ask(api, ready_clip)
    assert r.status_code == 422 and r.json["field"] == "consent"


@pytest.mark.parametrize("supervisor, question, field", [
    ("nobody@example.org", "Look at me.", "supervisor"),
    ("other_worker@example.org", "Look at me.", "supervisor"),  # not a supervisor
    ("supervisor@example.org", "   ", "question"),
    (None, "Look at me.", "supervisor"),
    (True, "Look at me.", "supervisor"),
])  # fmt: skip
def test_asking_refuses_unknown_people_and_empty_questions(app, api, case, ready_clip, certified, supervisor, question, field):
    consent_to_supervision(api, case)
    r = ask(api, ready_clip, supervisor, question)
    assert r.status_code == 422 and r.json["field"] == field and r.json["error"]
    assert reviews_in_db(app) == 0


def test_only_a_supervisor_with_a_valid_certificate_can_be_asked(app, api, people, case, ready_clip):
    from vib.accounts.certificates import certify
    from vib.accounts.models import User

    consent_to_supervision(api, case)
    assert ask(api, ready_clip).json["field"] == "supervisor"  # no certificate at all
    with app.app_context():
        session = db.session()
        certify(session, session.get(User, people["supervisor"].id), "AIT-1", "AIT", organisation_today() - timedelta(days=1))
        session.commit()
    assert ask(api, ready_clip).json["field"] == "supervisor"  # expired yesterday
    assert [s["email"] for s in api("worker").get("/api/supervisors").json] == []


def test_a_supervisor_is_named_by_email_or_id_and_asked_once_at_a_time(api, people, case, ready_clip, certified):
    consent_to_supervision(api, case)
    assert {s["email"] for s in api("worker").get("/api/supervisors").json} == {"supervisor@example.org", "other_supervisor@example.org"}
    first = ask(api, ready_clip, people["supervisor"].id)
    assert first.status_code == 201 and first.json["state"] == "requested" and first.json["supervisor"]["name"] == "Supervisor"
    again = ask(api, ready_clip)
    assert again.status_code == 409 and "already" in again.json["error"]
    assert ask(api, ready_clip, "other_supervisor@example.org").status_code == 201


def test_nobody_but_the_owner_asks_for_a_review_of_a_clip(api, case, ready_clip, certified):
    consent_to_supervision(api, case)
    for who in ("other_worker", "supervisor", "admin"):
        r = api(who).post(f"/api/clips/{ready_clip['id']}/reviews", json={"supervisor": "supervisor@example.org", "question": "Look."})
        assert r.status_code == 404, who


# -- what a request opens up ------------------------------------------------------------------------


MEDIA = [
    "/api/clips/{clip}",
    "/api/clips/{clip}/media",
    "/api/clips/{clip}/moments",
    "/api/clips/{clip}/stats",
    "/api/clips/{clip}/thumbnail?t=0",
]


def statuses(api, who, clip):
    return [api(who).get(url.format(clip=clip["id"])).status_code for url in MEDIA]


def test_the_asked_supervisor_sees_the_clip_and_nothing_else_of_the_workers(api, case, ready_clip, certified, videos):
    assert statuses(api, "supervisor", ready_clip) == [404] * 5
    consent_to_supervision(api, case)
    assert ask(api, ready_clip).status_code == 201
    assert statuses(api, "supervisor", ready_clip) == [200] * 5
    assert statuses(api, "other_supervisor", ready_clip) == [404] * 5
    assert api("supervisor").get(f"/api/cases/{case['id']}").status_code == 404
    assert api("supervisor").get("/api/cases").json == []
    assert [c["id"] for c in api("supervisor").get("/api/clips").json] == [ready_clip["id"]]
    # another clip of the same case is not part of the request
    other = api("worker").upload(case["id"], videos["cfr.mp4"])
    assert api("supervisor").get(f"/api/clips/{other.json['id']}").status_code == 404


def test_withdrawing_the_request_ends_the_supervisors_access_at_once(api, review, ready_clip):
    r = api("worker").post(f"/api/reviews/{review['id']}/withdraw")
    assert r.status_code == 200 and r.json["state"] == "withdrawn"
    assert statuses(api, "supervisor", ready_clip) == [404] * 5
    assert api("supervisor").get(f"/api/reviews/{review['id']}").json["state"] == "withdrawn"


def test_withdrawn_supervision_consent_ends_the_review_and_stops_the_supervisor_but_not_the_worker(api, case, review, ready_clip):
    api("worker").post(f"/api/cases/{case['id']}/consents/withdraw", json={"person": "father", "purposes": ["supervision"]})
    assert statuses(api, "supervisor", ready_clip) == [404] * 5
    ended = api("supervisor").get(f"/api/reviews/{review['id']}").json
    assert (ended["state"], ended["end_reason"]) == ("ended", "supervision_withdrawn")
    assert api("worker").get(f"/api/clips/{ready_clip['id']}/media").status_code == 200


def test_access_lasts_the_configured_period_after_the_review_is_closed(app, api, review, ready_clip):
    assert feedback(api, review).status_code == 201
    api("supervisor").post(f"/api/reviews/{review['id']}/send")
    closed = api("worker").post(f"/api/reviews/{review['id']}/close").json
    assert closed["state"] == "closed"
    until, today = closed["access_until"][:10], db.utcnow().date()  # a moment in UTC, not a day
    assert until in ((today + timedelta(days=30)).isoformat(), (today + timedelta(days=31)).isoformat())
    assert statuses(api, "supervisor", ready_clip) == [200] * 5
    with app.app_context():  # the period has passed
        db.session().execute(update(ReviewRequest).values(access_until=db.utcnow() - timedelta(seconds=1)))
        db.session().commit()
    assert statuses(api, "supervisor", ready_clip) == [404] * 5


# -- the life of a review --------------------------------------------------------------------------


def test_from_request_to_close(app, api, review, ready_clip):
    worker, supervisor = api("worker"), api("supervisor")
    assert worker.get(f"/api/reviews/{review['id']}").json["state"] == "requested"  # the worker's look changes nothing
    opened = supervisor.get(f"/api/reviews/{review['id']}").json
    assert opened["state"] == "in_review" and opened["my_part"] == "supervisor" and opened["may"]["write"]

    moment = add_moment(api, "worker", ready_clip, start_ms=1000, end_ms=2000)
    on_moment = feedback(api, review, moment_id=moment["id"]).json
    assert (on_moment["start_ms"], on_moment["end_ms"], on_moment["draft"]) == (1000, 2000, True)
    on_range = feedback(api, review, kind="effect", start_ms=200, end_ms=800, text="Het effect is dat hij opkijkt.").json
    summary = feedback(api, review, kind="summary", text="Wat ik vooral zie is rust.").json
    assert summary["start_ms"] is None

    seen_by_worker = worker.get(f"/api/reviews/{review['id']}").json
    assert seen_by_worker["feedback"] == [] and seen_by_worker["summary"] is None  # drafts stay the supervisor's
    assert worker.get(f"/api/clips/{ready_clip['id']}/feedback").json == []
    assert worker.post(f"/api/reviews/{review['id']}/answers", json={"text": "Thanks"}).status_code == 409

    sent = supervisor.post(f"/api/reviews/{review['id']}/send").json
    assert sent["state"] == "feedback_sent" and sent["sent_at"]
    assert supervisor.patch(f"/api/reviews/{review['id']}/feedback/{on_range['id']}", json={"text": "Changed"}).status_code == 409
    assert supervisor.delete(f"/api/reviews/{review['id']}/feedback/{on_range['id']}").status_code == 409
    assert worker.post(f"/api/reviews/{review['id']}/withdraw").status_code == 409

    shown = worker.get(f"/api/reviews/{review['id']}").json
    assert [f["id"] for f in shown["feedback"]] == [on_range["id"], on_moment["id"]]  # in time order
    assert shown["summary"]["id"] == summary["id"] and not shown["summary"]["draft"]
    assert len(worker.get(f"/api/clips/{ready_clip['id']}/feedback").json) == 3

    answer = worker.post(f"/api/reviews/{review['id']}/answers", json={"feedback_id": on_moment["id"], "text": "I saw it too."})
    assert answer.status_code == 201 and answer.json["feedback_id"] == on_moment["id"]
    overall = worker.post(
        f"/api/reviews/{review['id']}/answers", json={"text": "Thank you.", "next_goal": "Wait for the father to look up."}
    )
    assert overall.status_code == 201
    answered = worker.get(f"/api/reviews/{review['id']}").json
    assert answered["state"] == "answered" and len(answered["answers"]) == 2
    assert api("worker").get(f"/api/cases/{ready_clip['case_id']}").json["next_learning_goal"] == "Wait for the father to look up."

    closed = supervisor.post(f"/api/reviews/{review['id']}/close").json
    assert closed["state"] == "closed" and closed["closed_at"]
    assert worker.post(f"/api/reviews/{review['id']}/answers", json={"text": "Late"}).status_code == 409
    with app.app_context():
        actions = [e.action for e in db.session().scalars(select(AuditEvent).order_by(AuditEvent.id))]
    for action in ("review.request", "review.open", "feedback.create", "review.send", "review.answer", "review.close", "moment.create"):
        assert action in actions, action


def test_each_party_does_only_their_part(api, review):
    worker, supervisor = api("worker"), api("supervisor")
    r = worker.post(f"/api/reviews/{review['id']}/feedback", json={"kind": "strength", "text": "I did well.", "start_ms": 0})
    assert r.status_code == 403
    assert worker.post(f"/api/reviews/{review['id']}/send").status_code == 403
    assert supervisor.post(f"/api/reviews/{review['id']}/withdraw").status_code == 403
    for who in ("other_worker", "other_supervisor", "trainer", "admin"):
        assert api(who).get(f"/api/reviews/{review['id']}").status_code == 404, who
        assert (
            api(who).post(f"/api/reviews/{review['id']}/feedback", json={"kind": "strength", "text": "x", "start_ms": 0}).status_code == 404
        )
    assert api(None).get("/api/reviews").status_code == 401


def test_reviews_are_listed_for_both_parties(api, review):
    assert [(r["id"], r["my_part"]) for r in api("worker").get("/api/reviews").json] == [(review["id"], "worker")]
    assert [(r["id"], r["my_part"]) for r in api("supervisor").get("/api/reviews").json] == [(review["id"], "supervisor")]
    assert api("other_supervisor").get("/api/reviews").json == []
    assert api("worker").get("/api/reviews?state=closed").json == []
    assert api("worker").get("/api/reviews?state=bogus").status_code == 422


def test_sending_needs_some_feedback(api, review):
    r = api("supervisor").post(f"/api/reviews/{review['id']}/send")
    assert r.status_code == 422 and r.json["field"] == "feedback"


# -- feedback items --------------------------------------------------------------------------------


@pytest.mark.parametrize("fields, field", [
    ({"kind": "fault"}, "kind"),
    ({"text": "  "}, "text"),
    ({"start_ms": -1}, "start_ms"),
    ({"start_ms": 10**9}, "start_ms"),
    ({"start_ms": 500, "end_ms": 400}, "end_ms"),
    ({"moment_id": 999999}, "moment_id"),
    ({"start_ms": 0, "colour": "red"}, "colour"),
    ({"kind": "summary", "start_ms": 0}, "moment_id"),
])  # fmt: skip
def test_bad_feedback_is_refused_with_the_field_and_stores_nothing(api, review, fields, field):
    r = feedback(api, review, **fields)
    assert r.status_code == 422 and r.json["field"] == field, r.json
    assert api("supervisor").get(f"/api/reviews/{review['id']}").json["feedback"] == []


def test_feedback_cannot_be_anchored_on_an_analysis_only_moment(api, review, ready_clip):
    missed = add_moment(api, "worker", ready_clip, code="bc.gemist")
    r = feedback(api, review, moment_id=missed["id"])
    assert r.status_code == 422 and r.json["field"] == "moment_id" and "analysis" in r.json["error"]


def test_a_review_has_one_summary(api, review):
    assert feedback(api, review, kind="summary", text="Overall.").status_code == 201
    assert feedback(api, review, kind="summary", text="Again.").status_code == 409


def test_a_fault_list_gets_an_advisory_hint_and_is_saved_all_the_same(api, review):
    r = feedback(api, review, start_ms=0, text="Dit ging fout, je had moeten wachten.")
    assert r.status_code == 201
    assert r.json["hint"]["words"] == ["fout", "had moeten"] and r.json["hint"]["message"]
    assert feedback(api, review, start_ms=0, text="Ik zie dat je wacht tot hij opkijkt.").json["hint"] is None


def test_drafts_can_be_changed_and_deleted_and_keep_their_anchor_when_the_moment_goes(app, api, review, ready_clip):
    moment = add_moment(api, "worker", ready_clip, start_ms=600)
    item = feedback(api, review, moment_id=moment["id"]).json
    changed = api("supervisor").patch(
        f"/api/reviews/{review['id']}/feedback/{item['id']}", json={"kind": "effect", "text": "Het effect is rust."}
    )
    assert changed.status_code == 200 and changed.json["kind"] == "effect"
    assert api("worker").delete(f"/api/moments/{moment['id']}?version={moment['version']}").status_code == 204
    kept = api("supervisor").get(f"/api/reviews/{review['id']}").json["feedback"][0]
    assert (kept["moment_id"], kept["start_ms"]) == (None, 600)
    assert api("supervisor").delete(f"/api/reviews/{review['id']}/feedback/{item['id']}").status_code == 204
    assert api("supervisor").get(f"/api/reviews/{review['id']}").json["feedback"] == []


# -- the supervisor's own moments ------------------------------------------------------------------


def moments_seen(api, role, clip, compact):
    """(id, author's name, editable) of the moments `role` is listed, in either form of the list."""
    listed = api(role).get(f"/api/clips/{clip['id']}/moments", query_string={"compact": "1"} if compact else {}).json
    if not compact:
        return [(m["id"], m["author"]["name"], m["editable"]) for m in listed]
    return [(m["id"], listed["authors"][str(m["author"])], m.get("editable", False)) for m in listed["moments"]]


@pytest.mark.parametrize("compact", [False, True], ids=["full", "compact"])
def test_the_supervisors_moments_reach_the_worker_with_the_feedback_but_analysis_only_codes_never(api, review, ready_clip, compact):
    own = add_moment(api, "supervisor", ready_clip, start_ms=800, code="bc.ontvangen")
    missed = add_moment(api, "supervisor", ready_clip, start_ms=900, code="bc.gemist")
    workers = add_moment(api, "worker", ready_clip, start_ms=100)
    assert {m[0] for m in moments_seen(api, "supervisor", ready_clip, compact)} == {own["id"], missed["id"], workers["id"]}
    assert [m[0] for m in moments_seen(api, "worker", ready_clip, compact)] == [workers["id"]]
    # each changes only their own
    assert api("worker").patch(f"/api/moments/{own['id']}", json={"version": 1, "note": "x"}).status_code == 404
    assert api("supervisor").patch(f"/api/moments/{workers['id']}", json={"version": 1, "note": "x"}).status_code == 404
    assert api("supervisor").patch(f"/api/moments/{own['id']}", json={"version": 1, "note": "Mooi."}).status_code == 200

    feedback(api, review, moment_id=own["id"])
    api("supervisor").post(f"/api/reviews/{review['id']}/send")
    assert moments_seen(api, "worker", ready_clip, compact) == [(workers["id"], "Worker", True), (own["id"], "Supervisor", False)]


def test_a_next_learning_goal_alone_is_an_answer_but_an_empty_answer_is_not(api, review):
    api("supervisor").post(f"/api/reviews/{review['id']}/feedback", json={"kind": "summary", "text": "Wat ik vooral zie is rust."})
    api("supervisor").post(f"/api/reviews/{review['id']}/send")
    assert api("worker").post(f"/api/reviews/{review['id']}/answers", json={"text": " "}).json["field"] == "text"
    goal_only = api("worker").post(f"/api/reviews/{review['id']}/answers", json={"next_goal": "Ask one question at a time."})
    assert goal_only.status_code == 201 and goal_only.json["next_goal"] == "Ask one question at a time."
