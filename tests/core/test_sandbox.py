"""Media work in a child process with caps: more memory or time than allowed stops it (and only it),
errors and progress come back, and a clip whose conversion goes over a cap fails with a reason."""

from __future__ import annotations

import time

import pytest

from tests.conftest import wait_for_jobs
from vib.core import sandbox
from vib.media.errors import MediaError


def eat_memory(megabytes: int) -> int:
    block = bytearray(megabytes * 1024 * 1024)
    return len(block)


def sleep_for(seconds: float) -> str:
    time.sleep(seconds)
    return "awake"


def count_to(n: int, report) -> int:
    for i in range(n):
        report((i + 1) / n)
    return n


def refuse(reason: str):
    raise MediaError(reason, "detail", {"limit": 7})


def test_work_within_the_caps_returns_its_result_and_its_progress():
    seen = []
    assert sandbox.run_capped(count_to, (4,), memory_mb=1024, seconds=30, progress=seen.append) == 4
    assert seen == [0.25, 0.5, 0.75, 1.0]


def test_more_memory_than_allowed_stops_the_work():
    assert sandbox.run_capped(eat_memory, (16,), memory_mb=1024, seconds=30) == 16 * 1024 * 1024
    with pytest.raises(sandbox.LimitExceeded) as stopped:
        sandbox.run_capped(eat_memory, (2048,), memory_mb=1024, seconds=30)
    assert stopped.value.limit == "memory"


def test_more_time_than_allowed_stops_the_work():
    start = time.monotonic()
    with pytest.raises(sandbox.LimitExceeded) as stopped:
        sandbox.run_capped(sleep_for, (30,), memory_mb=1024, seconds=1)
    assert stopped.value.limit == "time" and time.monotonic() - start < 10


def test_a_media_error_comes_back_whole():
    with pytest.raises(MediaError) as refused:
        sandbox.run_capped(refuse, ("undecodable",), memory_mb=1024, seconds=30)
    assert (refused.value.reason, refused.value.detail, refused.value.values) == ("undecodable", "detail", {"limit": 7})


def test_a_clip_whose_conversion_needs_too_much_fails_with_the_reason(app, api, case, videos):
    app.config["VIB_JOB_MINUTES"] = 0  # no conversion finishes in no time
    clip_id = api("worker").upload(case["id"], videos["vp9.webm"]).json["id"]
    wait_for_jobs(app)
    clip = api("worker").get(f"/api/clips/{clip_id}").json
    assert clip["status"] == "failed" and "more memory or time than vib allows" in clip["error"]
