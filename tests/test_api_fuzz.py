"""The whole JSON API, fuzzed from its own description (/api/openapi.json) by schemathesis: whatever a
client sends, in or out of the described types, vib answers it without a server error (5xx)."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.conftest import wait_for_jobs

FUZZ = settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)


def test_no_request_answers_a_server_error(app, api, people, ready_clip):
    """Every operation of the description, as the worker, twice: with the ids schemathesis makes up
    (mostly nobody's: 404) and with the ids of a real case, clip and moment, so that the bodies reach
    the checks behind the door."""
    moment = api("worker").post(f"/api/clips/{ready_clip['id']}/moments", json={"start_ms": 0, "code": "bc.initiatief"}).json
    known = {"case_id": ready_clip["case_id"], "clip_id": ready_clip["id"], "moment_id": moment["id"]}
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    headers = {"Authorization": f"Bearer {people['worker'].token}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40

    def with_real_ids(case):
        case.path_parameters = {name: known.get(name, value) for name, value in (case.path_parameters or {}).items()}
        return case

    for operation in operations:
        for strategy in (operation.as_strategy(), operation.as_strategy().map(with_real_ids)):

            @FUZZ
            @given(case=strategy)
            def answers_without_a_server_error(case):
                response = case.call(headers=headers)
                assert response.status_code < 500, case.as_curl_command()

            answers_without_a_server_error()
    wait_for_jobs(app)


def test_the_description_names_every_json_body(api, people):
    document = api("worker").get("/api/openapi.json").json
    assert document["openapi"].startswith("3.1")
    create = document["paths"]["/api/clips/{clip_id}/moments"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert {"start_ms", "end_ms", "code", "actor", "note", "tags"} <= set(create["properties"])
    assert "requestBody" in document["paths"]["/api/uploads/{upload_id}"]["put"]
