"""Who may see what: every endpoint and page so far, for every kind of person. Add rows as features
arrive.

The people: the clip's owner (a worker), another worker, the supervisor the owner asked for a review
of the clip, a supervisor nobody asked, a trainer, an admin, and someone not logged in. A clip or case
of someone else answers 404, exactly as one that does not exist. The asked supervisor sees the clip
under review (media, moments, figures, feedback) and nothing else of the worker's.
"""

import base64
import io

import pytest

from tests.sound import store_sound

PEOPLE = ["worker", "other_worker", "supervisor", "other_supervisor", "trainer", "admin", None]
IDS = [p or "anonymous" for p in PEOPLE]

# (method, url template, status for: owner, other worker, asked supervisor, unrelated supervisor,
#  trainer, admin, anonymous)
API_MATRIX = [
    ("get", "/api/cases/{case}", [200, 404, 404, 404, 404, 404, 401]),
    ("post", "/api/cases/{case}/consents", [201, 404, 404, 404, 404, 404, 401]),
    ("post", "/api/cases/{case}/consents/withdraw", [200, 404, 404, 404, 404, 404, 401]),
    ("get", "/api/clips/{clip}", [200, 404, 200, 404, 404, 404, 401]),
    ("get", "/api/clips/{clip}/media", [200, 404, 200, 404, 404, 404, 401]),
    ("get", "/api/clips/{clip}/thumbnail?t=0", [200, 404, 200, 404, 404, 404, 401]),
    ("get", "/api/clips/{clip}/filmstrip", [200, 404, 200, 404, 404, 404, 401]),
    ("get", "/api/clips/{clip}/filmstrip.jpg", [200, 404, 200, 404, 404, 404, 401]),
    ("post", "/api/clips", [201, 404, 404, 404, 404, 404, 401]),
    # uploads in pieces (tus): the case's owner announces one; only its sender reaches it. OPTIONS names
    # no case, so anyone may ask what the server speaks.
    ("options", "/api/tus", [204, 204, 204, 204, 204, 204, 204]),
    ("post", "/api/tus", [201, 404, 404, 404, 404, 404, 401]),
    ("head", "/api/tus/{upload}", [200, 404, 404, 404, 404, 404, 401]),
    ("patch", "/api/tus/{upload}", [204, 404, 404, 404, 404, 404, 401]),
    ("delete", "/api/tus/{upload}", [204, 404, 404, 404, 404, 404, 401]),
    ("post", "/api/cases", [201, 201, 403, 403, 403, 403, 401]),
    ("get", "/api/clips/999999", [404, 404, 404, 404, 404, 404, 401]),
    ("patch", "/api/clips/{clip}", [200, 404, 404, 404, 404, 404, 401]),
    ("get", "/api/clips/{clip}/frames", [200, 404, 200, 404, 404, 404, 401]),
    ("get", "/api/clips/{clip}/moments", [200, 404, 200, 404, 404, 404, 401]),
    ("post", "/api/clips/{clip}/moments", [201, 404, 201, 404, 404, 404, 401]),
    # the owner's moment: only its author changes it
    ("patch", "/api/moments/{moment}", [200, 404, 404, 404, 404, 404, 401]),
    ("delete", "/api/moments/{moment}", [204, 404, 404, 404, 404, 404, 401]),
    ("get", "/api/clips/{clip}/stats", [200, 404, 200, 404, 404, 404, 401]),
    # agreement between two coders (without a and b: the coders to choose from)
    ("get", "/api/clips/{clip}/agreement", [200, 404, 200, 404, 404, 404, 401]),
    # exchanging moments: export for whoever sees them, import for whoever may code the clip
    ("get", "/api/clips/{clip}/export?format=eaf", [200, 404, 200, 404, 404, 404, 401]),
    ("get", "/api/clips/{clip}/export?format=csv", [200, 404, 200, 404, 404, 404, 401]),
    ("post", "/api/clips/{clip}/import", [201, 404, 201, 404, 404, 404, 401]),
    # a clip's transcript: its owner uploads, replaces and deletes it; whoever may watch the clip reads it
    ("post", "/api/clips/{clip}/transcript", [201, 404, 404, 404, 404, 404, 401]),
    ("get", "/api/clips/{clip}/transcript", [200, 404, 200, 404, 404, 404, 401]),
    ("get", "/api/clips/{clip}/transcript.vtt", [200, 404, 200, 404, 404, 404, 401]),
    ("delete", "/api/clips/{clip}/transcript", [204, 404, 404, 404, 404, 404, 401]),
    # suggestions from the sound: the envelope for whoever may watch the clip; suggestions and answers
    # for whoever may code it (each their own answers); naming the voices for its owner
    ("get", "/api/clips/{clip}/audio/envelope", [200, 404, 200, 404, 404, 404, 401]),
    ("get", "/api/clips/{clip}/suggestions", [200, 404, 200, 404, 404, 404, 401]),
    ("post", "/api/suggestions/{suggestion}/accept", [201, 404, 201, 404, 404, 404, 401]),
    ("post", "/api/suggestions/{suggestion}/dismiss", [204, 404, 204, 404, 404, 404, 401]),
    ("patch", "/api/clips/{clip}/voices", [200, 404, 404, 404, 404, 404, 401]),
    ("get", "/api/schemes", [200, 200, 200, 200, 200, 200, 401]),
    ("get", "/api/schemes/vib-basiscommunicatie", [200, 200, 200, 200, 200, 200, 401]),
    # supervision (the review is requested; the supervisor wrote one draft item)
    ("post", "/api/clips/{clip}/reviews", [201, 404, 404, 404, 404, 404, 401]),
    ("get", "/api/supervisors", [200, 200, 403, 403, 403, 403, 401]),
    ("get", "/api/reviews", [200, 200, 200, 200, 200, 200, 401]),
    ("get", "/api/reviews/{review}", [200, 404, 200, 404, 404, 404, 401]),
    ("get", "/api/clips/{clip}/feedback", [200, 404, 200, 404, 404, 404, 401]),
    ("post", "/api/reviews/{review}/feedback", [403, 404, 201, 404, 404, 404, 401]),
    ("patch", "/api/reviews/{review}/feedback/{feedback}", [403, 404, 200, 404, 404, 404, 401]),
    ("delete", "/api/reviews/{review}/feedback/{feedback}", [403, 404, 204, 404, 404, 404, 401]),
    ("post", "/api/reviews/{review}/send", [403, 404, 200, 404, 404, 404, 401]),
    # not before the feedback is sent (409), and only by the worker
    ("post", "/api/reviews/{review}/answers", [409, 404, 403, 404, 404, 404, 401]),
    ("post", "/api/reviews/{review}/withdraw", [200, 404, 403, 404, 404, 404, 401]),
    ("post", "/api/reviews/{review}/close", [409, 404, 409, 404, 404, 404, 401]),
    ("get", "/api/notifications", [200, 200, 200, 200, 200, 200, 401]),
    ("post", "/api/notifications/read", [200, 200, 200, 200, 200, 200, 401]),
    # privacy: the owner deletes a clip, closes (reopening an open case is a 409) and exports a case
    ("delete", "/api/clips/{clip}", [200, 404, 404, 404, 404, 404, 401]),
    ("post", "/api/cases/{case}/close", [200, 404, 404, 404, 404, 404, 401]),
    ("post", "/api/cases/{case}/reopen", [409, 404, 404, 404, 404, 404, 401]),
    ("get", "/api/cases/{case}/export", [200, 404, 404, 404, 404, 404, 401]),
    ("get", "/api/cases/{case}/deleted-clips", [200, 404, 404, 404, 404, 404, 401]),
    # one's own log-in session (a token has none: nothing to keep alive)
    ("get", "/api/session", [200, 200, 200, 200, 200, 200, 401]),
    # one's own keyboard shortcuts on the coding page
    ("get", "/api/account/shortcuts", [200, 200, 200, 200, 200, 200, 401]),
    ("put", "/api/account/shortcuts", [200, 200, 200, 200, 200, 200, 401]),
    # the retention policy: admins only
    ("get", "/api/policy", [404, 404, 404, 404, 404, 200, 401]),
    ("put", "/api/policy", [404, 404, 404, 404, 404, 200, 401]),
]

