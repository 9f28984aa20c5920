"""Deleting a clip: one path removes every file and row made from it and leaves a tombstone; a stop
halfway through the files is finished by the next start."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.conftest import wait_for_jobs
from tests.privacy.conftest import clip_files, media_tree
from vib.app import start_background_work
from vib.coding.models import Moment
from vib.core import db
from vib.core.audit import AuditEvent
from vib.core.storage import LocalStorage
from vib.privacy.models import ClipTombstone
from vib.supervision.models import FeedbackItem, Notification, ReviewAnswer, ReviewRequest

CLIP_ENDPOINTS = (
    "/api/clips/{id}",
    "/api/clips/{id}/media",
    "/api/clips/{id}/thumbnail?t=0",
    "/api/clips/{id}/filmstrip",
    "/api/clips/{id}/filmstrip.jpg",
    "/api/clips/{id}/frames",
    "/api/clips/{id}/moments",
    "/api/clips/{id}/stats",
    "/api/clips/{id}/feedback",
    "/clips/{id}",
    "/clips/{id}/coding",
    "/clips/{id}/review",
)


def rows_about(app, clip_id: int) -> dict[str, int]:
    with app.app_context():
        session = db.session()
        reviews = select(ReviewRequest.id).where(ReviewRequest.clip_id == clip_id)
        return {
            "moments": session.scalar(select(func.count(Moment.id)).where(Moment.clip_id == clip_id)),
            "reviews": session.scalar(select(func.count()).select_from(reviews.subquery())),
            "feedback": session.scalar(select(func.count(FeedbackItem.id)).where(FeedbackItem.review_id.in_(reviews))),
            "answers": session.scalar(select(func.count(ReviewAnswer.id)).where(ReviewAnswer.review_id.in_(reviews))),
            "notifications": session.scalar(
                select(func.count(Notification.id)).where(Notification.review_id.in_(reviews) | (Notification.clip_id == clip_id))
            ),
        }


def test_the_owner_deletes_a_clip_and_nothing_of_it_is_left_but_a_tombstone(app, api, browser_login, worked_clip):
    clip_id = worked_clip["id"]
    files = clip_files(app, clip_id)
    assert {
        f"clips/{clip_id}/original",
        f"clips/{clip_id}/playable.mp4",
        f"clips/{clip_id}/filmstrip.jpg",
        f"clips/{clip_id}/frames.json",
    } <= files
    assert any("/thumbs/" in path for path in files)
    assert all(rows_about(app, clip_id).values())
    others = media_tree(app) - files

    deleted = api("worker").delete(f"/api/clips/{clip_id}")
    assert deleted.status_code == 200, deleted.json
    assert deleted.json["removed"] == {
        "moments": 2,
        "reviews": 1,
        "feedback": 1,
        "answers": 1,
        "fragments": 0,
        "meeting_items": 0,
        "transcripts": 0,
        "suggestions": 0,  # a tone: nothing to suggest
    }
    wait_for_jobs(app)

    assert clip_files(app, clip_id) == set() and media_tree(app) == others
    assert not any(rows_about(app, clip_id).values())
    for who in ("worker", "supervisor"):
        for url in CLIP_ENDPOINTS:
            client = api(who) if url.startswith("/api") else browser_login(who)
            assert client.get(url.format(id=clip_id)).status_code == 404, (who, url)
    tombstones = api("worker").get(f"/api/cases/{worked_clip['case_id']}/deleted-clips").json
    assert [(t["clip_id"], t["title"], t["reason"], t["deleted_by"], t["files_removed"]) for t in tombstones] == [
        (clip_id, worked_clip["title"], "owner", "worker@example.org", True)
    ]
    with app.app_context():
        row = db.session().scalars(select(AuditEvent).where(AuditEvent.action == "clip.delete")).one()
        assert (row.object_id, row.user_email) == (clip_id, "worker@example.org")
        assert row.detail == "reason=owner answers=1 feedback=1 fragments=0 meeting_items=0 moments=2 reviews=1 suggestions=0 transcripts=0"


def test_deleting_through_the_clip_page_asks_first_and_returns_to_the_case(app, browser_login, ready_clip):
    client = browser_login("worker")
    page = client.get(f"/clips/{ready_clip['id']}").get_data(as_text=True)
    assert f'action="/clips/{ready_clip["id"]}/delete"' in page and "data-confirm=" in page and "This cannot be undone" in page
    response = client.post(f"/clips/{ready_clip['id']}/delete", data={"csrf_token": client.csrf})
    assert response.status_code == 302 and response.location.endswith(f"/cases/{ready_clip['case_id']}")
    case_page = client.get(response.location).get_data(as_text=True)
    assert "have been deleted" in case_page and "Deleted clips" in case_page and ready_clip["title"] in case_page
    wait_for_jobs(app)
    assert clip_files(app, ready_clip["id"]) == set()


def test_nobody_but_the_owner_deletes_a_clip(api, review, ready_clip):
    for who in ("other_worker", "supervisor", "trainer", "admin"):
        assert api(who).delete(f"/api/clips/{ready_clip['id']}").status_code == 404
    assert api("worker").get(f"/api/clips/{ready_clip['id']}").status_code == 200


class Stop(Exception):
    """The process stops here (as a kill would: nothing after it runs)."""


def test_a_stop_between_files_leaves_nothing_readable_and_the_next_start_finishes(app, api, worked_clip, monkeypatch):
    clip_id = worked_clip["id"]
    removed = []
    original_delete = LocalStorage.delete

    def delete_two_then_stop(self, key):
        if len(removed) == 2:
            raise Stop(key)
        original_delete(self, key)
        removed.append(key)

    monkeypatch.setattr(LocalStorage, "delete", delete_two_then_stop)
    assert api("worker").delete(f"/api/clips/{clip_id}").status_code == 200
    wait_for_jobs(app)

    left = clip_files(app, clip_id)
    assert len(removed) == 2 and left and not (left & set(removed))  # half the files are gone
    assert api("worker").get(f"/api/clips/{clip_id}").status_code == 404  # and none of the rest can be reached
    assert api("worker").get(f"/api/clips/{clip_id}/media").status_code == 404
    with app.app_context():
        assert db.session().get(ClipTombstone, clip_id).files_removed_at is None

    monkeypatch.setattr(LocalStorage, "delete", original_delete)
    assert start_background_work(app) == 1  # what `vib serve` does at start
    wait_for_jobs(app)
    assert clip_files(app, clip_id) == set()
    with app.app_context():
        assert db.session().get(ClipTombstone, clip_id).files_removed_at is not None
    assert start_background_work(app) == 0
