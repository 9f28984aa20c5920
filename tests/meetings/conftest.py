"""A case filmed in three cycles, coded, and a progress meeting of it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import copy_processed_clip
from tests.days import organisation_today

INITIATIVE, RECEPTION = "bc.initiatief", "bc.ontvangen"


def code(api, clip_id: int, *moments: tuple) -> list[dict]:
    """Code the clip: each moment is (start_ms, code) or (start_ms, code, {more fields})."""
    made = []
    for start, code_id, *more in moments:
        r = api("worker").post(f"/api/clips/{clip_id}/moments", json={"start_ms": start, "code": code_id, **(more[0] if more else {})})
        assert r.status_code == 201, r.json
        made.append(r.json)
    return made


@pytest.fixture
def cycle_clips(app, api, people, case, ready_clip, processed_clip):
    """`ready_clip` (4 s, 25 fps: frame i shows index i) as cycle 1, filmed two months ago, and two copies
    of it as cycles 2 (a month ago) and 3 (today): cycle 1 coded with two initiatives of which one is
    received, cycle 2 not coded, cycle 3 with three initiatives all received and one moment better than
    usual."""
    today = organisation_today()
    first = ready_clip["id"]
    assert api("worker").patch(f"/api/clips/{first}", json={"recorded_on": (today - timedelta(days=60)).isoformat()}).status_code == 200
    second = copy_processed_clip(
        app, people, case["id"], processed_clip, title="Second visit", cycle=2, recorded_on=today - timedelta(days=30)
    )
    third = copy_processed_clip(app, people, case["id"], processed_clip, title="Third visit", cycle=3, recorded_on=today)
    code(api, first, (200, INITIATIVE), (600, RECEPTION), (2000, INITIATIVE))
    code(
        api, third,
        (200, INITIATIVE), (400, RECEPTION, {"tags": ["better_than_usual"]}),
        (1200, INITIATIVE), (1400, RECEPTION), (2400, INITIATIVE), (2600, RECEPTION),
    )  # fmt: skip
    return [first, second, third]


@pytest.fixture
def meeting(api, case):
    made = api("worker").post(
        f"/api/cases/{case['id']}/meetings",
        json={"date": organisation_today().isoformat(), "question": "What helps the father keep talking?"},
    )
    assert made.status_code == 201, made.json
    return made.json
