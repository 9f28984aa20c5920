"""`vib export clip` and `vib export case`: every moment of a clip or a case, for a researcher."""

from __future__ import annotations

import csv
import io
import zipfile

from tests.conftest import copy_processed_clip
from tests.interop.conftest import CODED, upload
from tests.privacy.conftest import cli
from vib.core import db
from vib.core.audit import AuditEvent


def test_a_clip_is_exported_on_the_command_line_in_every_format(app, api, coded_clip, clip_copy, tmp_path):
    for fmt in ("eaf", "boris", "csv", "vtt"):
        out = tmp_path / f"clip.{fmt}"
        done = cli(app, "export", "clip", str(coded_clip["id"]), "--format", fmt, "--out", str(out))
        assert done.exit_code == 0, done.output
        assert out.stat().st_size > 0
    assert upload(api("worker"), clip_copy, (tmp_path / "clip.eaf").read_bytes()).json["created"] == len(CODED)
    assert (tmp_path / "clip.vtt").read_text().startswith("WEBVTT")
    with app.app_context():
        roles = {(e.role, e.detail) for e in db.session().query(AuditEvent).filter(AuditEvent.action == "clip.export")}
    assert roles == {("cli", f"format={fmt}") for fmt in ("eaf", "boris", "csv", "vtt")}


def test_a_case_is_exported_as_one_zip_of_all_its_clips(app, api, people, case, coded_clip, processed_clip, tmp_path):
    second = copy_processed_clip(app, people, case["id"], processed_clip, title="Tweede bezoek", cycle=2)
    api("worker").post(f"/api/clips/{second}/moments", json={"start_ms": 40, "code": "bc.ontvangen"})
    out = tmp_path / "case.zip"
    done = cli(app, "export", "case", "2026-017", "--format", "csv", "--out", str(out))
    assert done.exit_code == 0, done.output
    archive = zipfile.ZipFile(out)
    assert sorted(archive.namelist()) == sorted(["moments.csv", f"clip-{coded_clip['id']}-figures.csv", f"clip-{second}-figures.csv"])
    rows = list(csv.DictReader(io.StringIO(archive.read("moments.csv").decode("utf-8-sig"))))
    assert [(r["cycle"], r["code"]) for r in rows][-1] == ("2", "bc.ontvangen") and len(rows) == len(CODED) + 1
    assert {r["clip"] for r in rows} == {coded_clip["title"], "Tweede bezoek"}


def test_the_command_refuses_what_does_not_exist_or_is_no_longer_consented(app, api, coded_clip, tmp_path):
    out = str(tmp_path / "x")
    assert "no clip 999" in cli(app, "export", "clip", "999", "--format", "eaf", "--out", out).output
    assert "no case NOPE" in cli(app, "export", "case", "NOPE", "--out", out).output
    assert cli(app, "export", "clip", str(coded_clip["id"]), "--format", "pdf", "--out", out).exit_code != 0
    api("worker").post(f"/api/cases/{coded_clip['case_id']}/consents/withdraw", json={"person": "father", "purposes": ["analysis"]})
    refused = cli(app, "export", "clip", str(coded_clip["id"]), "--format", "eaf", "--out", out)
    assert refused.exit_code != 0 and "consent" in refused.output.lower()


def test_a_cases_moments_imported_into_one_clip_come_with_a_warning(
    app, api, people, case, coded_clip, clip_copy, processed_clip, tmp_path
):
    second = copy_processed_clip(app, people, case["id"], processed_clip, title="Tweede bezoek", cycle=2)
    api("worker").post(f"/api/clips/{second}/moments", json={"start_ms": 40, "code": "bc.ontvangen"})
    out = tmp_path / "case.zip"
    assert cli(app, "export", "case", "2026-017", "--out", str(out)).exit_code == 0
    report = upload(api("worker"), clip_copy, zipfile.ZipFile(out).read("moments.csv"), "moments.csv", dry_run=True).json
    assert report["created"] == len(CODED) + 1
    assert any("moments of 2 clips" in w["reason"] for w in report["warnings"])
