"""Agreement between two coders of one clip: the worker (a, the reference) and the supervisor who
reviews the clip (b). Only the moments the asker may see are compared: a worker sees the supervisor's
coding once that review's feedback is sent. The figures are vib.analysis.agreement's; here: that the
right moments go in, that the answer names them per code, and who may ask."""

from __future__ import annotations

import pytest

from vib.core import db
from vib.core.audit import AuditEvent

INITIATIVE, RECEPTION = "bc.initiatief", "bc.ontvangen"


def add(client, clip_id, **fields):
    response = client.post(f"/api/clips/{clip_id}/moments", json=fields)
    assert response.status_code == 201, response.json
    return response.json


@pytest.fixture
def two_codings(api, ready_clip, review):
    """The worker: initiatives at 0.4 s and 3.2 s, a reception from 1.2 to 2.4 s. The supervisor: an
    initiative at 0.6 s (the worker's first, 200 ms later) and a reception from 3.0 to 3.5 s (1.8 s
    after the worker's: too far to be the same one)."""
    clip = ready_clip["id"]
    worker, supervisor = api("worker"), api("supervisor")
    a = [
        add(worker, clip, start_ms=400, code=INITIATIVE),
        add(worker, clip, start_ms=1200, end_ms=2400, code=RECEPTION),
        add(worker, clip, start_ms=3200, code=INITIATIVE),
    ]
    b = [add(supervisor, clip, start_ms=600, code=INITIATIVE), add(supervisor, clip, start_ms=3000, end_ms=3500, code=RECEPTION)]
    return {"clip": clip, "a": a, "b": b}


