"""Who may see what: every endpoint so far, for every kind of user. Add rows as features arrive.

A clip or case of someone else answers 404, exactly as one that does not exist.
"""

import pytest

ANONYMOUS_API = 401
PEOPLE = ["worker", "other_worker", "supervisor", "trainer", "admin", None]

# (method, url template, status for: owner worker, other worker, supervisor, trainer, admin, anonymous)
API_MATRIX = [
    ("get", "/api/cases/{case}", [200, 404, 404, 404, 404, 401]),
    ("post", "/api/cases/{case}/consents", [201, 404, 404, 404, 404, 401]),
    ("post", "/api/cases/{case}/consents/withdraw", [200, 404, 404, 404, 404, 401]),
    ("get", "/api/clips/{clip}", [200, 404, 404, 404, 404, 401]),
    ("get", "/api/clips/{clip}/media", [200, 404, 404, 404, 404, 401]),
    ("get", "/api/clips/{clip}/thumbnail?t=0", [200, 404, 404, 404, 404, 401]),
    ("get", "/api/clips/{clip}/filmstrip", [200, 404, 404, 404, 404, 401]),
    ("get", "/api/clips/{clip}/filmstrip.jpg", [200, 404, 404, 404, 404, 401]),
    ("post", "/api/clips", [201, 404, 404, 404, 404, 401]),
    ("post", "/api/cases", [201, 201, 403, 403, 403, 401]),
    ("get", "/api/clips/999999", [404, 404, 404, 404, 404, 401]),
    ("patch", "/api/clips/{clip}", [200, 404, 404, 404, 404, 401]),
    ("get", "/api/clips/{clip}/frames", [200, 404, 404, 404, 404, 401]),
    ("get", "/api/clips/{clip}/moments", [200, 404, 404, 404, 404, 401]),
    ("post", "/api/clips/{clip}/moments", [201, 404, 404, 404, 404, 401]),
    ("patch", "/api/moments/{moment}", [200, 404, 404, 404, 404, 401]),
    ("delete", "/api/moments/{moment}", [204, 404, 404, 404, 404, 401]),
    ("get", "/api/clips/{clip}/stats", [200, 404, 404, 404, 404, 401]),
    ("get", "/api/schemes", [200, 200, 200, 200, 200, 401]),
    ("get", "/api/schemes/vib-basiscommunicatie", [200, 200, 200, 200, 200, 401]),
]

BODIES = {
    "/api/cases/{case}/consents": {"person": "aunt", "role": "other", "purposes": ["analysis"], "date": "2026-01-05"},
    "/api/cases/{case}/consents/withdraw": {"person": "father", "purposes": ["analysis"]},
    "/api/cases": {"code": "NEW-1", "learning_question": "How do I listen?"},
    "/api/clips/{clip}/moments": {"start_ms": 400, "code": "bc.initiatief"},
    "/api/moments/{moment}": {"version": 1, "note": "She looks up."},
    "/api/clips/{clip}": {"title": "Second visit"},
}


@pytest.fixture
def moment(api, ready_clip):
    made = api("worker").post(f"/api/clips/{ready_clip['id']}/moments", json={"start_ms": 200, "code": "bc.ontvangen"})
    assert made.status_code == 201, made.json
    return made.json


def _request(api, who, method, template, case, clip, moment, videos):
    url = template.format(case=case["id"], clip=clip["id"], moment=moment["id"])
    client = api(who)
    if template == "/api/clips":
        return client.upload(case["id"], videos["cfr.mp4"])
    if method in ("post", "patch"):
        return getattr(client, method)(url, json=BODIES[template])
    return getattr(client, method)(url)


@pytest.mark.parametrize("method, template, statuses", API_MATRIX, ids=[f"{m} {u}" for m, u, _ in API_MATRIX])
@pytest.mark.parametrize("position, who", list(enumerate(PEOPLE)), ids=[p or "anonymous" for p in PEOPLE])
def test_api_access(api, case, ready_clip, moment, videos, method, template, statuses, position, who):
    response = _request(api, who, method, template, case, ready_clip, moment, videos)
    assert response.status_code == statuses[position], response.get_data(as_text=True)[:200]
    if response.status_code >= 400:
        assert response.is_json and response.json["error"]


@pytest.mark.parametrize("who, count", [("worker", 1), ("other_worker", 0), ("supervisor", 0), ("trainer", 0), ("admin", 0)])
def test_lists_show_only_what_a_person_may_see(api, ready_clip, who, count):
    assert len(api(who).get("/api/clips").json) == count
    assert len(api(who).get("/api/cases").json) == count
    assert len(api(who).get(f"/api/clips?case_id={ready_clip['case_id']}").json) == count


PAGE_MATRIX = [
    ("/cases/{case}", [200, 404, 404, 404, 404]),
    ("/clips/{clip}", [200, 404, 404, 404, 404]),
    ("/clips/{clip}/coding", [200, 404, 404, 404, 404]),
    ("/clips/{clip}/review", [200, 404, 404, 404, 404]),
    ("/cases", [200, 200, 200, 200, 200]),
]


@pytest.mark.parametrize("template, statuses", PAGE_MATRIX, ids=[u for u, _ in PAGE_MATRIX])
def test_page_access(app, browser_login, case, ready_clip, template, statuses):
    url = template.format(case=case["id"], clip=ready_clip["id"])
    for who, status in zip(PEOPLE[:-1], statuses):
        assert browser_login(who).get(url).status_code == status, who
    anonymous = app.test_client().get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.location


def test_someone_elses_clip_page_does_not_reveal_it(browser_login, ready_clip):
    page = browser_login("other_worker").get(f"/clips/{ready_clip['id']}").get_data(as_text=True)
    assert ready_clip["title"] not in page and "2026-017" not in page
