"""Malformed input never answers 500: ids beyond any row, numbers of thousands of digits, values of the
wrong JSON type and JSON nested deeper than any request of vib's each get a 4xx with a message."""

from __future__ import annotations

import pytest

HUGE = [str(2**31), str(2**63), str(10**30), "9" * 5000]  # the last one Python itself refuses to read


def huge_ids():
    return [pytest.param(number, id=f"{len(number)}-digits") for number in HUGE]


@pytest.mark.parametrize("number", huge_ids())
@pytest.mark.parametrize(
    "url",
    [
        "/api/clips/{n}",
        "/api/cases/{n}",
        "/api/clips/{n}/moments",
        "/api/reviews/{n}",
        "/api/clips/{n}/thumbnail?t=0",
        "/clips/{n}",
        "/cases/{n}",
    ],
)
def test_an_id_beyond_any_row_is_not_found(api, browser_login, url, number):
    client = api("worker") if url.startswith("/api") else browser_login("worker")
    response = client.get(url.format(n=number))
    assert response.status_code == 404


@pytest.mark.parametrize("number", huge_ids())
def test_a_huge_number_in_a_request_is_refused_with_a_reason(api, browser_login, review, ready_clip, videos, number):
    worker, supervisor = api("worker"), api("supervisor")
    assert worker.get(f"/api/clips?case_id={number}").status_code == 400
    refused = worker.upload(number, videos["cfr.mp4"])
    assert refused.status_code == 400 and refused.json["error"]
    as_json = number if len(number) < 100 else "1" + "0" * 30  # a JSON number, of a size Python reads
    for answer in (
        worker.post(f"/api/clips/{ready_clip['id']}/reviews", json={"supervisor": int(as_json), "question": "Kijk mee?"}),
        worker.post(f"/api/clips/{ready_clip['id']}/reviews", json={"supervisor": number, "question": "Kijk mee?"}),
        supervisor.post(
            f"/api/reviews/{review['id']}/feedback", json={"kind": "strength", "text": "Ik zie dat je wacht.", "moment_id": int(as_json)}
        ),
    ):
        assert answer.status_code == 422 and answer.json["error"], answer.json
    moment = worker.post(f"/api/clips/{ready_clip['id']}/moments", json={"start_ms": 0, "code": "bc.initiatief"}).json
    changed = worker.patch(f"/api/moments/{moment['id']}", json={"version": int(as_json), "note": "x"})
    assert changed.status_code == 409
    admin = browser_login("admin")
    assert admin.get(f"/admin/audit?object_id={number}").status_code == 422


@pytest.mark.parametrize(
    "url, body, field",
    [
        ("/api/cases", {"code": 17, "learning_question": "How do I listen?"}, "code"),
        ("/api/cases", {"code": "A-1", "learning_question": ["How", "do", "I", "listen?"]}, "learning_question"),
        ("/api/cases", {"code": "A-1", "learning_question": "How do I listen?", "scheme": ["vib-basiscommunicatie"]}, "scheme"),
        ("/api/cases", {"code": "A-1", "learning_question": "How do I listen?", "scheme": {"id": 1}}, "scheme"),
        ("/api/cases/{case}/consents", {"person": 5, "role": "parent", "purposes": ["analysis"], "date": "2026-01-05"}, "person"),
        ("/api/cases/{case}/consents/withdraw", {"person": {"name": "father"}, "purposes": ["analysis"]}, "person"),
    ],
)
def test_a_value_of_the_wrong_type_is_refused_naming_the_field(api, case, url, body, field):
    response = api("worker").post(url.format(case=case["id"]), json=body)
    assert response.status_code == 422 and response.json["field"] == field and response.json["error"]


def test_a_supervisor_given_as_a_list_is_refused(api, ready_clip):
    response = api("worker").post(f"/api/clips/{ready_clip['id']}/reviews", json={"supervisor": ["x"], "question": "Kijk mee?"})
    assert response.status_code == 422 and response.json["error"]


def test_an_answer_whose_text_is_not_text_is_refused(api, review):
    api("supervisor").post(
        f"/api/reviews/{review['id']}/feedback", json={"kind": "strength", "text": "Ik zie dat je wacht.", "start_ms": 0}
    )
    api("supervisor").post(f"/api/reviews/{review['id']}/send")
    response = api("worker").post(f"/api/reviews/{review['id']}/answers", json={"text": 42, "next_goal": "Wachten."})
    assert response.status_code < 500


def test_json_nested_deeper_than_any_request_is_refused(api):
    deep = "[" * 100_000 + "]" * 100_000
    response = api("worker").post("/api/cases", data=deep, content_type="application/json")
    assert response.status_code == 400 and "nested too deeply" in response.json["error"]
