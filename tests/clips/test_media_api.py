"""Playback with Range requests, frame-exact thumbnails and the filmstrip, through the API."""

import cv2
import numpy as np

from tests.conftest import wait_for_jobs
from vib.media.synth import read_index


def image(response) -> np.ndarray:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "image/jpeg"
    return cv2.imdecode(np.frombuffer(response.data, np.uint8), cv2.IMREAD_COLOR)


def test_media_answers_range_requests_for_scrubbing(api, ready_clip):
    worker = api("worker")
    whole = worker.get(f"/api/clips/{ready_clip['id']}/media")
    assert whole.status_code == 200 and whole.mimetype == "video/mp4"
    assert whole.headers["Accept-Ranges"] == "bytes"
    size = int(whole.headers["Content-Length"])
    part = worker.get(f"/api/clips/{ready_clip['id']}/media", headers={"Range": "bytes=100-1099"})
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 100-1099/{size}"
    assert part.data == whole.data[100:1100]
    tail = worker.get(f"/api/clips/{ready_clip['id']}/media", headers={"Range": f"bytes={size - 10}-"})
    assert tail.status_code == 206 and len(tail.data) == 10
    beyond = worker.get(f"/api/clips/{ready_clip['id']}/media", headers={"Range": f"bytes={size + 10}-"})
    assert beyond.status_code == 416


def test_thumbnail_shows_the_frame_on_screen_at_t(api, ready_clip):
    worker = api("worker")
    for t, index in [(0, 0), (39, 0), (40, 1), (1999, 49), (2000, 50), (4000, 99)]:
        picture = image(worker.get(f"/api/clips/{ready_clip['id']}/thumbnail?t={t}&w=160"))
        assert picture.shape[:2] == (120, 160)
        assert read_index(picture) == index, f"t={t}"


def test_thumbnail_defaults_to_320_wide_and_is_cached(app, api, ready_clip):
    picture = image(api("worker").get(f"/api/clips/{ready_clip['id']}/thumbnail?t=1000"))
    assert picture.shape[1] == 320
    assert (app.config["VIB_MEDIA_DIR"] / f"clips/{ready_clip['id']}/thumbs/320/1000.jpg").exists()


def test_thumbnails_of_a_rotated_clip_are_upright(app, api, case, videos):
    clip_id = api("worker").upload(case["id"], videos["rotated.mp4"]).json["id"]
    wait_for_jobs(app)
    picture = image(api("worker").get(f"/api/clips/{clip_id}/thumbnail?t=1000&w=160"))
    assert picture.shape[:2] == (120, 160)
    assert read_index(picture) == 25


def test_bad_thumbnail_requests_get_400(api, ready_clip):
    worker = api("worker")
    for query in ["", "t=abc", "t=-1", "t=4001", "t=0&w=5", "t=0&w=5000"]:
        response = worker.get(f"/api/clips/{ready_clip['id']}/thumbnail?{query}")
        assert response.status_code == 400, query
        assert response.json["error"]


def test_filmstrip_index_and_sprite(api, ready_clip):
    worker = api("worker")
    strip = worker.get(f"/api/clips/{ready_clip['id']}/filmstrip").json
    assert strip["ready"] is True
    assert strip["times_ms"] == [0, 1000, 2000, 3000]
    sprite = image(worker.get(strip["sprite_url"]))
    assert sprite.shape[:2] == (strip["tile_height"], 4 * strip["tile_width"])
    third = sprite[:, 2 * strip["tile_width"] : 3 * strip["tile_width"]]
    assert read_index(third) == 50


def test_media_of_a_clip_still_processing_answers_409(app, api, case, videos, monkeypatch):
    monkeypatch.setattr(app.extensions["vib.jobs"], "enqueue", lambda name, object_id: None)  # nothing gets processed
    clip_id = api("worker").upload(case["id"], videos["cfr.mp4"]).json["id"]
    worker = api("worker")
    assert worker.get(f"/api/clips/{clip_id}").json["status"] == "processing"
    for url in ("media", "thumbnail?t=0", "filmstrip"):
        response = worker.get(f"/api/clips/{clip_id}/{url}")
        assert response.status_code == 409 and "not ready" in response.json["error"]


def test_withdrawing_analysis_consent_stops_watching_at_once(api, browser_login, case, ready_clip):
    worker = api("worker")
    worker.post(f"/api/cases/{case['id']}/consents/withdraw", json={"person": "father", "purposes": ["analysis"]})
    for url in ("media", "thumbnail?t=0", "filmstrip", "filmstrip.jpg"):
        refused = worker.get(f"/api/clips/{ready_clip['id']}/{url}")
        assert refused.status_code == 403, url
        assert "withdrawn (father)" in refused.json["error"]
    facts = worker.get(f"/api/clips/{ready_clip['id']}").json
    assert facts["status"] == "ready" and "withdrawn" in facts["media_refusal"]
    page = browser_login("worker").get(f"/clips/{ready_clip['id']}").get_data(as_text=True)
    assert "can no longer be watched" in page and "<video" not in page
    case_page = browser_login("worker").get(f"/cases/{case['id']}").get_data(as_text=True)
    assert '<img class="poster"' not in case_page  # no posters either
    # Consent given again: the clip can be watched again.
    worker.post(
        f"/api/cases/{case['id']}/consents", json={"person": "father", "role": "parent", "purposes": ["analysis"], "date": "2026-01-05"}
    )
    assert worker.get(f"/api/clips/{ready_clip['id']}/media").status_code == 200
