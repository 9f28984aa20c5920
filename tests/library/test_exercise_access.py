"""Who may reach the exercise endpoints and pages: the rows to add to tests/core/test_access.py, in
its form (status for: the clip's owner (a worker, here the fragment's proposer), another worker, the
supervisor, another supervisor, the trainer (whose coding is the reference), an admin, anonymous).

A published fragment is an exercise for everyone who works with video; the reference is the
trainer's; a worker sees and changes only their own moments and asks only for their own agreement."""

from __future__ import annotations

import pytest

from tests.core.test_access import PEOPLE, _check, check_page
from tests.library.conftest import make_fragment
from tests.library.test_library_access import request_as

EXERCISE_API_MATRIX = [
    ("get", "/api/fragments/{fragment}/moments", [200, 200, 200, 200, 200, 404, 401]),
    ("post", "/api/fragments/{fragment}/moments", [201, 201, 201, 201, 201, 404, 401]),
    # the worker's own moment on the fragment; the trainer's reference moment
    ("patch", "/api/moments/{fragment_moment}", [200, 404, 404, 404, 404, 404, 401]),
    ("delete", "/api/moments/{fragment_moment}", [204, 404, 404, 404, 404, 404, 401]),
    ("patch", "/api/moments/{reference_moment}", [404, 404, 404, 404, 200, 404, 401]),
    ("get", "/api/fragments/{fragment}/agreement", [200, 200, 200, 200, 200, 404, 401]),
    ("get", "/api/fragments/{fragment}/agreement?user={worker}", [200, 404, 404, 404, 200, 404, 401]),
    # not published: no exercise yet
    ("get", "/api/fragments/{draft}/moments", [404, 404, 404, 404, 404, 404, 401]),
    ("get", "/api/fragments/{draft}/agreement", [404, 404, 404, 404, 404, 404, 401]),
]

EXERCISE_PAGE_MATRIX = [
    ("/library/fragments/{fragment}/exercise", [200, 200, 200, 200, 200, 404]),
    ("/library/fragments/{fragment}/comparison", [200, 200, 200, 200, 200, 404]),
    ("/library/fragments/{draft}/exercise", [404, 404, 404, 404, 404, 404]),
]

BODIES = {
    "/api/fragments/{fragment}/moments": {"start_ms": 400, "code": "bc.initiatief"},
    "/api/moments/{fragment_moment}": {"version": 1, "note": "She looks up."},
    "/api/moments/{reference_moment}": {"version": 1, "note": "She looks up."},
}


@pytest.fixture
def exercise_objects(app, api, people, training_clip, tmp_path):
    fragment = make_fragment(app, training_clip["id"], people["worker"].id, people["trainer"].id, tmp_path)
    draft = make_fragment(app, training_clip["id"], people["worker"].id, None, tmp_path, 0, 2000)
    reference = api("trainer").post(f"/api/fragments/{fragment}/moments", json={"start_ms": 200, "code": "bc.initiatief"})
    mine = api("worker").post(f"/api/fragments/{fragment}/moments", json={"start_ms": 300, "code": "bc.initiatief"})
    assert reference.status_code == mine.status_code == 201
    return {
        "fragment": fragment,
        "draft": draft,
        "reference_moment": reference.json["id"],
        "fragment_moment": mine.json["id"],
        "worker": people["worker"].id,
    }


def _request(api, who, method, template, objects):
    return request_as(api, who, method, template, objects, BODIES)


@pytest.mark.parametrize("method, template, statuses", EXERCISE_API_MATRIX, ids=[f"{m} {u}" for m, u, _ in EXERCISE_API_MATRIX])
@pytest.mark.parametrize("position, who", list(enumerate(PEOPLE)), ids=[p or "anonymous" for p in PEOPLE])
def test_exercise_api_access(api, exercise_objects, method, template, statuses, position, who):
    _check(_request(api, who, method, template, exercise_objects), statuses[position], who)


@pytest.mark.parametrize("template, statuses", EXERCISE_PAGE_MATRIX, ids=[u for u, _ in EXERCISE_PAGE_MATRIX])
def test_exercise_page_access(app, browser_login, exercise_objects, template, statuses):
    check_page(app, browser_login, template.format(**exercise_objects), statuses)
