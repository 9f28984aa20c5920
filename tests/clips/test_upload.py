"""Uploading a clip: checked by content, processed in the background, nothing left of a refused file."""

import pytest
from sqlalchemy import func, select

from tests.conftest import upload_and_process, wait_for_jobs
from tests.days import organisation_today
from tests.videos import files_below
from vib.core import db
from vib.core.db import Base


def stored_files(app) -> list[str]:
    """Every file in the media folder (temporary upload files included)."""
    return files_below(app.config["VIB_MEDIA_DIR"])


def test_a_phone_recording_becomes_a_ready_clip(app, api, case, videos):
    response = api("worker").upload(case["id"], videos["phone.mp4"], title="Home visit 3")
    assert response.status_code == 201
    assert response.json["status"] == "processing"
    wait_for_jobs(app)
    clip = api("worker").get(f"/api/clips/{response.json['id']}").json
    assert clip["status"] == "ready" and clip["error"] is None
    assert clip["title"] == "Home visit 3"
    assert clip["case_id"] == case["id"]
    assert clip["duration_ms"] == 3000
    assert (clip["width"], clip["height"], clip["rotation"]) == (320, 240, 0)
    assert clip["fps"] == 25.0 and clip["variable_frame_rate"] is False
    assert (clip["has_audio"], clip["video_codec"], clip["audio_codec"]) == (True, "h264", "aac")
    assert clip["filmstrip_ready"] is True
    assert stored_files(app) == [f"clips/{clip['id']}/{name}" for name in ("filmstrip.jpg", "filmstrip.json", "original", "playable.mp4")]


def row_counts(app) -> dict[str, int]:
    with app.app_context():
        return {table.name: db.session().scalar(select(func.count()).select_from(table)) for table in Base.metadata.sorted_tables}


def test_the_ready_clip_of_the_tests_is_what_an_upload_makes(app, api, case, ready_clip, videos):
    """Most tests get their clip as a copy of one processed once per run (the `ready_clip` fixture):
    an upload of the same video now leaves the same clip, the same files, audit row and analysis of its
    sound, and no other rows."""
    before = row_counts(app)
    uploaded = upload_and_process(app, api("worker"), case["id"], videos["cfr.mp4"])
    one_more = ("clips", "audit_events", "audio_analyses")  # the clip, its upload's audit row, its sound's analysis
    assert row_counts(app) == {**before, **{table: before[table] + 1 for table in one_more}}
    assert (ready_clip["title"], uploaded["title"]) == ("Recording 1", "Recording 2")
    assert (ready_clip["cycle"], uploaded["cycle"]) == (1, 2)  # the second clip of the case starts cycle 2
    per_clip = {"id", "title", "created_at", "page_url", "cycle"}
    assert {k: v for k, v in uploaded.items() if k not in per_clip} == {k: v for k, v in ready_clip.items() if k not in per_clip}
    media = app.config["VIB_MEDIA_DIR"]
    copied, made = (media / f"clips/{clip['id']}" for clip in (ready_clip, uploaded))
    assert files_below(copied) == files_below(made)
    for name in files_below(made):
        assert (copied / name).read_bytes() == (made / name).read_bytes(), name
    sound = [api("worker").get(f"/api/clips/{clip['id']}/audio/envelope").json for clip in (ready_clip, uploaded)]
    assert [{**s, "clip_id": None} for s in sound[:1]] == [{**s, "clip_id": None} for s in sound[1:]]


@pytest.mark.parametrize(
    "name", ["hevc.mov", "vp9.webm", "mjpeg.avi", "old_phone.3gp", "camcorder.ts", "flash.flv", "vfr.mp4", "rotated.mp4"]
)
def test_other_recordings_are_converted_and_become_ready(app, api, case, videos, name):
    response = api("worker").upload(case["id"], videos[name])
    assert response.status_code == 201, response.json
    wait_for_jobs(app)
    assert api("worker").get(f"/api/clips/{response.json['id']}").json["status"] == "ready"


def test_clip_gets_a_neutral_title_when_none_is_given(app, api, case, videos):
    response = api("worker").upload(case["id"], videos["cfr.mp4"], filename="Jansen family.mp4")
    assert response.json["title"] == "Recording 1"  # never the file name, which may name the family


@pytest.mark.parametrize(
    "name, status, words",
    [
        ("empty.mp4", 422, "empty"),
        ("random.mp4", 415, "not a video"),
        ("letter.mp4", 415, "not a video"),
        ("tone.m4a", 415, "only sound"),
        ("cut_off.mp4", 422, "incomplete"),
        ("cut_off.webm", 422, "incomplete"),
        ("cut_off_phone.mp4", 415, "not completely copied"),
    ],
)
def test_bad_files_get_a_clear_error_and_leave_nothing_behind(app, api, case, videos, name, status, words):
    response = api("worker").upload(case["id"], videos[name])
    assert response.status_code == status
    assert words in response.json["error"]
    assert api("worker").get("/api/clips").json == []
    assert stored_files(app) == []


@pytest.fixture
def small_limit_app(app):
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    app.config["VIB_MAX_UPLOAD_MB"] = 0
    return app