BODIES = {
    "/api/cases/{case}/consents": {"person": "aunt", "role": "other", "purposes": ["analysis"], "date": "2026-01-05"},
    "/api/cases/{case}/consents/withdraw": {"person": "father", "purposes": ["analysis"]},
    "/api/cases": {"code": "NEW-1", "learning_question": "How do I listen?"},
    "/api/clips/{clip}/moments": {"start_ms": 400, "code": "bc.initiatief"},
    "/api/moments/{moment}": {"version": 1, "note": "She looks up."},
    "/api/clips/{clip}": {"title": "Second visit"},
    "/api/clips/{clip}/reviews": {"supervisor": "other_supervisor@example.org", "question": "Look at my questions."},
    "/api/reviews/{review}/feedback": {"kind": "strength", "text": "Ik zie dat je wacht.", "start_ms": 0},
    "/api/reviews/{review}/feedback/{feedback}": {"text": "Ik zie dat je rustig wacht."},
    "/api/reviews/{review}/answers": {"text": "Thank you."},
    "/api/policy": {"clip_max_months": 12},
    "/api/account/shortcuts": {"single_keys": False, "keys": {"bc.initiatief": "q"}},
    "/api/suggestions/{suggestion}/accept": {"code": "bc.initiatief"},
    "/api/clips/{clip}/voices": {"A": "worker", "B": "client"},
}


