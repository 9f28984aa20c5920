"""Caches on the shared media folder (stills, frame lists, filmstrips) are written whole or not at all:
two processes making the same still at once, while a third reads it, never show a torn JPEG."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import cv2
import numpy as np

from tests.conftest import APP_CONFIG
from vib import create_app
from vib.clips.models import Clip
from vib.clips.operations import thumbnail
from vib.core import db, storage

ROUNDS = 40
WIDTH = 640  # a larger still takes longer to write, so a torn one would be easier to catch


def make_the_same_still(settings: dict, clip_id: int, t_ms: int, start) -> None:
    """One web process: delete the cached still and make it again, ROUNDS times."""
    app = create_app({**APP_CONFIG, **settings, "VIB_JOBS": "inline"})
    with app.app_context():
        clip = db.session().get(Clip, clip_id)
        key = clip.thumbnail_key(t_ms, min(WIDTH, clip.width))
        start.wait()
        for _ in range(ROUNDS):
            storage.current().delete(key)
            thumbnail(clip, t_ms, WIDTH)


def test_two_processes_making_the_same_still_never_show_a_torn_jpeg(app, ready_clip):
    settings = {"VIB_HOME": str(app.config["VIB_HOME"]), "VIB_DATABASE_URL": app.config["VIB_DATABASE_URL"]}
    t_ms = 1000
    with app.app_context():
        clip = db.session().get(Clip, ready_clip["id"])
        key = thumbnail(clip, t_ms, WIDTH)
    path = app.config["VIB_MEDIA_DIR"] / key
    context = multiprocessing.get_context("spawn")  # fresh processes, as two gunicorn workers
    start = context.Event()
    makers = [context.Process(target=make_the_same_still, args=(settings, ready_clip["id"], t_ms, start)) for _ in range(2)]
    for maker in makers:
        maker.start()
    start.set()
    seen, torn = 0, 0
    while any(maker.is_alive() for maker in makers):
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            continue  # between a delete and the next still: absent, never half there
        seen += 1
        picture = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        if not (data.startswith(b"\xff\xd8") and data.rstrip(b"\x00").endswith(b"\xff\xd9") and picture is not None):
            torn += 1
    for maker in makers:
        maker.join(30)
        assert maker.exitcode == 0
    assert seen > 0 and torn == 0, f"{torn} of {seen} reads were torn"
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]  # no unfinished file left behind


def write_again_and_again(media_dir: str, key: str, fill: bytes, start) -> None:
    media = storage.LocalStorage(Path(media_dir))
    start.wait()
    for _ in range(30):
        media.save(key, fill * (4 * 2**20))


def test_a_cache_file_written_by_two_processes_at_once_is_always_one_of_them_whole(tmp_path):
    """The contract under the stills: `save` replaces a file in one step (a 4 MB file makes a torn read
    likely if it did not)."""
    key = "clips/1/cache/picture.bin"
    media_dir = tmp_path / "media"
    storage.LocalStorage(media_dir).save(key, b"a" * (4 * 2**20))
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    writers = [context.Process(target=write_again_and_again, args=(str(media_dir), key, fill, start)) for fill in (b"a", b"b")]
    for writer in writers:
        writer.start()
    start.set()
    whole = {b"a" * (4 * 2**20), b"b" * (4 * 2**20)}
    reads, torn = 0, 0
    path = media_dir / key
    while any(writer.is_alive() for writer in writers):
        data = path.read_bytes()
        reads += 1
        torn += data not in whole
    for writer in writers:
        writer.join(30)
        assert writer.exitcode == 0
    assert reads > 0 and torn == 0, f"{torn} of {reads} reads were torn"
