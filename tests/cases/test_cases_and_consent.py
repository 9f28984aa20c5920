"""Cases are pseudonymous; consent is held per person and per purpose."""

import re
from datetime import timedelta

import pytest

from tests.days import organisation_today

TODAY = organisation_today().isoformat()


def test_create_and_read_a_case(api):
    worker = api("worker")
    made = worker.post("/api/cases", json={"code": "2026-101", "learning_question": "How do I round off a visit?"})
    assert made.status_code == 201
    assert made.json["code"] == "2026-101" and made.json["consents"] == []
    assert worker.get(f"/api/cases/{made.json['id']}").json["learning_question"] == "How do I round off a visit?"
    assert [c["code"] for c in worker.get("/api/cases").json] == ["2026-101"]


@pytest.mark.parametrize(
    "body, words",
    [
        ({"code": "Jan Jansen", "learning_question": "Q?"}, "never a name"),
        ({"code": "", "learning_question": "Q?"}, "case code"),
        ({"code": "C-1", "learning_question": "  "}, "learning question"),
        ({"code": "C-1", "learning_question": "x" * 2001}, "too long"),
    ],
)
def test_invalid_cases_are_refused_with_a_reason(api, body, words):
    response = api("worker").post("/api/cases", json=body)
    assert response.status_code == 422 and words in response.json["error"]


def test_a_case_code_is_unique_per_worker(api):
    body = {"code": "C-1", "learning_question": "Q?"}
    assert api("worker").post("/api/cases", json=body).status_code == 201
    assert api("worker").post("/api/cases", json=body).status_code == 422
    assert api("other_worker").post("/api/cases", json=body).status_code == 201


def test_malformed_json_is_refused(api):
    response = api("worker").post("/api/cases", data="{not json", content_type="application/json")
    assert response.status_code == 400 and response.json["error"]


def test_consent_accumulates_per_person_and_can_be_withdrawn(api, case):
    worker = api("worker")
    url = f"/api/cases/{case['id']}/consents"
    worker.post(url, json={"person": "father", "role": "parent", "purposes": ["supervision", "training"], "date": TODAY})
    people = {p["person"]: p for p in worker.get(f"/api/cases/{case['id']}").json["consents"]}
    assert people["father"]["purposes"] == ["analysis", "supervision", "training"]
    withdrawn = worker.post(f"{url}/withdraw", json={"person": "FATHER", "purposes": ["training", "analysis"]})
    assert withdrawn.status_code == 200
    people = {p["person"]: p for p in withdrawn.json["consents"]}
    assert people["father"]["purposes"] == ["supervision"]
    assert "father" in withdrawn.json["upload_refusal"]


@pytest.mark.parametrize(
    "body, words",
    [
        ({"person": "", "role": "parent", "purposes": ["analysis"], "date": TODAY}, "Describe the person"),
        ({"person": "aunt", "role": "queen", "purposes": ["analysis"], "date": TODAY}, "role"),
        ({"person": "aunt", "role": "other", "purposes": [], "date": TODAY}, "purposes"),
        ({"person": "aunt", "role": "other", "purposes": ["marketing"], "date": TODAY}, "purposes"),
        ({"person": "aunt", "role": "other", "purposes": ["analysis"], "date": "5 May"}, "YYYY-MM-DD"),
        (
            {"person": "aunt", "role": "other", "purposes": ["analysis"], "date": (organisation_today() + timedelta(days=2)).isoformat()},
            "future",
        ),
    ],
)
def test_invalid_consent_is_refused_with_a_reason(api, case, body, words):
    response = api("worker").post(f"/api/cases/{case['id']}/consents", json=body)
    assert response.status_code == 422 and words in response.json["error"]


def test_withdrawing_for_an_unknown_person_is_refused(api, case):
    response = api("worker").post(f"/api/cases/{case['id']}/consents/withdraw", json={"person": "uncle", "purposes": ["analysis"]})
    assert response.status_code == 422 and "uncle" in response.json["error"]


def consent_table(client, case) -> str:
    page = client.get(f"/cases/{case['id']}").get_data(as_text=True)
    return re.search(r'<table class="consent"[^>]*>.*?</table>', page, re.S).group(0)


def test_consent_through_the_page(browser_login, case):
    client = browser_login("worker")
    client.post(
        f"/cases/{case['id']}/consents",
        data={"person": "grandmother", "role": "other", "purposes": ["analysis", "training"], "date": TODAY, "csrf_token": client.csrf},
    )
    table = consent_table(client, case)
    assert "grandmother" in table and "Internal training library" in table
    client.post(
        f"/cases/{case['id']}/consents/withdraw", data={"person": "grandmother", "purposes": ["training"], "csrf_token": client.csrf}
    )
    assert "Internal training library" not in consent_table(client, case)