def url(clip_id, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/api/clips/{clip_id}/agreement" + (f"?{query}" if query else "")


def compare(api, who, people, clip_id, **params):
    return api(who).get(url(clip_id, a=people["worker"].id, b=people["supervisor"].id, **params))


def send_feedback(api, review):
    supervisor = api("supervisor")
    made = supervisor.post(
        f"/api/reviews/{review['id']}/feedback", json={"kind": "strength", "text": "Ik zie dat je wacht.", "start_ms": 0}
    )
    assert made.status_code == 201, made.json
    assert supervisor.post(f"/api/reviews/{review['id']}/send").status_code == 200


# -- the figures -----------------------------------------------------------------------------------


def test_the_figures_per_code_of_a_known_pair_of_codings(api, people, two_codings):
    answer = compare(api, "supervisor", people, two_codings["clip"])
    assert answer.status_code == 200, answer.json
    result = answer.json
    assert result["a"]["id"] == people["worker"].id and result["a"]["role"] == "worker"
    assert result["b"]["id"] == people["supervisor"].id and result["b"]["role"] == "supervisor"
    assert (result["tolerance_ms"], result["grid_ms"]) == (1000, 500)
    rows = {row["code"]: row for row in result["by_code"]}
    assert set(rows) == {INITIATIVE, RECEPTION}
    initiative, reception = rows[INITIATIVE], rows[RECEPTION]
    assert (initiative["a"], initiative["b"], initiative["matched"], initiative["only_a"], initiative["only_b"]) == (2, 1, 1, 1, 0)
    assert (initiative["precision"], initiative["recall"], initiative["f1"]) == (1.0, 0.5, 0.667)
    assert (reception["matched"], reception["only_a"], reception["only_b"]) == (0, 1, 1)
    assert (reception["precision"], reception["recall"], reception["f1"]) == (0.0, 0.0, 0.0)
    assert initiative["code_label"] != INITIATIVE  # the scheme's name of the code
    overall = result["overall"]
    assert (overall["a"], overall["b"], overall["matched"], overall["precision"], overall["recall"]) == (3, 2, 1, 0.5, 0.333)
    assert result["f1"] == 0.4  # 2 * 1 / (3 + 2)


def test_the_matched_pair_and_the_lanes_moments(api, people, two_codings):
    result = compare(api, "supervisor", people, two_codings["clip"]).json
    first_a, reception_a, last_a = (m["id"] for m in two_codings["a"])
    first_b, reception_b = (m["id"] for m in two_codings["b"])
    assert result["pairs"] == [{"a": first_a, "b": first_b, "offset_ms": 200}]
    status_a = {m["id"]: m["status"] for m in result["moments"]["a"]}
    status_b = {m["id"]: m["status"] for m in result["moments"]["b"]}
    assert status_a == {first_a: "matched", reception_a: "only_a", last_a: "only_a"}
    assert status_b == {first_b: "matched", reception_b: "only_b"}
    assert next(m for m in result["moments"]["b"] if m["id"] == first_b)["partner"] == first_a


def test_kappa_on_the_grid_with_its_confusion_matrix(api, people, two_codings, ready_clip):
    assert ready_clip["duration_ms"] == 4000  # eight pieces of 500 ms
    kappa = compare(api, "supervisor", people, two_codings["clip"]).json["kappa"]
    assert [label["id"] for label in kappa["labels"]] == ["none", f"{INITIATIVE}/client", f"{RECEPTION}/worker"]
    assert kappa["labels"][0]["label"] == "nothing coded"
    # Pieces: a = I . R R R . I . ; b = . I . . . . R . (rows a, columns b)
    assert kappa["matrix"] == [[2, 1, 0], [1, 0, 1], [3, 0, 0]]
    assert kappa["observed"] == 0.25 and kappa["expected"] == round(23 / 64, 3)
    assert kappa["kappa"] == round((2 * 8 - 23) / (64 - 23), 3)  # below 0: worse than chance
    assert kappa["strength"] == "poor"


def test_a_wider_tolerance_and_a_coarser_grid_change_the_answer(api, people, two_codings):
    result = compare(api, "supervisor", people, two_codings["clip"], tolerance_ms=2000, grid_ms=4000).json
    assert result["overall"]["matched"] == 2  # the receptions, 1.8 s apart, now count as the same
    # One piece of 4 s, labelled by the moment that started last: a's initiative at 3.2 s against b's
    # reception at 3.0 s.
    assert result["kappa"]["matrix"] == [[0, 0, 0], [0, 0, 1], [0, 0, 0]]
    assert result["kappa"]["kappa"] == 0.0


def test_the_sentences_say_in_plain_words_what_b_marked_of_as_moments(api, people, two_codings):
    result = compare(api, "supervisor", people, two_codings["clip"]).json
    rows = {row["code"]: row["code_label"] for row in result["by_code"]}
    assert result["remarks"] == [
        f"Supervisor marked 1 of the 2 {rows[INITIATIVE]} moments Worker marked.",
        f"Supervisor did not mark the {rows[RECEPTION]} moment Worker marked.",
        f"Supervisor marked 1 more {rows[RECEPTION]} moment that Worker did not mark.",
    ]
    assert result["sentence"].startswith(result["remarks"][0])
    assert result["sentence"].endswith(
        "Cut into pieces of 0.5 s, the two codings show less agreement than chance would give (kappa -0.17)."
    )


def test_without_a_and_b_the_answer_is_the_coders_to_choose_from(api, people, two_codings):
    answer = api("supervisor").get(url(two_codings["clip"]))
    assert answer.status_code == 200
    assert [(c["id"], c["role"], c["moments"]) for c in answer.json["coders"]] == [
        (people["worker"].id, "worker", 3),
        (people["supervisor"].id, "supervisor", 2),
    ]


def test_a_comparison_is_in_the_audit_log(app, api, people, two_codings):
    compare(api, "supervisor", people, two_codings["clip"])
    with app.app_context():
        rows = db.session().query(AuditEvent).filter_by(action="clip.agreement").all()
        assert [(r.user_id, r.object_id, r.role, r.detail) for r in rows] == [
            (people["supervisor"].id, two_codings["clip"], "supervisor", f"a={people['worker'].id} b={people['supervisor'].id}")
        ]


# -- blind until the feedback is sent --------------------------------------------------------------------


def test_a_worker_cannot_compare_with_a_supervisor_whose_feedback_is_not_sent(api, people, two_codings):
    worker = api("worker")
    assert [c["id"] for c in worker.get(url(two_codings["clip"])).json["coders"]] == [people["worker"].id]
    answer = compare(api, "worker", people, two_codings["clip"])
    assert answer.status_code == 422 and answer.json["field"] == "b"
    assert "Supervisor" not in answer.get_data(as_text=True)


def test_once_the_feedback_is_sent_the_worker_compares_too(api, people, two_codings, review):
    send_feedback(api, review)
    answer = compare(api, "worker", people, two_codings["clip"])
    assert answer.status_code == 200, answer.json
    assert answer.json["overall"]["matched"] == 1


def test_the_supervisor_may_compare_before_sending(api, people, two_codings):
    # The supervisor sees the worker's moments all along: the blind rule protects the worker's coding
    # from being steered by the supervisor's, not the other way round.
    assert compare(api, "supervisor", people, two_codings["clip"]).status_code == 200


# -- bad requests ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params, field",
    [
        ({"a": "worker"}, "b"),
        ({"b": "supervisor"}, "a"),
        ({"a": "worker", "b": "worker"}, "b"),
        ({"a": "trainer", "b": "supervisor"}, "a"),  # no moments on this clip
        ({"a": "worker", "b": "other_supervisor"}, "b"),
        ({"a": "worker", "b": "supervisor", "tolerance_ms": -1}, "tolerance_ms"),
        ({"a": "worker", "b": "supervisor", "tolerance_ms": 10001}, "tolerance_ms"),
        ({"a": "worker", "b": "supervisor", "grid_ms": 39}, "grid_ms"),
        ({"a": "worker", "b": "supervisor", "grid_ms": 10001}, "grid_ms"),
    ],
)
def test_a_wrong_choice_is_a_422_naming_the_field(api, people, two_codings, params, field):
    params = {k: people[v].id if k in ("a", "b") else v for k, v in params.items()}
    answer = api("supervisor").get(url(two_codings["clip"], **params))
    assert answer.status_code == 422, answer.json
    assert answer.json["field"] == field and answer.json["error"]


