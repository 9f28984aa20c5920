"""VIB_MEDIA_ACCEL: vib checks access and the front server (nginx, X-Accel-Redirect to an `internal`
location aliasing the media folder) sends the bytes. Unset, vib sends them itself."""

from pathlib import Path, PurePosixPath
from urllib.parse import unquote

import pytest

from tests.conftest import APP_CONFIG
from vib import create_app
from vib.core import storage

PREFIX = "/protected-media/"


@pytest.fixture
def accel(app):
    app.config["VIB_MEDIA_ACCEL"] = PREFIX
    storage.init_app(app)  # the setting is read when storage starts, as in create_app
    return app


def media_file(app, response) -> Path:
    """The file an X-Accel-Redirect names, as nginx's `alias` of the media folder maps it."""
    target = response.headers["X-Accel-Redirect"]
    assert target.startswith(PREFIX)
    key = unquote(target.removeprefix(PREFIX))
    assert ".." not in PurePosixPath(key).parts and not key.startswith("/")
    media_dir = app.config["VIB_MEDIA_DIR"].resolve()
    path = (media_dir / key).resolve()
    assert media_dir in path.parents and path.is_file()
    return path


def test_the_owners_media_is_handed_to_the_front_server(app, api, ready_clip):
    url = f"/api/clips/{ready_clip['id']}/media"
    video = api("worker").get(url).data  # as vib itself sends it, before the setting
    app.config["VIB_MEDIA_ACCEL"] = PREFIX
    storage.init_app(app)
    answer = api("worker").get(url)
    assert answer.status_code == 200
    assert answer.data == b""
    assert answer.mimetype == "video/mp4"
    assert answer.headers["Cache-Control"] == "private, no-store"
    assert answer.headers["Content-Disposition"] == "inline"
    assert media_file(app, answer).read_bytes() == video


def test_a_range_request_is_left_to_the_front_server(accel, api, ready_clip):
    answer = api("worker").get(f"/api/clips/{ready_clip['id']}/media", headers={"Range": "bytes=0-99"})
    assert answer.status_code == 200 and answer.data == b"" and "X-Accel-Redirect" in answer.headers


@pytest.mark.parametrize("path", ["thumbnail?t=0", "filmstrip.jpg"])
def test_pictures_of_a_clip_go_the_same_way(accel, api, ready_clip, path):
    answer = api("worker").get(f"/api/clips/{ready_clip['id']}/{path}")
    assert answer.status_code == 200 and answer.data == b""
    assert answer.mimetype == "image/jpeg"
    assert media_file(accel, answer).read_bytes()[:2] == b"\xff\xd8"  # a JPEG


@pytest.mark.parametrize("who, status", [("other_worker", 404), ("other_supervisor", 404), ("admin", 404), (None, 401)])
def test_someone_elses_clip_names_no_file(accel, api, ready_clip, who, status):
    for path in ("media", "thumbnail?t=0", "filmstrip.jpg"):
        answer = api(who).get(f"/api/clips/{ready_clip['id']}/{path}")
        assert answer.status_code == status
        assert "X-Accel-Redirect" not in answer.headers


def test_the_stream_is_still_audited(accel, api, ready_clip, browser_login):
    assert api("worker").get(f"/api/clips/{ready_clip['id']}/media").status_code == 200
    log = browser_login("admin").get("/admin/audit.csv").get_data(as_text=True)
    assert f"clip.stream,clip,{ready_clip['id']}" in log


def test_without_the_setting_vib_sends_the_bytes(app, api, ready_clip):
    answer = api("worker").get(f"/api/clips/{ready_clip['id']}/media")
    assert answer.status_code == 200 and len(answer.data) > 1000
    assert "X-Accel-Redirect" not in answer.headers


@pytest.mark.parametrize("setting, prefix", [("/protected-media", "/protected-media/"), ("/internal/media/", "/internal/media/")])
def test_the_prefix_always_ends_with_a_slash(tmp_path, setting, prefix):
    assert storage.LocalStorage(tmp_path, setting).accel_prefix == prefix


def test_a_prefix_that_is_not_a_path_is_refused_at_start(tmp_path):
    with pytest.raises(ValueError, match="VIB_MEDIA_ACCEL"):
        create_app({"VIB_HOME": tmp_path, "VIB_MEDIA_ACCEL": "protected-media", **APP_CONFIG})
