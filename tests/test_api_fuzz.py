"""The whole JSON API, fuzzed from its own description (/api/openapi.json) by schemathesis: whatever a
client sends, in or out of the described types, vib answers it without a server error (5xx)."""

from __future__ import annotations

import base64

import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.conftest import wait_for_jobs


@schemathesis.serializer("application/offset+octet-stream")
def _piece(_context, value) -> bytes:
    """A piece of a tus upload is bytes, whatever else schemathesis made up."""
    return value if isinstance(value, bytes) else str(value).encode()


FUZZ = settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)


def test_no_request_answers_a_server_error(app, api, people, ready_clip):
    """Every operation of the description, as the worker, twice: with the ids schemathesis makes up
    (mostly nobody's: 404) and with the ids of a real case, clip and moment, so that the bodies reach
    the checks behind the door."""
    moment = api("worker").post(f"/api/clips/{ready_clip['id']}/moments", json={"start_ms": 0, "code": "bc.initiatief"}).json
    metadata = "case_id " + base64.b64encode(str(ready_clip["case_id"]).encode()).decode()
    headers = {"Authorization": f"Bearer {people['worker'].token}"}
    known = {"case_id": ready_clip["case_id"], "clip_id": ready_clip["id"], "moment_id": moment["id"]}
    # tus: the real case in the metadata, and pieces sent at the start of a real upload (made-up
    # headers come with made-up ids)
    real_headers = {"Upload-Metadata": metadata, "Upload-Offset": "0"}

    def new_upload() -> int:
        made = api("worker").post("/api/tus", headers={"Tus-Resumable": "1.0.0", "Upload-Length": "300", "Upload-Metadata": metadata})
        return int(made.headers["Location"].rsplit("/", 1)[1])

    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40

    def with_real_ids(case):
        case.path_parameters = {name: known.get(name, value) for name, value in (case.path_parameters or {}).items()}
        if case.headers:
            case.headers = {name: real_headers.get(name, value) for name, value in case.headers.items()}
        return case

    for operation in operations:
        if "{upload_id}" in operation.path:
            known["upload_id"] = new_upload()  # the one before may have been ended (DELETE)
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
    piece = document["paths"]["/api/tus/{upload_id}"]["patch"]
    assert "application/offset+octet-stream" in piece["requestBody"]["content"]
    assert {"Tus-Resumable", "Upload-Offset"} <= {p["name"] for p in piece["parameters"] if p["in"] == "header"}
