"""A video uploaded in pieces with tus 1.0 (/api/tus): creation, offsets, checksums, termination and
expiration; the consent gate and the size at creation, the content when the last byte lands; nothing is
left of a refused or abandoned upload."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
from sqlalchemy import func, select, update

from tests.clips.test_upload import stored_files
from tests.conftest import wait_for_jobs
from vib.app import start_background_work
from vib.clips.models import Clip, UploadSession
from vib.core import db, storage
from vib.privacy.operations import purge_job

TUS = {"Tus-Resumable": "1.0.0"}
PIECE = "application/offset+octet-stream"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def create(api, case_id, size, who="worker", title=None, headers=None):
    metadata = f"case_id {b64(str(case_id))},filename {b64('Fam Jansen 3.mp4')}" + (f",title {b64(title)}" if title else "")
    return api(who).post("/api/tus", headers={**TUS, "Upload-Length": str(size), "Upload-Metadata": metadata, **(headers or {})})


def patch(api, url, offset, data, who="worker", headers=None):
    return api(who).patch(url, data=data, headers={**TUS, "Content-Type": PIECE, "Upload-Offset": str(offset), **(headers or {})})


def head(api, url, who="worker"):
    return api(who).head(url, headers=TUS)


def count(app, model) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(model))


def temp_files(app) -> list[str]:
    return [path for path in stored_files(app) if path.startswith("tmp/")]


def sha1(data: bytes) -> str:
    return "sha1 " + base64.b64encode(hashlib.sha1(data).digest()).decode()


def test_the_server_says_what_it_speaks(app, api):
    answer = api(None).options("/api/tus")
    assert answer.status_code == 204
    assert answer.headers["Tus-Resumable"] == answer.headers["Tus-Version"] == "1.0.0"
    assert set(answer.headers["Tus-Extension"].split(",")) == {"creation", "termination", "expiration", "checksum"}
    assert int(answer.headers["Tus-Max-Size"]) == app.config["VIB_MAX_UPLOAD_MB"] * 1024 * 1024
    assert "sha1" in answer.headers["Tus-Checksum-Algorithm"].split(",")


def test_a_video_sent_in_pieces_becomes_a_clip_when_its_last_byte_lands(app, api, case, videos):
    data = videos["cfr.mp4"].read_bytes()
    created = create(api, case["id"], len(data), title="Home visit")
    assert created.status_code == 201 and created.headers["Tus-Resumable"] == "1.0.0"
    url = created.headers["Location"]
    assert url.startswith("/api/tus/")
    expires = parsedate_to_datetime(created.headers["Upload-Expires"])  # an RFC 7231 date
    assert abs(expires - (datetime.now(UTC) + timedelta(hours=24))) < timedelta(minutes=1)

    state = head(api, url)
    assert state.status_code == 200 and state.headers["Upload-Offset"] == "0" and state.headers["Upload-Length"] == str(len(data))
    assert state.headers["Cache-Control"] == "no-store"
    third = len(data) // 3 + 1
    for offset in (0, third):
        answer = patch(api, url, offset, data[offset : offset + third])
        assert answer.status_code == 204 and answer.headers["Upload-Offset"] == str(offset + third)
        assert "Vib-Clip-Id" not in answer.headers
    assert head(api, url).headers["Upload-Offset"] == str(2 * third)
    assert count(app, Clip) == 0  # not before the last byte

    last = patch(api, url, 2 * third, data[2 * third :])
    assert last.status_code == 204 and last.headers["Upload-Offset"] == str(len(data))
    clip_id = int(last.headers["Vib-Clip-Id"])
    assert last.headers["Vib-Clip-Url"] == f"/clips/{clip_id}"
    wait_for_jobs(app)
    clip = api("worker").get(f"/api/clips/{clip_id}").json
    assert clip["status"] == "ready" and clip["title"] == "Home visit" and clip["size_bytes"] == len(data)
    assert (app.config["VIB_MEDIA_DIR"] / f"clips/{clip_id}/original").read_bytes() == data
    assert "Jansen" not in str(clip)  # the file name is never kept
    assert temp_files(app) == [] and count(app, UploadSession) == 0
    assert head(api, url).status_code == 404  # done: the upload is gone


def test_a_piece_must_continue_where_the_upload_stands(app, api, case):
    url = create(api, case["id"], 5000).headers["Location"]
    assert patch(api, url, 0, b"x" * 1000).headers["Upload-Offset"] == "1000"
    again = patch(api, url, 0, b"x" * 1000)  # a retry of a piece that did arrive
    assert again.status_code == 409 and again.json["received"] == 1000 and "byte 1000" in again.json["error"]
    assert patch(api, url, 3000, b"x" * 10).status_code == 409
    assert patch(api, url, 1000, b"x" * 4001).status_code == 413  # more than announced: not kept
    assert head(api, url).headers["Upload-Offset"] == "1000"
    with app.app_context():
        assert storage.current().temp_size(f"upload-session-{url.rsplit('/', 1)[1]}") == 1000


def test_a_piece_larger_than_a_piece_is_refused_before_it_is_read(app, api, case):
    app.config["VIB_UPLOAD_PIECE_BYTES"] = 1000
    url = create(api, case["id"], 5000).headers["Location"]
    assert patch(api, url, 0, b"x" * 1001).status_code == 413
    assert patch(api, url, 0, b"x" * 1000).status_code == 204


def test_every_request_names_the_protocol_version(api, case):
    missing = api("worker").post("/api/tus", headers={"Upload-Length": "10", "Upload-Metadata": f"case_id {b64(str(case['id']))}"})
    assert missing.status_code == 412 and missing.headers["Tus-Version"] == "1.0.0" and "Tus-Resumable" in missing.json["error"]
    url = create(api, case["id"], 100).headers["Location"]
    assert api("worker").head(url).status_code == 412
    assert api("worker").patch(url, data=b"x", headers={"Content-Type": PIECE, "Upload-Offset": "0"}).status_code == 412
    assert api("worker").delete(url, headers={"Tus-Resumable": "0.2.2"}).status_code == 412


def test_a_piece_of_another_content_type_is_refused(api, case):
    url = create(api, case["id"], 100).headers["Location"]
    answer = patch(api, url, 0, b"x" * 10, headers={"Content-Type": "application/octet-stream"})
    assert answer.status_code == 415 and PIECE in answer.json["error"]
    assert head(api, url).headers["Upload-Offset"] == "0"


def test_a_piece_with_a_wrong_checksum_is_not_kept(app, api, case):
    url = create(api, case["id"], 100).headers["Location"]
    assert patch(api, url, 0, b"a" * 50, headers={"Upload-Checksum": sha1(b"a" * 50)}).status_code == 204
    damaged = patch(api, url, 50, b"b" * 50, headers={"Upload-Checksum": sha1(b"c" * 50)})
    assert damaged.status_code == 460 and "checksum" in damaged.json["error"]
    assert head(api, url).headers["Upload-Offset"] == "50"
    with app.app_context():
        assert storage.current().temp_path(f"upload-session-{url.rsplit('/', 1)[1]}").read_bytes() == b"a" * 50
    unknown = patch(api, url, 50, b"b" * 50, headers={"Upload-Checksum": "crc32 AAAAAA=="})
    assert unknown.status_code == 400 and "sha1" in unknown.json["error"]


def test_the_sender_ends_an_upload_and_its_bytes_go(app, api, case):
    url = create(api, case["id"], 100).headers["Location"]
    patch(api, url, 0, b"x" * 10)
    assert temp_files(app)
    assert api("other_worker").delete(url, headers=TUS).status_code == 404
    ended = api("worker").delete(url, headers=TUS)
    assert ended.status_code == 204 and ended.headers["Tus-Resumable"] == "1.0.0"
    assert temp_files(app) == [] and count(app, UploadSession) == 0
    assert head(api, url).status_code == 404


def test_only_the_sender_reaches_an_upload(api, case):
    url = create(api, case["id"], 100).headers["Location"]
    for who in ("other_worker", "supervisor", "admin"):
        assert head(api, url, who=who).status_code == 404
        assert patch(api, url, 0, b"x", who=who).status_code == 404
    assert head(api, "/api/tus/999999").status_code == 404
    assert create(api, case["id"], 100, who="other_worker").status_code == 404
    assert api(None).post("/api/tus", headers={**TUS, "Upload-Length": "10"}).status_code == 401


def test_a_case_that_takes_no_uploads_refuses_at_creation(app, api, case):
    api("worker").post(f"/api/cases/{case['id']}/close")
    closed = create(api, case["id"], 100)
    assert closed.status_code == 403 and closed.json["error"]
    api("worker").post(f"/api/cases/{case['id']}/reopen")
    api("worker").post(f"/api/cases/{case['id']}/consents/withdraw", json={"person": "father", "purposes": ["analysis"]})
    withdrawn = create(api, case["id"], 100)
    assert withdrawn.status_code == 403 and "consent" in withdrawn.json["error"].lower()
    assert count(app, UploadSession) == 0


@pytest.mark.parametrize(
    "length, status, words",
    [(str(4096 * 1024 * 1024 + 1), 413, "at most 4096 MB"), ("0", 422, "empty"), ("-5", 400, "Upload-Length"), ("", 400, "Upload-Length")],
)
def test_an_upload_is_refused_before_a_byte_is_sent(app, api, case, length, status, words):
    answer = create(api, case["id"], length)
    assert answer.status_code == status and words in answer.json["error"]
    assert count(app, UploadSession) == 0


@pytest.mark.parametrize("metadata", ["", "title " + b64("x"), "case_id !!!", f"case_id {b64('abc')}"])
def test_creation_needs_a_case_in_the_metadata(app, api, metadata):
    answer = api("worker").post("/api/tus", headers={**TUS, "Upload-Length": "10", "Upload-Metadata": metadata})
    assert answer.status_code == 400 and answer.json["error"]


@pytest.mark.parametrize("name, words", [("letter.mp4", "not a video"), ("cut_off.mp4", "incomplete"), ("tone.m4a", "only sound")])
def test_a_refused_video_is_refused_at_its_last_byte_and_leaves_nothing(app, api, case, videos, name, words):
    data = videos[name].read_bytes()
    url = create(api, case["id"], len(data)).headers["Location"]
    half = len(data) // 2
    assert patch(api, url, 0, data[:half]).status_code == 204
    refused = patch(api, url, half, data[half:])
    assert refused.status_code == 422 and words in refused.json["error"]
    assert refused.headers["Tus-Resumable"] == "1.0.0"
    assert stored_files(app) == [] and count(app, UploadSession) == 0 and count(app, Clip) == 0
    assert head(api, url).status_code == 404


def test_a_video_over_the_limits_is_refused_at_its_last_byte(app, api, case, videos):
    app.config["VIB_MAX_SIDE_PX"] = 100
    data = videos["cfr.mp4"].read_bytes()
    url = create(api, case["id"], len(data)).headers["Location"]
    refused = patch(api, url, 0, data)
    assert refused.status_code == 422 and "too large" in refused.json["error"]
    assert stored_files(app) == [] and count(app, UploadSession) == 0 and count(app, Clip) == 0


def test_consent_withdrawn_during_an_upload_refuses_it_at_its_last_byte(app, api, case):
    url = create(api, case["id"], 20).headers["Location"]
    patch(api, url, 0, b"x" * 10)
    api("worker").post(f"/api/cases/{case['id']}/consents/withdraw", json={"person": "father", "purposes": ["analysis"]})
    refused = patch(api, url, 10, b"x" * 10)
    assert refused.status_code == 403 and stored_files(app) == [] and count(app, UploadSession) == 0


def expire(app):
    with app.app_context():
        db.session().execute(update(UploadSession).values(created_at=db.utcnow() - timedelta(hours=24, seconds=1)))
        db.session().commit()


def test_an_expired_upload_is_gone(app, api, case):
    url = create(api, case["id"], 100).headers["Location"]
    patch(api, url, 0, b"x" * 10)
    expire(app)
    assert head(api, url).status_code == 410
    assert temp_files(app) == [] and count(app, UploadSession) == 0  # deleted at once, not only by the purge
    assert patch(api, url, 10, b"x" * 10).status_code == 404

    other = create(api, case["id"], 100).headers["Location"]
    patch(api, other, 0, b"x" * 10)
    expire(app)
    gone = patch(api, other, 10, b"x" * 10)
    assert gone.status_code == 410 and "within a day" in gone.json["error"]
    assert temp_files(app) == [] and count(app, UploadSession) == 0


def test_the_daily_purge_deletes_uploads_past_their_day_and_spares_younger_ones(app, api, case):
    old = create(api, case["id"], 2000).headers["Location"]
    patch(api, old, 0, b"x" * 100)
    expire(app)
    young = create(api, case["id"], 2000).headers["Location"]
    patch(api, young, 0, b"y" * 100)
    with app.app_context():
        purge_job(0)
        db.session().commit()
    assert count(app, UploadSession) == 1
    assert temp_files(app) == [f"tmp/upload-session-{young.rsplit('/', 1)[1]}"]
    assert head(api, young).headers["Upload-Offset"] == "100"


def test_an_upload_goes_on_after_a_restart_and_stops_cleanly_when_its_bytes_are_lost(app, api, case, videos):
    data = videos["cfr.mp4"].read_bytes()
    url = create(api, case["id"], len(data)).headers["Location"]
    patch(api, url, 0, data[:1000])
    start_background_work(app)  # a restart: whole-file leftovers go, uploads in pieces stay
    assert head(api, url).headers["Upload-Offset"] == "1000"
    assert patch(api, url, 1000, data[1000:]).headers["Vib-Clip-Id"]

    lost = create(api, case["id"], len(data)).headers["Location"]
    patch(api, lost, 0, data[:1000])
    with app.app_context():
        storage.current().remove_temp_files()  # as a careless cleanup would
    answer = patch(api, lost, 1000, data[1000:])
    assert answer.status_code == 410 and "interrupted" in answer.json["error"]
    assert head(api, lost).status_code == 404


def test_two_requests_never_send_to_one_upload_at_once(app, api, case):
    url = create(api, case["id"], 100).headers["Location"]
    with app.app_context():
        held = storage.current().lock_temp(f"upload-session-{url.rsplit('/', 1)[1]}")
    try:
        busy = patch(api, url, 0, b"x" * 10)
        assert busy.status_code == 423 and head(api, url).headers["Upload-Offset"] == "0"
        stopping = api("worker").delete(url, headers=TUS)  # nor stops it while a piece is being written
        assert stopping.status_code == 423 and head(api, url).status_code == 200
    finally:
        held.release()
    assert patch(api, url, 0, b"x" * 10).status_code == 204
    assert api("worker").delete(url, headers=TUS).status_code == 204 and head(api, url).status_code == 404


def test_a_logged_in_page_sends_with_its_csrf_token(browser_login, case):
    client = browser_login("worker")
    metadata = f"case_id {b64(str(case['id']))}"
    refused = client.post("/api/tus", headers={**TUS, "Upload-Length": "10", "Upload-Metadata": metadata})
    assert refused.status_code == 400 and refused.headers["Tus-Resumable"] == "1.0.0"
    created = client.post("/api/tus", headers={**TUS, "Upload-Length": "10", "Upload-Metadata": metadata, "X-CSRFToken": client.csrf})
    assert created.status_code == 201
    url = created.headers["Location"]
    assert client.head(url, headers=TUS).headers["Upload-Offset"] == "0"
    sent = client.patch(url, data=b"x" * 5, headers={**TUS, "Content-Type": PIECE, "Upload-Offset": "0", "X-CSRFToken": client.csrf})
    assert sent.status_code == 204