@pytest.fixture
def moment(api, ready_clip):
    made = api("worker").post(f"/api/clips/{ready_clip['id']}/moments", json={"start_ms": 200, "code": "bc.ontvangen"})
    assert made.status_code == 201, made.json
    return made.json


@pytest.fixture
def feedback(api, review):
    made = api("supervisor").post(
        f"/api/reviews/{review['id']}/feedback", json={"kind": "effect", "text": "Het effect is dat hij opkijkt.", "start_ms": 100}
    )
    assert made.status_code == 201, made.json
    return made.json


@pytest.fixture
def upload(api, case):
    """An upload in pieces the worker announced (tus), 1000 bytes long."""
    made = api("worker").post("/api/tus", headers={**TUS, "Upload-Length": "1000", "Upload-Metadata": f"case_id {_b64(case['id'])}"})
    assert made.status_code == 201, made.json
    return int(made.headers["Location"].rsplit("/", 1)[1])


TRANSCRIPT = b"WEBVTT\n\n00:00.000 --> 00:01.500\n<v A>Goedemorgen.\n"


@pytest.fixture
def transcript(api, ready_clip):
    made = api("worker").post(
        f"/api/clips/{ready_clip['id']}/transcript", data={"file": (io.BytesIO(TRANSCRIPT), "t.vtt"), "language": "nl"}
    )
    assert made.status_code == 201, made.json


@pytest.fixture
def suggestion(app, ready_clip) -> int:
    return store_sound(app, ready_clip["id"])[0]


@pytest.fixture
def objects(case, ready_clip, moment, review, feedback, upload, transcript, suggestion):
    return {
        "suggestion": suggestion,
        "case": case["id"],
        "clip": ready_clip["id"],
        "moment": moment["id"],
        "review": review["id"],
        "feedback": feedback["id"],
        "upload": upload,
    }


TUS = {"Tus-Resumable": "1.0.0"}


def _b64(value) -> str:
    return base64.b64encode(str(value).encode()).decode()


