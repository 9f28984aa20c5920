"""What the audit log records of client data being looked at and changed (NEN 7513): the action, the
person, the role they acted in, and the object."""

from __future__ import annotations

from sqlalchemy import select

from vib.core import db
from vib.core.audit import AuditEvent


def trail(app, since_id=0):
    with app.app_context():
        rows = db.session().scalars(select(AuditEvent).where(AuditEvent.id > since_id).order_by(AuditEvent.id))
        return [(r.user_email, r.role, r.action, r.object_type, r.object_id) for r in rows]


def last_id(app):
    with app.app_context():
        return db.session().scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)) or 0


def test_consent_changes_are_recorded(app, api, case):
    assert ("worker@example.org", "worker", "consent.grant", "case", case["id"]) in trail(app)
    api("worker").post(f"/api/cases/{case['id']}/consents/withdraw", json={"person": "father", "purposes": ["analysis"]})
    assert trail(app)[-1] == ("worker@example.org", "worker", "consent.withdraw", "case", case["id"])


def test_viewing_pages_and_streaming_are_recorded_in_the_role_the_person_acts_in(app, api, browser_login, review, ready_clip):
    start = last_id(app)
    clip = ready_clip["id"]
    for page in (f"/clips/{clip}", f"/clips/{clip}/coding", f"/clips/{clip}/review"):
        assert browser_login("worker").get(page).status_code == 200
    assert browser_login("supervisor").get(f"/clips/{clip}").status_code == 200
    for _ in range(3):  # a player's many range requests make one row per window
        assert api("supervisor").get(f"/api/clips/{clip}/media", headers={"Range": "bytes=0-99"}).status_code == 206
    assert trail(app, start) == [
        ("worker@example.org", "worker", "clip.view", "clip", clip),
        ("worker@example.org", "worker", "clip.view", "clip", clip),
        ("worker@example.org", "worker", "clip.view", "clip", clip),
        ("supervisor@example.org", "supervisor", "clip.view", "clip", clip),
        ("supervisor@example.org", "supervisor", "clip.stream", "clip", clip),
    ]


def test_moment_changes_are_recorded(app, api, ready_clip):
    start = last_id(app)
    made = api("worker").post(f"/api/clips/{ready_clip['id']}/moments", json={"start_ms": 100, "code": "bc.initiatief"}).json
    api("worker").patch(f"/api/moments/{made['id']}", json={"version": made["version"], "note": "She looks up."})
    api("worker").delete(f"/api/moments/{made['id']}")
    assert [row[2:] for row in trail(app, start)] == [
        ("moment.create", "moment", made["id"]),
        ("moment.update", "moment", made["id"]),
        ("moment.delete", "moment", made["id"]),
    ]


def test_a_refused_request_records_nothing(app, api, ready_clip):
    start = last_id(app)
    assert api("other_worker").get(f"/api/clips/{ready_clip['id']}/media").status_code == 404
    assert api("worker").post(f"/api/clips/{ready_clip['id']}/moments", json={"start_ms": -5, "code": "bc.initiatief"}).status_code == 422
    assert trail(app, start) == []
