"""Background processing: state in the database, failures explained, restarts recovered."""

import pytest

from tests.conftest import wait_for_jobs
from vib.app import start_background_work
from vib.clips import operations
from vib.clips.models import Clip
from vib.core import db


@pytest.fixture
def upload_then_die(app, api, case, videos, monkeypatch):
    """Upload a clip whose job is lost, as when the process stops before running it."""

    def upload(name):
        with monkeypatch.context() as patch:
            patch.setattr(app.extensions["vib.jobs"], "enqueue", lambda name, object_id: None)
            return api("worker").upload(case["id"], videos[name]).json["id"]

    return upload


def test_a_job_interrupted_by_a_restart_is_picked_up_at_start(app, api, upload_then_die):
    clip_id = upload_then_die("hevc.mov")
    half_written = app.config["VIB_MEDIA_DIR"] / f"clips/{clip_id}/.playable.mp4.abc123.mp4"
    half_written.write_bytes(b"the process stopped while writing this")
    assert api("worker").get(f"/api/clips/{clip_id}").json["status"] == "processing"
    assert start_background_work(app) == 1
    wait_for_jobs(app)
    clip = api("worker").get(f"/api/clips/{clip_id}").json
    assert clip["status"] == "ready" and clip["filmstrip_ready"] is True
    assert not half_written.exists()


def test_a_clip_whose_filmstrip_was_interrupted_gets_it_at_start(app, api, uploaded_clip):
    with app.app_context():
        db.session().get(Clip, uploaded_clip["id"]).filmstrip_ready = False
        db.session().commit()
    assert start_background_work(app) == 1
    wait_for_jobs(app)
    assert api("worker").get(f"/api/clips/{uploaded_clip['id']}").json["filmstrip_ready"] is True


def test_a_file_that_cannot_be_converted_fails_with_a_readable_reason(app, api, upload_then_die):
    clip_id = upload_then_die("hevc.mov")
    original = app.config["VIB_MEDIA_DIR"] / f"clips/{clip_id}/original"
    original.write_bytes(original.read_bytes()[:3000])  # damaged on disk after the upload
    start_background_work(app)
    wait_for_jobs(app)
    clip = api("worker").get(f"/api/clips/{clip_id}").json
    assert clip["status"] == "failed"
    assert clip["error"] == "The video could not be converted into a playable version."
    assert not (app.config["VIB_MEDIA_DIR"] / f"clips/{clip_id}/playable.mp4").exists()


def test_progress_is_recorded_while_transcoding(app, api, case, videos, monkeypatch):
    saved = []
    original = operations._progress_saver

    def spy(clip):
        save = original(clip)

        def save_and_look(fraction):
            save(fraction)
            other = db.new_session()  # what another request sees while the job is still running
            try:
                saved.append(other.get(Clip, clip.id).progress)
            finally:
                other.close()

        return save_and_look

    monkeypatch.setattr(operations, "_progress_saver", spy)
    api("worker").upload(case["id"], videos["vp9.webm"])
    wait_for_jobs(app)
    assert len(set(saved)) > 3 and saved == sorted(saved) and max(saved) <= 99


def test_a_failed_filmstrip_is_reported_and_not_retried_forever(app, api, case, videos, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    app.config["VIB_JOB_ISOLATION"] = False  # the replacement works in this process only
    monkeypatch.setattr(operations.media_filmstrip, "make_filmstrip", broken)
    clip_id = api("worker").upload(case["id"], videos["cfr.mp4"]).json["id"]
    wait_for_jobs(app)
    clip = api("worker").get(f"/api/clips/{clip_id}").json
    assert clip["status"] == "ready" and clip["filmstrip_failed"] is True
    strip = api("worker").get(f"/api/clips/{clip_id}/filmstrip")
    assert strip.status_code == 404 and "without one" in strip.json["error"]
    assert start_background_work(app) == 0
