"""A clip over the media limits is refused at upload, with a message that names the limit, before any
picture is decoded: a 200 KB file can hold 8192 × 8192 pictures ("decompression bomb")."""

from __future__ import annotations

import av
import numpy as np
import pytest

from tests.clips.test_upload import stored_files
from vib.media import probe as media_probe


@pytest.fixture(scope="module")
def bomb(tmp_path_factory):
    """A tiny H.264 file of 8192 × 8192 black pictures, made with PyAV."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.mp4"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=25)
        stream.width = stream.height = 8192
        stream.pix_fmt = "yuv420p"
        stream.options = {"preset": "ultrafast"}
        black = av.VideoFrame.from_ndarray(np.zeros((8192, 8192, 3), np.uint8), format="rgb24")
        for _ in range(2):
            out.mux(stream.encode(black))
        out.mux(stream.encode(None))
    assert path.stat().st_size < 500_000
    return path


def test_a_picture_larger_than_the_limit_is_refused_before_decoding(app, api, case, bomb, monkeypatch):
    decoded = []
    monkeypatch.setattr(media_probe, "_first_frame", lambda path: decoded.append(path))
    response = api("worker").upload(case["id"], bomb)
    assert response.status_code == 422
    assert response.json["error"] == "The picture is too large (8192 × 8192 pixels): vib accepts at most 4096 pixels on the longest side."
    assert decoded == [] and stored_files(app) == []


def test_a_clip_longer_than_the_limit_is_refused(app, api, case, videos):
    app.config["VIB_MAX_DURATION_MINUTES"] = 0  # the 4-second test clip is over it
    response = api("worker").upload(case["id"], videos["cfr.mp4"])
    assert response.status_code == 422 and "too long" in response.json["error"] and "at most 0 minutes" in response.json["error"]
    assert stored_files(app) == []


def test_a_clip_with_more_pixels_per_second_than_the_limit_is_refused(app, api, case, videos):
    app.config["VIB_MAX_PIXELS_PER_SECOND"] = 320 * 240 * 10  # the test clip is 320 × 240 at 25 frames a second
    response = api("worker").upload(case["id"], videos["cfr.mp4"])
    assert response.status_code == 422 and "more pixels per second" in response.json["error"] and "320 × 240" in response.json["error"]
    assert stored_files(app) == []
    app.config["VIB_MAX_PIXELS_PER_SECOND"] = 320 * 240 * 30
    assert api("worker").upload(case["id"], videos["cfr.mp4"]).status_code == 201