def test_uploads_over_the_size_limit_get_413(small_limit_app, api, case, videos):
    response = api("worker").upload(case["id"], videos["cfr.mp4"])
    assert response.status_code == 413
    assert "too large" in response.json["error"]
    assert api("worker").get("/api/clips").json == []
    assert stored_files(small_limit_app) == []


def test_upload_needs_a_file_and_a_case(api, case):
    worker = api("worker")
    no_file = worker.post("/api/clips", data={"case_id": str(case["id"])}, content_type="multipart/form-data")
    assert no_file.status_code == 400 and "video file" in no_file.json["error"]
    no_case = worker.post("/api/clips", data={}, content_type="multipart/form-data")
    assert no_case.status_code == 400 and "case" in no_case.json["error"]


def test_upload_is_refused_until_everyone_consented_to_analysis(app, api, videos):
    worker = api("worker")
    case_id = worker.post("/api/cases", json={"code": "C-2", "learning_question": "How do I wait?"}).json["id"]
    nobody = worker.upload(case_id, videos["cfr.mp4"])
    assert nobody.status_code == 403 and "consent" in nobody.json["error"]
    today = organisation_today().isoformat()
    worker.post(f"/api/cases/{case_id}/consents", json={"person": "mother", "role": "parent", "purposes": ["analysis"], "date": today})
    worker.post(f"/api/cases/{case_id}/consents", json={"person": "child 14y", "role": "child", "purposes": ["supervision"], "date": today})
    partly = worker.upload(case_id, videos["cfr.mp4"])
    assert partly.status_code == 403 and "child 14y" in partly.json["error"]
    worker.post(f"/api/cases/{case_id}/consents", json={"person": "Child 14y", "role": "child", "purposes": ["analysis"], "date": today})
    assert worker.upload(case_id, videos["cfr.mp4"]).status_code == 201
    worker.post(f"/api/cases/{case_id}/consents/withdraw", json={"person": "mother", "purposes": ["analysis"]})
    withdrawn = worker.upload(case_id, videos["cfr.mp4"])
    assert withdrawn.status_code == 403 and "mother" in withdrawn.json["error"]
    wait_for_jobs(app)
    assert len(worker.get("/api/clips").json) == 1
    assert [f for f in stored_files(app) if f.startswith("tmp/")] == []


def test_upload_through_the_page_form_works_without_javascript(app, browser_login, case, videos):
    client = browser_login("worker")
    with open(videos["cfr.mp4"], "rb") as f:
        response = client.post(
            f"/cases/{case['id']}/clips", data={"file": (f, "x.mp4"), "csrf_token": client.csrf}, content_type="multipart/form-data"
        )
    assert response.status_code == 302 and "/clips/" in response.location
    with open(videos["letter.mp4"], "rb") as f:
        refused = client.post(
            f"/cases/{case['id']}/clips",
            data={"file": (f, "x.mp4"), "csrf_token": client.csrf},
            content_type="multipart/form-data",
            follow_redirects=True,
        )
    assert "not a video" in refused.get_data(as_text=True)


def test_the_upload_streams_to_a_file_in_the_media_folder_and_is_moved_not_copied(app, api, case, videos, monkeypatch):
    from vib.clips import operations

    received = {}
    original = operations.upload

    def spy(session, case_, by, file_path, title=None):
        received["path"] = file_path
        received["inode"] = file_path.stat().st_ino
        return original(session, case_, by, file_path, title)

    monkeypatch.setattr(operations, "upload", spy)
    clip = api("worker").upload(case["id"], videos["cfr.mp4"]).json
    assert received["path"].parent == app.config["VIB_MEDIA_DIR"] / "tmp"
    stored = app.config["VIB_MEDIA_DIR"] / f"clips/{clip['id']}/original"
    assert stored.stat().st_ino == received["inode"]  # renamed into place: the bytes were written once
    assert stored.read_bytes() == videos["cfr.mp4"].read_bytes()


def test_only_the_upload_routes_accept_large_bodies(app, api, browser_login):
    big = {"code": "C-9", "learning_question": "x" * (2 * 1024 * 1024)}
    response = api("worker").post("/api/cases", json=big)
    assert response.status_code == 413 and response.json["error"] == "The request is too large."
    login = app.test_client().post("/login", data={"email": "a@b.c", "password": "x" * (2 * 1024 * 1024)})
    assert login.status_code == 413


def test_an_upload_is_in_the_audit_log_and_a_refused_one_is_not(app, api, people, case, videos):
    from vib.core.audit import AuditEvent

    worker = api("worker")
    assert worker.upload(case["id"], videos["letter.mp4"]).status_code == 415
    clip = worker.upload(case["id"], videos["cfr.mp4"]).json
    wait_for_jobs(app)
    with app.app_context():
        rows = db.session().scalars(select(AuditEvent).where(AuditEvent.action == "clip.upload")).all()
        assert [(row.user_id, row.object_type, row.object_id, row.role) for row in rows] == [
            (people["worker"].id, "clip", clip["id"], "worker")
        ]
        assert rows[0].detail == f"bytes={videos['cfr.mp4'].stat().st_size}"