def test_the_limits_themselves_are_accepted(api, people, two_codings):
    for params in ({"tolerance_ms": 0, "grid_ms": 40}, {"tolerance_ms": 10000, "grid_ms": 10000}):
        assert compare(api, "supervisor", people, two_codings["clip"], **params).status_code == 200


def test_a_number_that_is_not_one_is_refused(api, people, two_codings):
    assert compare(api, "supervisor", people, two_codings["clip"], tolerance_ms="soon").status_code == 400


# -- who may ask ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["other_worker", "other_supervisor", "trainer", "admin"])
def test_someone_elses_clip_is_a_404(api, people, two_codings, who):
    assert compare(api, who, people, two_codings["clip"]).status_code == 404
    assert api(who).get(url(two_codings["clip"])).status_code == 404


def test_nothing_is_compared_while_consent_to_analysis_is_withdrawn(api, people, two_codings, case):
    withdrawn = api("worker").post(f"/api/cases/{case['id']}/consents/withdraw", json={"person": "father", "purposes": ["analysis"]})
    assert withdrawn.status_code == 200, withdrawn.json
    answer = compare(api, "supervisor", people, two_codings["clip"])
    assert answer.status_code == 403 and answer.json["error"]


# -- the page (its look and keyboard use: tests/browser/test_agreement_page.py) ---------------------------


def page_text(client, clip_id, query="") -> tuple[int, str]:
    response = client.get(f"/clips/{clip_id}/agreement{query}")
    return response.status_code, response.get_data(as_text=True)


def test_the_page_without_a_choice_offers_the_two_coders_owner_first(browser_login, people, two_codings):
    status, html = page_text(browser_login("supervisor"), two_codings["clip"])
    assert status == 200
    assert f'<option value="{people["worker"].id}" selected>Worker' in html
    assert html.count(" selected>") == 2 and f'<option value="{people["supervisor"].id}" selected>Supervisor' in html
    assert '<svg class="agreement-lanes"' not in html


def test_the_page_shows_the_sentences_the_tables_and_the_paired_lanes(browser_login, people, two_codings):
    query = f"?a={people['worker'].id}&b={people['supervisor'].id}"
    status, html = page_text(browser_login("supervisor"), two_codings["clip"], query)
    assert status == 200
    assert "Supervisor marked 1 of the 2" in html
    assert '<caption id="matrix-caption">' in html and '<th scope="row">nothing coded</th>' in html
    lanes = html[html.index('<svg class="agreement-lanes"') : html.index("</svg>", html.index('<svg class="agreement-lanes"'))]
    assert "<title" in lanes and "<desc" in lanes and "style=" not in lanes
    assert lanes.count('class="pair-line"') == 1
    assert lanes.count('class="mark matched"') == 2 and lanes.count('class="mark only-a"') == 2 and lanes.count('class="mark only-b"') == 1
    assert html.count('class="row-matched"') == 1 and html.count('class="row-only_a"') == 2 and html.count('class="row-only_b"') == 1


def test_the_page_says_what_is_wrong_with_a_choice(browser_login, people, two_codings):
    status, html = page_text(browser_login("supervisor"), two_codings["clip"], f"?a={people['worker'].id}&b={people['worker'].id}")
    assert status == 422 and "Choose two different coders" in html and 'role="alert"' in html


def test_the_review_screen_and_the_coding_page_link_to_the_page_once_there_are_two_coders(browser_login, api, people, two_codings, review):
    link = f'href="/clips/{two_codings["clip"]}/agreement"'
    supervisor = browser_login("supervisor")
    for path in ("review", "coding"):
        assert link in supervisor.get(f"/clips/{two_codings['clip']}/{path}").get_data(as_text=True), path
        # The worker sees only their own coding until the feedback is sent: nothing to compare yet.
        assert link not in browser_login("worker").get(f"/clips/{two_codings['clip']}/{path}").get_data(as_text=True), path
    send_feedback(api, review)
    assert link in browser_login("worker").get(f"/clips/{two_codings['clip']}/review").get_data(as_text=True)


def test_the_page_compares_nothing_while_consent_to_analysis_is_withdrawn(api, browser_login, people, two_codings, case):
    api("worker").post(f"/api/cases/{case['id']}/consents/withdraw", json={"person": "father", "purposes": ["analysis"]})
    status, html = page_text(browser_login("supervisor"), two_codings["clip"], f"?a={people['worker'].id}&b={people['supervisor'].id}")
    assert status == 200
    assert 'class="notice" role="status"' in html
    assert "agreement-lanes" not in html and "<select" not in html and "Supervisor marked" not in html


def test_the_page_writes_its_comparison_to_the_audit_log(app, browser_login, people, two_codings):
    page_text(browser_login("supervisor"), two_codings["clip"])  # the form alone compares nothing
    page_text(browser_login("supervisor"), two_codings["clip"], f"?a={people['worker'].id}&b={people['supervisor'].id}")
    with app.app_context():
        rows = db.session().query(AuditEvent).filter_by(action="clip.agreement").all()
        assert [r.detail for r in rows] == [f"a={people['worker'].id} b={people['supervisor'].id}"]
