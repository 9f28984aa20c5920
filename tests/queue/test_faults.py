"""Faults of the scaled deployment, against this machine's real Redis (and PostgreSQL in the
PostgreSQL run): a worker killed in the middle of a conversion, and Redis losing its queue. Each time
the database alone is enough to finish the work, and nothing half-written is ever served."""

from __future__ import annotations

import av
import pytest
import redis
from sqlalchemy import select

from tests.queue.conftest import kill_hard, media_files, start_worker, stop, wait_until, work_off
from vib.clips.models import Clip
from vib.core import db, jobs
from vib.media.synth import ClipSpec, make_clip


@pytest.fixture(scope="module")
def slow_video(tmp_path_factory):
    """A clip whose conversion takes seconds (MPEG-4 part 2 must be converted to H.264)."""
    path = tmp_path_factory.mktemp("slow") / "slow.avi"
    make_clip(path, ClipSpec(seconds=40, codec="mpeg4", width=640, height=360, gop=25))
    return path


def clip_row(app, clip_id: int) -> Clip:
    with app.app_context():
        return db.session().scalars(select(Clip).where(Clip.id == clip_id)).one()


def playable_is_whole(app, clip: Clip) -> bool:
    path = app.config["VIB_MEDIA_DIR"] / clip.playable_key
    with av.open(str(path)) as container:
        frames = sum(1 for _ in container.decode(video=0))
    return frames == round(clip.duration_ms / 1000 * 25)


def test_a_worker_killed_mid_conversion_is_noticed_and_a_second_worker_makes_the_clip_ready(app, api, case, slow_video):
    worker = api("worker")
    uploaded = worker.upload(case["id"], slow_video)
    assert uploaded.status_code == 201, uploaded.json
    clip_id = uploaded.json["id"]
    settings = {"VIB_JOB_LEASE_SECONDS": 2, "VIB_SWEEP_SECONDS": 1}
    first = start_worker(app, **settings)
    try:
        wait_until(lambda: 0 < clip_row(app, clip_id).progress < 90, timeout=120, every=0.05, message="the conversion to start")
    finally:
        kill_hard(first)
    clip = clip_row(app, clip_id)
    assert clip.status == "processing"
    assert not (app.config["VIB_MEDIA_DIR"] / clip.playable_key).exists()  # only a hidden unfinished file
    assert worker.get(f"/api/clips/{clip_id}/media").status_code in (404, 409)  # nothing half-written served

    second = start_worker(app, **settings)
    try:
        wait_until(lambda: clip_row(app, clip_id).status != "processing", timeout=180, message="the second worker")
    finally:
        errors = stop(second)
    clip = clip_row(app, clip_id)
    assert clip.status == "ready", (clip.error, errors)
    assert playable_is_whole(app, clip)
    assert not [p for p in media_files(app) if p.name.startswith(".")]  # the killed run's leftovers are gone
    assert worker.get(f"/api/clips/{clip_id}/media").status_code == 200


def test_after_redis_lost_its_queue_the_sweep_queues_again_from_the_database(app, api, case, videos):
    worker = api("worker")
    clip_id = worker.upload(case["id"], videos["cfr.mp4"]).json["id"]
    runner = app.extensions["vib.jobs"]
    assert runner.queues["media"].count == 1
    redis.Redis.from_url(app.config["VIB_REDIS_URL"]).flushdb()  # a restart of a Redis that keeps nothing on disk
    assert runner.queues["media"].count == 0
    work_off(app)
    assert clip_row(app, clip_id).status == "processing"  # nobody knows of the job any more...

    process = start_worker(app, "--burst")  # ...but a worker's sweep reads the database
    process.wait(120)
    assert process.returncode == 0, stop(process)
    clip = clip_row(app, clip_id)
    assert clip.status == "ready" and clip.filmstrip_ready


def test_redis_emptied_in_the_middle_of_a_conversion_still_ends_with_a_ready_clip(app, api, case, slow_video):
    worker = api("worker")
    clip_id = worker.upload(case["id"], slow_video).json["id"]
    process = start_worker(app, VIB_JOB_LEASE_SECONDS=2, VIB_SWEEP_SECONDS=1)
    try:
        wait_until(lambda: 0 < clip_row(app, clip_id).progress < 90, timeout=120, every=0.05, message="the conversion to start")
        redis.Redis.from_url(app.config["VIB_REDIS_URL"]).flushdb()
        wait_until(lambda: clip_row(app, clip_id).status != "processing", timeout=180, message="the clip")
        wait_until(lambda: clip_row(app, clip_id).filmstrip_ready, timeout=60, message="the filmstrip")
    finally:
        errors = stop(process)
    clip = clip_row(app, clip_id)
    assert clip.status == "ready", (clip.error, errors)
    assert playable_is_whole(app, clip)


def test_the_sweep_leaves_a_live_job_alone(app, api, case, videos):
    worker = api("worker")
    clip_id = worker.upload(case["id"], videos["cfr.mp4"]).json["id"]
    assert jobs.sweep(app) == 0  # it waits in the queue: live
    runner = app.extensions["vib.jobs"]
    with runner.lease("process_clip", clip_id):  # a worker has it
        runner.queues["media"].empty()
        assert jobs.sweep(app) == 0
    assert jobs.sweep(app) == 1  # its worker is gone and so is the queue
    assert runner.queues["media"].count == 1
    work_off(app)
    assert clip_row(app, clip_id).status == "ready"
