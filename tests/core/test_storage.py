"""The storage contract, run against every backend: add a backend to BACKENDS and it gets every test."""

import io
import os
from contextlib import ExitStack
from pathlib import Path

import pytest
from flask import Flask

from vib.core.storage import LocalStorage, Storage

BACKENDS = {
    "local": lambda tmp_path: LocalStorage(tmp_path / "media"),
}

VIDEO = bytes(range(256)) * 40  # 10,240 bytes, each position telling its offset modulo 256
BAD_KEYS = ["", ".", "..", "../x", "a/../../x", "/etc/passwd", "clips/../../outside"]


@pytest.fixture(params=sorted(BACKENDS))
def media(request, tmp_path) -> Storage:
    return BACKENDS[request.param](tmp_path)


@pytest.fixture
def client(media):
    """A tiny app whose one route answers with `media.send`, as the media views do."""
    app = Flask(__name__)
    app.testing = True  # errors reach the test

    @app.get("/media/<path:key>")
    def serve(key):
        return media.send(key, "video/mp4")

    return app.test_client()


def test_saved_bytes_read_back_whole_and_by_open(media):
    media.save("clips/1/original", VIDEO)
    assert media.read_bytes("clips/1/original") == VIDEO
    with media.open("clips/1/original") as f:
        assert f.read(10) == VIDEO[:10]
        assert f.read() == VIDEO[10:]


def test_save_takes_a_readable_file_and_replaces_what_was_there(media):
    media.save("clips/1/frames.json", b"old")
    media.save("clips/1/frames.json", io.BytesIO(b"[0, 40, 80]"))
    assert media.read_bytes("clips/1/frames.json") == b"[0, 40, 80]"


def test_exists_and_size(media):
    assert not media.exists("clips/1/original")
    media.save("clips/1/original", VIDEO)
    assert media.exists("clips/1/original")
    assert media.size("clips/1/original") == len(VIDEO)
    assert not media.exists("clips/1")  # a prefix holds no bytes of its own
    media.save("clips/1/empty", b"")
    assert media.exists("clips/1/empty") and media.size("clips/1/empty") == 0


def test_reading_a_key_that_holds_nothing_raises_file_not_found(media, client):
    for read in (media.read_bytes, media.open, media.size):
        with pytest.raises(FileNotFoundError):
            read("clips/1/nothing")
    with pytest.raises(FileNotFoundError), media.local_path("clips/1/nothing"):
        pass
    with pytest.raises(FileNotFoundError):
        client.get("/media/clips/1/nothing")


def test_local_path_is_a_file_with_the_bytes(media):
    media.save("clips/1/playable.mp4", VIDEO)
    with media.local_path("clips/1/playable.mp4") as path:
        assert isinstance(path, Path)
        assert path.read_bytes() == VIDEO


def test_writing_becomes_the_key_when_the_block_finishes(media):
    media.save("clips/1/playable.mp4", b"old version")
    with media.writing("clips/1/playable.mp4") as tmp:
        assert isinstance(tmp, Path) and tmp.suffix == ".mp4"  # encoders choose the container by it
        tmp.write_bytes(VIDEO)
        assert media.read_bytes("clips/1/playable.mp4") == b"old version"  # replaced at once, at the end
    assert media.read_bytes("clips/1/playable.mp4") == VIDEO
    assert not tmp.exists()


def test_writing_that_fails_leaves_nothing_and_keeps_the_old_bytes(media):
    with pytest.raises(RuntimeError), media.writing("clips/1/playable.mp4") as tmp:
        tmp.write_bytes(b"half a video")
        raise RuntimeError("encoder failed")
    assert not tmp.exists()
    assert not media.exists("clips/1/playable.mp4")
    media.save("clips/1/playable.mp4", VIDEO)
    with pytest.raises(RuntimeError), media.writing("clips/1/playable.mp4") as tmp:
        tmp.write_bytes(b"half a video")
        raise RuntimeError("encoder failed")
    assert not tmp.exists()
    assert media.read_bytes("clips/1/playable.mp4") == VIDEO