def _request(api, who, method, template, objects, videos):
    url = template.format(**objects)
    client = api(who)
    if template == "/api/clips":
        return client.upload(objects["case"], videos["cfr.mp4"])
    if template == "/api/tus" and method == "post":
        return client.post(url, headers={**TUS, "Upload-Length": "1000", "Upload-Metadata": f"case_id {_b64(objects['case'])}"})
    if template == "/api/tus/{upload}" and method == "patch":
        return client.patch(url, data=b"x" * 10, headers={**TUS, "Content-Type": "application/offset+octet-stream", "Upload-Offset": "0"})
    if template == "/api/clips/{clip}/transcript" and method == "post":
        return client.post(url, data={"file": (io.BytesIO(TRANSCRIPT), "t.vtt"), "language": "nl"})
    if template.startswith("/api/tus"):
        return getattr(client, method)(url, headers=TUS)
    if template == "/api/clips/{clip}/import":
        moments = b"start_ms,end_ms,code\n400,,bc.initiatief\n"
        return client.post(url, data={"file": (io.BytesIO(moments), "moments.csv")}, content_type="multipart/form-data")
    if method in ("post", "patch", "put") and template in BODIES:
        return getattr(client, method)(url, json=BODIES[template])
    return getattr(client, method)(url)


def _check(response, expected: int, who) -> None:
    assert response.status_code == expected, (who, response.get_data(as_text=True)[:200])
    if response.status_code >= 400 and response.request.method != "HEAD":  # an answer to HEAD has no body
        assert response.is_json and response.json["error"]


READS = [row for row in API_MATRIX if row[0] in ("get", "head", "options")]
CHANGES = [row for row in API_MATRIX if row not in READS]


@pytest.mark.parametrize("method, template, statuses", READS, ids=[u for _, u, _ in READS])
def test_reading(api, objects, videos, method, template, statuses):
    # Reads change nothing another person's read depends on, so one set of objects serves everyone.
    for who, expected in zip(PEOPLE, statuses, strict=True):
        _check(_request(api, who, method, template, objects, videos), expected, who)


@pytest.mark.parametrize("method, template, statuses", CHANGES, ids=[f"{m} {u}" for m, u, _ in CHANGES])
@pytest.mark.parametrize("position, who", list(enumerate(PEOPLE)), ids=IDS)
def test_changing(api, objects, videos, method, template, statuses, position, who):
    _check(_request(api, who, method, template, objects, videos), statuses[position], who)


@pytest.mark.parametrize("who, count", [("worker", 1), ("other_worker", 0), ("supervisor", 0), ("trainer", 0), ("admin", 0)])
def test_lists_show_only_what_a_person_may_see(api, ready_clip, who, count):
    assert len(api(who).get("/api/clips").json) == count
    assert len(api(who).get("/api/cases").json) == count
    assert len(api(who).get(f"/api/clips?case_id={ready_clip['case_id']}").json) == count


def test_a_review_request_adds_only_its_clip_to_the_supervisors_list(api, review, ready_clip):
    assert [c["id"] for c in api("supervisor").get("/api/clips").json] == [ready_clip["id"]]
    assert api("supervisor").get("/api/cases").json == []
    assert api("other_supervisor").get("/api/clips").json == []


# Pages: status for owner, other worker, asked supervisor, unrelated supervisor, trainer, admin;
# anonymous visitors are sent to the login page.
PAGE_MATRIX = [
    ("/cases/{case}", [200, 404, 404, 404, 404, 404]),
    ("/clips/{clip}", [200, 404, 200, 404, 404, 404]),
    ("/clips/{clip}/coding", [200, 404, 200, 404, 404, 404]),
    ("/clips/{clip}/review", [200, 404, 200, 404, 404, 404]),
    ("/clips/{clip}/agreement", [200, 404, 200, 404, 404, 404]),
    ("/cases", [200, 200, 200, 200, 200, 200]),
    ("/reviews", [200, 200, 200, 200, 200, 200]),
    ("/reviews/{review}", [200, 404, 200, 404, 404, 404]),
    ("/notifications", [200, 200, 200, 200, 200, 200]),
    ("/admin/users", [404, 404, 404, 404, 404, 200]),
    ("/admin/users/{admin}", [404, 404, 404, 404, 404, 200]),
    ("/admin/audit", [404, 404, 404, 404, 404, 200]),
    ("/admin/audit.csv", [404, 404, 404, 404, 404, 200]),
    ("/admin/retention", [404, 404, 404, 404, 404, 200]),
    ("/admin/jobs", [404, 404, 404, 404, 404, 200]),
    ("/account", [200, 200, 200, 200, 200, 200]),
]


