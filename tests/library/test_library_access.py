"""Who may reach the library's endpoints and pages, in the form of tests/core/test_access.py (status
for: the fragment's proposer (the clip's owner, a worker), another worker, a supervisor, another
supervisor, a trainer, an admin, anonymous).

A published fragment is for everyone with a login but admins; one not yet published only for its
proposer and the trainers; only trainers curate and build collections; a download needs everyone in
the case to consent to presentation (here they do not: 403 with the reason)."""

from __future__ import annotations

import pytest

from tests.conftest import wait_for_jobs
from tests.core.test_access import PEOPLE, _check, check_page
from tests.library.conftest import propose

LIBRARY_API_MATRIX = [
    ("post", "/api/clips/{clip}/fragments", [201, 404, 404, 404, 404, 404, 401]),
    ("get", "/api/fragments", [200, 200, 200, 200, 200, 200, 401]),
    ("get", "/api/fragments/{fragment}", [200, 200, 200, 200, 200, 404, 401]),
    ("get", "/api/fragments/{draft}", [200, 404, 404, 404, 200, 404, 401]),
    ("get", "/api/fragments/{fragment}/media", [200, 200, 200, 200, 200, 404, 401]),
    ("get", "/api/fragments/{draft}/media", [200, 404, 404, 404, 200, 404, 401]),  # faces not yet blurred
    ("get", "/api/fragments/{fragment}/poster", [200, 200, 200, 200, 200, 404, 401]),
    ("get", "/api/fragments/{fragment}/frames", [200, 200, 200, 200, 200, 404, 401]),
    ("get", "/api/fragments/{draft}/tracks/1/still", [404, 404, 404, 404, 404, 404, 401]),  # no such track
    ("get", "/api/fragments/{fragment}/download", [403, 403, 403, 403, 403, 404, 401]),
    ("patch", "/api/fragments/{fragment}", [404, 404, 404, 404, 200, 404, 401]),
    ("post", "/api/fragments/{draft}/render", [404, 404, 404, 404, 202, 404, 401]),
    ("post", "/api/fragments/{fragment}/publish", [404, 404, 404, 404, 409, 404, 401]),  # published already
    ("post", "/api/fragments/{fragment}/unpublish", [404, 404, 404, 404, 200, 404, 401]),
    ("delete", "/api/fragments/{draft}", [204, 404, 404, 404, 204, 404, 401]),
    ("delete", "/api/fragments/{fragment}", [404, 404, 404, 404, 204, 404, 401]),
    ("get", "/api/library", [200, 200, 200, 200, 200, 404, 401]),
    ("get", "/api/collections", [200, 200, 200, 200, 200, 200, 401]),
    ("get", "/api/collections/{collection}", [200, 200, 200, 200, 200, 404, 401]),
    ("post", "/api/collections", [404, 404, 404, 404, 201, 404, 401]),
    ("patch", "/api/collections/{collection}", [404, 404, 404, 404, 200, 404, 401]),
    ("delete", "/api/collections/{collection}", [404, 404, 404, 404, 204, 404, 401]),
    ("post", "/api/collections/{collection}/items", [404, 404, 404, 404, 409, 404, 401]),  # in it already
    ("patch", "/api/collections/{collection}/items/{item}", [404, 404, 404, 404, 200, 404, 401]),
    ("delete", "/api/collections/{collection}/items/{item}", [404, 404, 404, 404, 204, 404, 401]),
]

LIBRARY_PAGE_MATRIX = [
    ("/library", [200, 200, 200, 200, 200, 404]),
    ("/library/fragments/{fragment}", [200, 200, 200, 200, 200, 404]),
    ("/library/fragments/{draft}", [200, 404, 404, 404, 200, 404]),
    ("/library/collections", [200, 200, 200, 200, 200, 404]),
    ("/library/collections/{collection}", [200, 200, 200, 200, 200, 404]),
]


@pytest.fixture
def library_objects(app, api, training_clip, published):
    draft = propose(api, training_clip["id"], start_ms=0, end_ms=1500, title="Another wait")
    assert draft.status_code == 201, draft.json
    collection = api("trainer").post("/api/collections", json={"title": "Course 1: receiving"})
    item = api("trainer").post(
        f"/api/collections/{collection.json['id']}/items", json={"fragment_id": published["id"], "note": "Watch the pause."}
    )
    assert item.status_code == 201, item.json
    wait_for_jobs(app)
    return {
        "clip": training_clip["id"],
        "fragment": published["id"],
        "draft": draft.json["id"],
        "collection": collection.json["id"],
        "item": item.json["id"],
    }


def _bodies(objects) -> dict:
    return {
        "/api/clips/{clip}/fragments": {"start_ms": 0, "end_ms": 2000, "title": "A third wait"},
        "/api/fragments/{fragment}": {"title": "Waiting, renamed"},
        "/api/fragments/{draft}/render": {"blur_tracks": "all", "audio": "mute"},
        "/api/collections": {"title": "Course 2"},
        "/api/collections/{collection}": {"title": "Course 1, renamed"},
        "/api/collections/{collection}/items": {"fragment_id": objects["fragment"]},
        "/api/collections/{collection}/items/{item}": {"note": "Look at her hands."},
    }


def request_as(api, who, method, template, objects, bodies: dict):
    """`who` calls the endpoint on these objects, with its body from `bodies` when it takes one."""
    url = template.format(**objects)
    body = bodies.get(template)
    if method in ("post", "patch") and body is not None:
        return getattr(api(who), method)(url, json=body)
    return getattr(api(who), method)(url)


def _request(api, who, method, template, objects):
    return request_as(api, who, method, template, objects, _bodies(objects))


READS = [row for row in LIBRARY_API_MATRIX if row[0] == "get"]
CHANGES = [row for row in LIBRARY_API_MATRIX if row[0] != "get"]


@pytest.mark.parametrize("method, template, statuses", READS, ids=[u for _, u, _ in READS])
def test_reading_the_library(api, library_objects, method, template, statuses):
    for who, expected in zip(PEOPLE, statuses, strict=True):
        _check(_request(api, who, method, template, library_objects), expected, who)


@pytest.mark.parametrize("method, template, statuses", CHANGES, ids=[f"{m} {u}" for m, u, _ in CHANGES])
@pytest.mark.parametrize("position, who", list(enumerate(PEOPLE)), ids=[p or "anonymous" for p in PEOPLE])
def test_changing_the_library(app, api, library_objects, method, template, statuses, position, who):
    _check(_request(api, who, method, template, library_objects), statuses[position], who)
    wait_for_jobs(app)


@pytest.mark.parametrize("template, statuses", LIBRARY_PAGE_MATRIX, ids=[u for u, _ in LIBRARY_PAGE_MATRIX])
def test_library_page_access(app, browser_login, library_objects, template, statuses):
    check_page(app, browser_login, template.format(**library_objects), statuses)


ABOUT_A_FRAGMENT = [row for row in LIBRARY_API_MATRIX if "{fragment}" in row[1] or "{draft}" in row[1]]


@pytest.mark.parametrize("method, template, statuses", ABOUT_A_FRAGMENT, ids=[f"{m} {u}" for m, u, _ in ABOUT_A_FRAGMENT])
def test_nothing_of_a_deleted_clips_fragments_can_be_reached(app, api, library_objects, method, template, statuses):
    assert api("worker").delete(f"/api/clips/{library_objects['clip']}").status_code == 200
    wait_for_jobs(app)
    for who in PEOPLE:
        _check(_request(api, who, method, template, library_objects), 404 if who else 401, who)