def test_what_a_stopped_process_left_of_writing_is_discarded(media):
    media.save("clips/1/original", VIDEO)
    with ExitStack() as stack:
        # The process "stops" inside the block: nothing after the write runs until discard_unfinished.
        tmp = stack.enter_context(media.writing("clips/1/playable.mp4"))
        tmp.write_bytes(b"the process stopped while writing this")
        media.discard_unfinished("clips/1/playable.mp4")
        assert not tmp.exists()
        stack.pop_all()
    assert not media.exists("clips/1/playable.mp4")
    assert media.read_bytes("clips/1/original") == VIDEO  # other keys untouched
    media.discard_unfinished("clips/2/playable.mp4")  # nothing to discard is fine


def test_an_upload_streamed_to_a_temp_file_is_moved_in(media):
    with media.new_temp_file() as temp:
        temp.write(VIDEO)
    media.move_in(Path(temp.name), "clips/1/original")
    assert media.read_bytes("clips/1/original") == VIDEO
    assert not os.path.exists(temp.name)


def test_pieces_are_appended_to_a_temp_file_which_is_then_moved_in(media):
    assert media.temp_size("upload-session-1") == 0
    assert media.append_temp("upload-session-1", VIDEO[:10]) == 10
    assert media.append_temp("upload-session-1", VIDEO[10:]) == len(VIDEO) == media.temp_size("upload-session-1")
    assert media.append_temp("upload-session-1", iter([b"more", b" bytes"])) == len(VIDEO) + 10  # a body's chunks
    media.truncate_temp("upload-session-1", len(VIDEO))  # a refused piece is cut off again
    media.move_in(media.temp_path("upload-session-1"), "clips/2/original")
    assert media.read_bytes("clips/2/original") == VIDEO
    with pytest.raises(ValueError):
        media.temp_path("../clips/2/original")


def test_a_temp_file_has_one_writer_at_a_time(media):
    held = media.lock_temp("upload-session-4")
    assert held is not None and media.lock_temp("upload-session-4") is None
    assert media.lock_temp("upload-session-5") is not None  # another upload is not held
    held.release()
    held.release()  # twice is fine
    again = media.lock_temp("upload-session-4")
    assert again is not None
    again.release()


def test_leftover_temp_files_are_removed_but_those_spared(media):
    media.append_temp("upload-session-3", b"x")
    with media.new_temp_file() as temp:
        temp.write(b"y")
    assert media.remove_temp_files(sparing="upload-session-") == 1
    assert not os.path.exists(temp.name) and media.temp_size("upload-session-3") == 1
    assert media.remove_temp_files(unchanged_for=3600) == 0  # written just now
    assert media.remove_temp_files() == 1


def test_keys_lists_everything_below_a_folder(media):
    for key in ("clips/1/original", "clips/1/thumbs/320/0.jpg", "clips/12/original"):
        media.save(key, b"x")
    assert media.keys("clips/1") == ["clips/1/original", "clips/1/thumbs/320/0.jpg"]
    assert media.keys("clips/77") == []


def test_delete_removes_one_key(media):
    media.save("clips/1/playable.mp4", VIDEO)
    media.save("clips/1/original", VIDEO)
    media.delete("clips/1/playable.mp4")
    assert not media.exists("clips/1/playable.mp4")
    assert media.exists("clips/1/original")
    media.delete("clips/1/playable.mp4")  # already gone: fine
    media.delete("clips/9/never")


def test_delete_prefix_removes_everything_below_it_and_nothing_beside_it(media):
    for key in ("clips/1/original", "clips/1/thumbs/320/0.jpg", "clips/1/thumbs/160/40.jpg", "clips/12/original", "clips/1x"):
        media.save(key, b"x")
    media.delete_prefix("clips/1/thumbs")
    assert not media.exists("clips/1/thumbs/320/0.jpg") and not media.exists("clips/1/thumbs/160/40.jpg")
    assert media.exists("clips/1/original")
    media.delete_prefix("clips/1/")
    assert not media.exists("clips/1/original")
    assert media.exists("clips/12/original") and media.exists("clips/1x")
    media.delete_prefix("clips/77")  # nothing there: fine


@pytest.mark.parametrize("key", BAD_KEYS)
def test_keys_outside_the_storage_are_refused(media, client, key):
    calls = [
        lambda: media.save(key, b"x"),
        lambda: media.read_bytes(key),
        lambda: media.open(key),
        lambda: media.exists(key),
        lambda: media.size(key),
        lambda: media.delete(key),
        lambda: media.delete_prefix(key),
        lambda: media.discard_unfinished(key),
        lambda: media.local_path(key).__enter__(),
        lambda: media.writing(key).__enter__(),
        lambda: media.move_in(Path("/nonexistent"), key),
    ]
    for call in calls:
        with pytest.raises(ValueError):
            call()
    with Flask(__name__).test_request_context(), pytest.raises(ValueError):
        media.send(key, "video/mp4")


