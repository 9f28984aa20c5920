"""A case's data for the person it concerns: a ZIP with case.json, moments.csv and audit.csv, and the
videos only when asked for."""

from __future__ import annotations

import csv
import io
import json
import zipfile

from tests.conftest import wait_for_jobs
from tests.privacy.conftest import cli


def unzip(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))


def test_the_owner_exports_everything_about_a_case(app, api, case, worked_clip, uploaded_clip):
    api("worker").delete(f"/api/clips/{uploaded_clip['id']}")
    wait_for_jobs(app)
    response = api("worker").get(f"/api/cases/{case['id']}/export")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "filename=vib-case-2026-017.zip" in response.headers["Content-Disposition"]
    archive = unzip(response.data)
    assert sorted(archive.namelist()) == ["audit.csv", "case.json", "moments.csv"]

    document = json.loads(archive.read("case.json"))
    assert document["case"]["code"] == "2026-017" and document["case"]["learning_question"] == "How do I keep the father engaged?"
    history = [(r["person"], r["action"], r["purposes"]) for r in document["consent_history"]]
    assert ("father", "grant", ["analysis"]) in history and ("father", "grant", ["supervision"]) in history
    assert [c["id"] for c in document["clips"]] == [worked_clip["id"]] and document["clips"][0]["delete_after"]
    assert [(t["clip_id"], t["reason"]) for t in document["deleted_clips"]] == [(uploaded_clip["id"], "owner")]
    assert [(m["start_ms"], m["code"]) for m in document["moments"]] == [(200, "bc.initiatief"), (800, "bc.initiatief")]
    [review] = document["reviews"]
    assert [f["text"] for f in review["feedback"]] == ["Ik zie dat je wacht."] and [a["text"] for a in review["answers"]] == ["Dank je."]

    moments = list(csv.DictReader(io.StringIO(archive.read("moments.csv").decode())))
    assert [(row["clip_id"], row["start_ms"], row["code"]) for row in moments] == [
        (str(worked_clip["id"]), "200", "bc.initiatief"),
        (str(worked_clip["id"]), "800", "bc.initiatief"),
    ]
    actions = [row["action"] for row in csv.DictReader(io.StringIO(archive.read("audit.csv").decode()))]
    assert {"consent.grant", "moment.create", "review.request", "feedback.create", "clip.delete", "case.export"} <= set(actions)


def test_with_media_the_export_holds_the_playable_videos(api, case, ready_clip):
    archive = unzip(api("worker").get(f"/api/cases/{case['id']}/export?media=1").data)
    video = archive.read(f"media/clip-{ready_clip['id']}.mp4")
    assert video == api("worker").get(f"/api/clips/{ready_clip['id']}/media").data


def test_nobody_else_exports_a_case(api, case, review):
    for who in ("other_worker", "supervisor", "trainer", "admin"):
        assert api(who).get(f"/api/cases/{case['id']}/export").status_code == 404
    assert api(None).get(f"/api/cases/{case['id']}/export").status_code == 401


def test_the_privacy_officer_exports_a_case_on_the_command_line(app, api, case, ready_clip, tmp_path):
    out = tmp_path / "case.zip"
    done = cli(app, "case", "export", "2026-017", "--out", str(out))
    assert done.exit_code == 0, done.output
    document = json.loads(unzip(out.read_bytes()).read("case.json"))
    assert [c["id"] for c in document["clips"]] == [ready_clip["id"]]
    missing = cli(app, "case", "export", "NOPE", "--out", str(tmp_path / "x.zip"))
    assert missing.exit_code != 0 and "no case NOPE" in missing.output
    rows = [r for r in csv.DictReader(io.StringIO(unzip(out.read_bytes()).read("audit.csv").decode())) if r["action"] == "case.export"]
    assert [r["role"] for r in rows] == ["cli"]
