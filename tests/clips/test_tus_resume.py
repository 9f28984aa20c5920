"""The fault the resumable upload exists for: an upload cut off half-way goes on where it stopped, sent
by an independent tus client (tuspy) to vib served as `vib serve` serves it (waitress)."""

from __future__ import annotations

import hashlib
import threading

import pytest
import waitress
from sqlalchemy import select

from tests.conftest import wait_for_jobs
from vib.cli import waitress_settings
from vib.clips.models import Clip, UploadSession
from vib.core import db, jobs

tusclient = pytest.importorskip("tusclient.client", reason="tuspy is not installed (pip install -e '.[test]')")


@pytest.fixture
def served(app):
    server = waitress.create_server(app, host="127.0.0.1", port=0, **waitress_settings(app))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_an_upload_cut_off_half_way_resumes_and_makes_one_identical_clip(app, people, case, videos, served, monkeypatch):
    queued = []
    enqueue = jobs.enqueue_after_commit
    monkeypatch.setattr(
        jobs, "enqueue_after_commit", lambda session, name, object_id: (queued.append(name), enqueue(session, name, object_id))
    )
    data = videos["long_gop.mp4"].read_bytes()
    piece = len(data) // 10 + 1
    client = tusclient.TusClient(f"{served}/api/tus", headers={"Authorization": f"Bearer {people['worker'].token}"})
    metadata = {"case_id": str(case["id"]), "title": "Cut off", "filename": "family.mp4"}

    first = client.uploader(str(videos["long_gop.mp4"]), chunk_size=piece, metadata=metadata, upload_checksum=True)
    while first.offset < len(data) // 2:  # then the connection breaks: this client is gone
        first.upload_chunk()
    with app.app_context():
        assert db.session().scalar(select(UploadSession.received_bytes)) == first.offset
        assert db.session().scalars(select(Clip)).all() == []

    # Later (another client, the same upload's URL): it asks the server where the upload stands.
    again = client.uploader(str(videos["long_gop.mp4"]), url=first.url, chunk_size=piece, upload_checksum=True)
    assert again.offset == first.offset > 0
    again.upload()
    clip_id = int(again.request.response_headers["vib-clip-id"])  # tuspy lowercases the names
    wait_for_jobs(app)

    with app.app_context():
        clips = db.session().scalars(select(Clip)).all()
        assert [c.id for c in clips] == [clip_id] and clips[0].status == "ready" and clips[0].title == "Cut off"
        stored = (app.config["VIB_MEDIA_DIR"] / clips[0].original_key).read_bytes()
        assert db.session().scalars(select(UploadSession)).all() == []
    assert sha256(stored) == sha256(data)
    assert queued.count("process_clip") == 1
