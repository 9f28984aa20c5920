"""A video uploaded in pieces (POST /api/uploads, PUT the pieces, POST …/finish): no request carries
more than a piece, the size and the right to upload are checked before a byte is sent, a piece that
does not continue the upload is refused with where it stands, and nothing is left of a refused file."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from tests.clips.test_upload import stored_files
from tests.conftest import wait_for_jobs
from vib.app import start_background_work
from vib.clips.models import UploadSession
from vib.core import db, storage
from vib.privacy.operations import purge_job


def begin(api, case_id, size, who="worker", **extra):
    return api(who).post("/api/uploads", json={"case_id": case_id, "size": size, **extra})


def put(api, upload, offset, data, who="worker"):
    return api(who).put(f"{upload['url']}?offset={offset}", data=data, content_type="application/octet-stream")


def test_a_video_in_three_pieces_becomes_a_clip(app, api, case, videos):
    data = videos["cfr.mp4"].read_bytes()
    app.config["VIB_UPLOAD_PIECE_BYTES"] = len(data) // 3 + 1
    upload = begin(api, case["id"], len(data), title="Home visit").json
    assert (upload["received"], upload["piece_bytes"]) == (0, len(data) // 3 + 1)
    offset = 0
    while offset < len(data):
        answer = put(api, upload, offset, data[offset : offset + upload["piece_bytes"]])
        assert answer.status_code == 200, answer.json
        offset = answer.json["received"]
    finished = api("worker").post(f"{upload['url']}/finish")
    assert finished.status_code == 201 and finished.json["title"] == "Home visit"
    wait_for_jobs(app)
    clip = api("worker").get(f"/api/clips/{finished.json['id']}").json
    assert clip["status"] == "ready" and clip["size_bytes"] == len(data)
    assert (app.config["VIB_MEDIA_DIR"] / f"clips/{clip['id']}/original").read_bytes() == data
    assert not [path for path in stored_files(app) if path.startswith("tmp/")]


def test_a_piece_that_does_not_continue_the_upload_is_refused_with_where_it_stands(app, api, case, videos):
    data = videos["cfr.mp4"].read_bytes()
    upload = begin(api, case["id"], len(data)).json
    assert put(api, upload, 0, data[:1000]).json["received"] == 1000
    again = put(api, upload, 0, data[:1000])  # a retry of a piece that did arrive
    assert again.status_code == 409 and again.json["received"] == 1000
    assert put(api, upload, 5000, data[5000:6000]).status_code == 409
    assert put(api, upload, 1000, data[1000:]).json["received"] == len(data)
    assert put(api, upload, len(data), b"more").status_code == 422  # more than announced
    assert api("worker").post(f"{upload['url']}/finish").status_code == 201


def test_a_piece_larger_than_a_piece_is_refused_before_it_is_read(app, api, case):
    app.config["VIB_UPLOAD_PIECE_BYTES"] = 1000
    upload = begin(api, case["id"], 5000).json
    assert put(api, upload, 0, b"x" * 1001).status_code == 413


@pytest.mark.parametrize(
    "size, status, words",
    [(4096 * 1024 * 1024 + 1, 413, "at most 4096 MB"), (0, 422, "size"), ("12", 422, "size"), (True, 422, "size")],
)
def test_an_upload_is_refused_before_a_byte_is_sent(app, api, case, size, status, words):
    answer = begin(api, case["id"], size)
    assert answer.status_code == status and words in answer.json["error"]
    with app.app_context():
        assert db.session().scalar(select(func.count(UploadSession.id))) == 0


def test_only_the_owner_of_a_case_uploads_to_it_and_only_the_sender_sends_pieces(api, case):
    assert begin(api, case["id"], 100, who="other_worker").status_code == 404
    assert begin(api, 999999, 100).status_code == 404
    api("worker").post(f"/api/cases/{case['id']}/close")
    assert begin(api, case["id"], 100).status_code == 403
    api("worker").post(f"/api/cases/{case['id']}/reopen")
    upload = begin(api, case["id"], 100).json
    assert put(api, upload, 0, b"x" * 10, who="other_worker").status_code == 404
    assert api("other_worker").post(f"{upload['url']}/finish").status_code == 404


def test_an_unfinished_upload_cannot_be_finished_and_a_refused_file_leaves_nothing(app, api, case):
    upload = begin(api, case["id"], 2000).json
    put(api, upload, 0, b"not a video " * 100)
    early = api("worker").post(f"{upload['url']}/finish")
    assert early.status_code == 409 and "not complete" in early.json["error"]
    put(api, upload, 1200, b"x" * 800)
    refused = api("worker").post(f"{upload['url']}/finish")
    assert refused.status_code == 415 and "not a video" in refused.json["error"]
    assert stored_files(app) == []
    assert api("worker").post(f"{upload['url']}/finish").status_code == 409  # over: start again


def test_the_daily_purge_forgets_uploads_nobody_finished(app, api, case):
    upload = begin(api, case["id"], 2000).json
    put(api, upload, 0, b"x" * 100)
    with app.app_context():
        db.session().execute(update(UploadSession).values(created_at=db.utcnow() - timedelta(days=2)))
        db.session().commit()
        purge_job(0)
        db.session().commit()
        assert db.session().scalar(select(func.count(UploadSession.id))) == 0
    assert stored_files(app) == []


def test_an_upload_in_pieces_goes_on_after_a_restart_and_stops_cleanly_when_its_bytes_are_lost(app, api, case, videos):
    data = videos["cfr.mp4"].read_bytes()
    upload = begin(api, case["id"], len(data)).json
    put(api, upload, 0, data[:1000])
    start_background_work(app)  # a restart: whole-file leftovers go, pieces stay
    assert put(api, upload, 1000, data[1000:]).json["received"] == len(data)
    assert api("worker").post(f"{upload['url']}/finish").status_code == 201

    lost = begin(api, case["id"], len(data)).json
    put(api, lost, 0, data[:1000])
    with app.app_context():
        storage.current().remove_temp_files()  # as a careless cleanup would
    answer = put(api, lost, 1000, data[1000:])
    assert answer.status_code == 409 and "interrupted" in answer.json["error"]