@pytest.mark.parametrize("template, statuses", PAGE_MATRIX, ids=[u for u, _ in PAGE_MATRIX])
def test_page_access(app, browser_login, people, objects, template, statuses):
    check_page(app, browser_login, template.format(admin=people["admin"].id, **objects), statuses)


def check_page(app, browser_login, url: str, statuses: list[int]) -> None:
    """Each logged-in person of PEOPLE gets the page's status; anonymous visitors are sent to log in."""
    for who, status in zip(PEOPLE[:-1], statuses, strict=True):
        assert browser_login(who).get(url).status_code == status, who
    anonymous = app.test_client().get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.location


def test_someone_elses_clip_page_does_not_reveal_it(browser_login, ready_clip):
    page = browser_login("other_worker").get(f"/clips/{ready_clip['id']}").get_data(as_text=True)
    assert ready_clip["title"] not in page and "2026-017" not in page


def test_an_admin_never_gets_client_video_or_moments(api, objects):
    admin = api("admin")
    for url in (
        "/api/clips/{clip}/media",
        "/api/clips/{clip}/thumbnail?t=0",
        "/api/clips/{clip}/moments",
        "/api/clips/{clip}/feedback",
        "/api/clips/{clip}/agreement",
        "/api/reviews/{review}",
    ):
        assert admin.get(url.format(**objects)).status_code == 404


# A deleted clip: every endpoint about it, its moments, reviews and feedback answers 404 to everyone
# (401 to the anonymous), exactly as for a clip that never existed.
ABOUT_A_CLIP = [
    row for row in API_MATRIX if any(f"{{{name}}}" in row[1] for name in ("clip", "moment", "review", "feedback", "suggestion"))
]


@pytest.mark.parametrize("method, template, statuses", ABOUT_A_CLIP, ids=[f"{m} {u}" for m, u, _ in ABOUT_A_CLIP])
def test_nothing_of_a_deleted_clip_can_be_reached(app, api, objects, videos, method, template, statuses):
    assert api("worker").delete(f"/api/clips/{objects['clip']}").status_code == 200
    for who in PEOPLE:
        _check(_request(api, who, method, template, objects, videos), 404 if who else 401, who)


# Infrastructure (status for everyone above, anonymous included): the probes answer everyone and
# reveal nothing; /metrics does not exist while VIB_METRICS_TOKEN is unset (tests/core/test_metrics.py
# checks it with the token). A person's API token or log-in never opens it.
INFRASTRUCTURE_MATRIX = [
    ("/healthz", [200, 200, 200, 200, 200, 200, 200]),
    ("/readyz", [200, 200, 200, 200, 200, 200, 200]),
    ("/metrics", [404, 404, 404, 404, 404, 404, 404]),
]


@pytest.mark.parametrize("url, statuses", INFRASTRUCTURE_MATRIX, ids=[u for u, _ in INFRASTRUCTURE_MATRIX])
def test_infrastructure_access(app, api, browser_login, url, statuses):
    for who, expected in zip(PEOPLE, statuses, strict=True):
        assert api(who).get(url).status_code == expected, who
        if who:
            assert browser_login(who).get(url).status_code == expected, who


@pytest.mark.parametrize("who", PEOPLE, ids=IDS)
def test_no_persons_token_or_log_in_opens_the_metrics(app, api, browser_login, who):
    app.config["VIB_METRICS_TOKEN"] = "the-scrapers-own-token"
    assert api(who).get("/metrics").status_code in (401, 404)
    if who:
        assert browser_login(who).get("/metrics").status_code in (401, 404)