def test_delete_prefix_refuses_to_delete_everything(media):
    media.save("clips/1/original", b"x")
    for prefix in ("", "/", "."):
        with pytest.raises(ValueError):
            media.delete_prefix(prefix)
    assert media.exists("clips/1/original")


# -- serving -------------------------------------------------------------------------------------


def test_send_answers_the_whole_file_privately(media, client):
    media.save("clips/1/playable.mp4", VIDEO)
    whole = client.get("/media/clips/1/playable.mp4")
    assert whole.status_code == 200
    assert whole.data == VIDEO
    assert int(whole.headers["Content-Length"]) == len(VIDEO)
    assert whole.mimetype == "video/mp4"
    assert whole.headers["Accept-Ranges"] == "bytes"
    assert whole.headers["Cache-Control"] == "private, no-store"  # families' pictures stay off shared computers
    assert whole.headers["Content-Disposition"] == "inline"  # and no file name
    assert whole.headers["ETag"]


def test_send_answers_range_requests(media, client):
    media.save("clips/1/playable.mp4", VIDEO)
    part = client.get("/media/clips/1/playable.mp4", headers={"Range": "bytes=1000-1999"})
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 1000-1999/{len(VIDEO)}"
    assert int(part.headers["Content-Length"]) == 1000
    assert part.data == VIDEO[1000:2000]
    tail = client.get("/media/clips/1/playable.mp4", headers={"Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.data == VIDEO[-10:]
    beyond = client.get("/media/clips/1/playable.mp4", headers={"Range": f"bytes={len(VIDEO) + 10}-"})
    assert beyond.status_code == 416


def test_send_answers_304_while_the_etag_holds_and_if_range_only_for_the_same_bytes(media, client):
    media.save("clips/1/0.jpg", VIDEO)
    etag = client.get("/media/clips/1/0.jpg").headers["ETag"]
    unchanged = client.get("/media/clips/1/0.jpg", headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.data == b""
    same = client.get("/media/clips/1/0.jpg", headers={"Range": "bytes=0-9", "If-Range": etag})
    assert same.status_code == 206 and same.data == VIDEO[:10]

    media.save("clips/1/0.jpg", VIDEO[:5000])  # made again: other bytes
    changed = client.get("/media/clips/1/0.jpg", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.data == VIDEO[:5000]
    stale = client.get("/media/clips/1/0.jpg", headers={"Range": "bytes=0-9", "If-Range": etag})
    assert stale.status_code == 200 and stale.data == VIDEO[:5000]  # the whole new file, not a piece of it


# -- the local folder ------------------------------------------------------------------------------


def files_below(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_local_uploads_are_renamed_into_place_not_copied(tmp_path):
    media = LocalStorage(tmp_path / "media")
    with media.new_temp_file() as temp:
        temp.write(VIDEO)
    assert Path(temp.name).parent == tmp_path / "media" / "tmp"  # same file system as the keys
    inode = os.stat(temp.name).st_ino
    media.move_in(Path(temp.name), "clips/1/original")
    with media.local_path("clips/1/original") as path:
        assert path.stat().st_ino == inode
    assert files_below(tmp_path / "media") == ["clips/1/original"]


def test_local_writing_leaves_no_file_behind_on_error(tmp_path):
    media = LocalStorage(tmp_path / "media")
    with pytest.raises(RuntimeError), media.writing("clips/1/playable.mp4") as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("encoder failed")
    assert files_below(tmp_path / "media") == []


def test_local_delete_of_a_prefix_is_an_error_not_a_silent_no_op(tmp_path):
    media = LocalStorage(tmp_path / "media")
    media.save("clips/1/original", b"x")
    with pytest.raises(IsADirectoryError):
        media.delete("clips/1")
    assert media.exists("clips/1/original")


def test_local_keys_cannot_leave_the_folder_through_a_link(tmp_path):
    media = LocalStorage(tmp_path / "media")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret").write_bytes(b"not media")
    (tmp_path / "media" / "link").symlink_to(tmp_path / "outside")
    with pytest.raises(ValueError):
        media.read_bytes("link/secret")
    with pytest.raises(ValueError):
        media.delete_prefix("link")
    assert (tmp_path / "outside" / "secret").exists()
