"""Exchanging a clip's moments over the API: export in four formats, import of three, all or nothing."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest

from tests.interop.conftest import CODED, upload
from vib.core import db
from vib.core.audit import AuditEvent

FRAME_MS = 40  # cfr.mp4 plays at 25 frames a second


def moments(api, clip_id, who="worker"):
    return api(who).get(f"/api/clips/{clip_id}/moments").json


def essentials(listed):
    return sorted((m["code"], m["actor"], m["start_ms"], m["end_ms"], m["note"], m["tags"]) for m in listed)


def export(api, clip_id, fmt, who="worker"):
    response = api(who).get(f"/api/clips/{clip_id}/export?format={fmt}")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response


@pytest.mark.parametrize("fmt, extract", [("eaf", None), ("boris", None), ("csv", "moments.csv")])
def test_a_round_trip_into_a_copy_of_the_clip_gives_the_same_moments(app, api, coded_clip, clip_copy, fmt, extract):
    data = export(api, coded_clip["id"], fmt).data
    if extract:
        data = zipfile.ZipFile(io.BytesIO(data)).read(extract)
    answer = upload(api("worker"), clip_copy, data, f"moments.{fmt}")
    assert answer.status_code == 201, answer.json
    assert answer.json["created"] == len(CODED) and answer.json["skipped"] == 0 and not answer.json["errors"]
    before, after = essentials(moments(api, coded_clip["id"])), essentials(moments(api, clip_copy))
    assert len(before) == len(after)
    for old, new in zip(before, after, strict=True):
        assert old[:2] == new[:2] and old[4:] == new[4:]  # code, actor, note, tags
        assert abs(old[2] - new[2]) < FRAME_MS and (old[3] is None) == (new[3] is None)  # within one frame, a point stays one
        assert old[3] is None or abs(old[3] - new[3]) < FRAME_MS
    assert all(m["author"]["name"] == "Worker" for m in moments(api, clip_copy))


def test_imported_times_are_snapped_to_the_clips_frames(api, coded_clip, clip_copy):
    frames = api("worker").get(f"/api/clips/{clip_copy}/frames").json["times_ms"]
    data = export(api, coded_clip["id"], "boris").data.replace(b"0.400", b"0.419")
    assert upload(api("worker"), clip_copy, data, "b.tsv").status_code == 201
    starts = {m["start_ms"] for m in moments(api, clip_copy)}
    assert starts <= set(frames) and 400 in starts  # 0.419 s is on the frame that starts at 400 ms


def test_the_eaf_export_is_an_attachment_named_without_case_or_client(api, coded_clip):
    response = export(api, coded_clip["id"], "eaf")
    disposition = response.headers["Content-Disposition"]
    assert disposition == f'attachment; filename="vib-clip-{coded_clip["id"]}.eaf"'
    assert b"2026-017" not in response.data and b"father" not in response.data
    assert b'CVE_ID="bc.initiatief"' in response.data


def test_the_csv_export_is_a_zip_of_moments_and_figures_excel_can_read(api, coded_clip):
    response = export(api, coded_clip["id"], "csv")
    assert response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert sorted(archive.namelist()) == ["figures.csv", "moments.csv"]
    raw = archive.read("moments.csv")
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r["code"] for r in rows] == ["bc.initiatief", "bc.initiatief", "bc.ontvangen", "bc.beurt"]
    assert rows[0]["label"] == "Initiative" and rows[0]["duration_ms"] == "800" and rows[0]["author"] == "Worker"
    assert rows[2]["note"] == '\'=HYPERLINK("x")'  # never a formula in a spreadsheet
    figures = dict(csv.reader(io.StringIO(archive.read("figures.csv").decode("utf-8-sig"))))
    stats = api("worker").get(f"/api/clips/{coded_clip['id']}/stats").json
    assert figures["initiatives"] == str(stats["initiatives"]) and "by_code.0.code" in figures


def test_the_webvtt_export_has_moment_notes_and_sent_feedback(api, coded_clip, review):
    item = api("supervisor").post(
        f"/api/reviews/{review['id']}/feedback", json={"kind": "strength", "text": "Ik zie dat je wacht.", "start_ms": 1600}
    )
    assert item.status_code == 201
    before_sending = export(api, coded_clip["id"], "vtt").get_data(as_text=True)
    assert "Ik zie dat je wacht." not in before_sending  # a draft is not feedback yet
    assert api("supervisor").post(f"/api/reviews/{review['id']}/send").status_code == 200
    text = export(api, coded_clip["id"], "vtt").get_data(as_text=True)
    assert text.startswith("WEBVTT")
    assert "00:00:00.400 --> 00:00:01.200\nInitiative: Ze kijkt op." in text
    assert "00:00:01.600 --> 00:00:03.600\nStrength: Ik zie dat je wacht." in text


def test_export_and_import_are_audited_with_format_and_counts(app, api, coded_clip, clip_copy):
    export(api, coded_clip["id"], "boris")
    upload(api("worker"), clip_copy, export(api, coded_clip["id"], "eaf").data)
    with app.app_context():
        rows = [
            (e.action, e.object_id, e.detail)
            for e in db.session().query(AuditEvent).filter(AuditEvent.action.in_(["clip.export", "clip.import"]))
        ]
    assert ("clip.export", coded_clip["id"], "format=boris") in rows
    assert ("clip.import", clip_copy, "format=eaf created=4 skipped=0 unmapped=0") in rows


def test_a_dry_run_reports_and_creates_nothing(api, coded_clip, clip_copy):
    answer = upload(api("worker"), clip_copy, export(api, coded_clip["id"], "eaf").data, dry_run=True)
    assert answer.status_code == 200 and answer.json["dry_run"] and answer.json["created"] == 4
    assert moments(api, clip_copy) == []


EAF_BY_LABEL = """<?xml version="1.0" encoding="UTF-8"?>
<ANNOTATION_DOCUMENT FORMAT="3.0" VERSION="3.0">
 <HEADER TIME_UNITS="milliseconds"><PROPERTY NAME="vib:media_duration_ms">9000</PROPERTY></HEADER>
 <TIME_ORDER><TIME_SLOT TIME_SLOT_ID="ts1" TIME_VALUE="200"/><TIME_SLOT TIME_SLOT_ID="ts2" TIME_VALUE="600"/>
  <TIME_SLOT TIME_SLOT_ID="ts3" TIME_VALUE="3000"/><TIME_SLOT TIME_SLOT_ID="ts4" TIME_VALUE="5000"/></TIME_ORDER>
 <TIER TIER_ID="Cliënt" LINGUISTIC_TYPE_REF="x">
  <ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="a1" TIME_SLOT_REF1="ts1" TIME_SLOT_REF2="ts2"><ANNOTATION_VALUE>INITIATIEF</ANNOTATION_VALUE></ALIGNABLE_ANNOTATION></ANNOTATION>
  <ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="a2" TIME_SLOT_REF1="ts1" TIME_SLOT_REF2="ts2"><ANNOTATION_VALUE>laughs</ANNOTATION_VALUE></ALIGNABLE_ANNOTATION></ANNOTATION>
  <ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="a3" TIME_SLOT_REF1="ts1" TIME_SLOT_REF2="ts2"><ANNOTATION_VALUE>laughs</ANNOTATION_VALUE></ALIGNABLE_ANNOTATION></ANNOTATION>
  <ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="a4" TIME_SLOT_REF1="ts3" TIME_SLOT_REF2="ts4"><ANNOTATION_VALUE>Initiative</ANNOTATION_VALUE></ALIGNABLE_ANNOTATION></ANNOTATION>
 </TIER>
</ANNOTATION_DOCUMENT>"""


def test_codes_map_by_label_in_either_language_and_actors_by_tier_name(app, api, clip_copy):
    answer = upload(api("worker"), clip_copy, EAF_BY_LABEL.encode(), dry_run=True)
    report = answer.json
    assert answer.status_code == 200, report
    assert report["created"] == 1 and report["skipped"] == 3
    assert report["unmapped"] == [{"value": "laughs", "count": 2}]
    assert [w["line_or_annotation"] for w in report["warnings"]] == ["", "annotation a4"]  # media 9.0 s (the clip 4.0 s); past the end
    assert "9.0" in report["warnings"][0]["reason"]
    created = upload(api("worker"), clip_copy, EAF_BY_LABEL.encode())
    assert created.status_code == 201
    [moment] = moments(api, clip_copy)
    assert (moment["code"], moment["actor"], moment["start_ms"], moment["end_ms"]) == ("bc.initiatief", "client", 200, 600)


def test_importing_the_same_file_twice_skips_what_you_coded_already(api, coded_clip, clip_copy):
    data = export(api, coded_clip["id"], "eaf").data
    assert upload(api("worker"), clip_copy, data).json["created"] == 4
    again = upload(api("worker"), clip_copy, data).json
    assert again["created"] == 0 and again["skipped"] == 4
    assert len(moments(api, clip_copy)) == 4


def test_a_moment_made_between_two_frames_is_the_same_moment_when_its_export_comes_back(api, clip_copy):
    # Made through the API at 1020 ms (the coding page would have snapped it to the frame at 1000 ms).
    made = api("worker").post(f"/api/clips/{clip_copy}/moments", json={"start_ms": 1020, "end_ms": 2030, "code": "bc.beurt.jij"})
    assert made.status_code == 201 and made.json["start_ms"] == 1020
    again = upload(api("worker"), clip_copy, export(api, clip_copy, "eaf").data, "again.eaf").json
    assert again["created"] == 0 and again["skipped"] == 1
    assert len(moments(api, clip_copy)) == 1


BROKEN = [
    (b"\x00\x00\x00\x18ftypisom\x00\x00", "not a file vib imports"),
    (b"WEBVTT\n\n00:00.000 --> 00:01.000\nhello\n", "WebVTT"),
    (b'<?xml version="1.0"?>\n<ANNOTATION_DOCUMENT>\n<TIER>\n</ANNOTATION_DOCUMENT>', "line 4"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "not an ELAN file"),
    (b"clip,start_ms,end_ms,code\nx,12,5,bc.initiatief\n", "line 2"),
]


@pytest.mark.parametrize("data, words", BROKEN, ids=["video", "webvtt", "broken xml", "other xml", "csv ends before start"])
def test_a_wrong_or_broken_file_is_refused_naming_the_place_and_nothing_is_created(api, clip_copy, data, words):
    answer = upload(api("worker"), clip_copy, data)
    assert answer.status_code == 422, answer.json
    assert words in answer.json["error"] + " ".join(f"{e['line_or_annotation']} {e['reason']}" for e in answer.json["errors"])
    assert answer.json["created"] == 0 and answer.json["errors"]
    assert moments(api, clip_copy) == []


def test_one_bad_row_refuses_the_whole_file(api, coded_clip, clip_copy):
    good = zipfile.ZipFile(io.BytesIO(export(api, coded_clip["id"], "csv").data)).read("moments.csv")
    bad = good + b"Copy,1,900,abc,,bc.ontvangen,,worker,,,\r\n"
    dry = upload(api("worker"), clip_copy, bad, "m.csv", dry_run=True)
    assert dry.status_code == 200 and dry.json["created"] == 4 and [e["line_or_annotation"] for e in dry.json["errors"]] == ["line 6"]
    refused = upload(api("worker"), clip_copy, bad, "m.csv")
    assert refused.status_code == 422 and refused.json["created"] == 0
    assert moments(api, clip_copy) == []


@pytest.mark.parametrize("payload", ["xxe", "laughs"])
def test_xml_attacks_are_refused_safely(api, clip_copy, payload):
    from tests.interop.test_formats import LAUGHS, XXE

    answer = upload(api("worker"), clip_copy, XXE if payload == "xxe" else LAUGHS)
    assert answer.status_code == 422 and "entities" in answer.json["error"]
    assert "root:" not in answer.get_data(as_text=True)  # /etc/passwd was never read
    assert moments(api, clip_copy) == []


def test_a_file_over_five_megabytes_is_refused_with_413(api, clip_copy):
    answer = upload(api("worker"), clip_copy, b"a" * (5 * 1024 * 1024 + 1), "big.csv")
    assert answer.status_code == 413 and "5 MB" in answer.json["error"]
    far_too_big = upload(api("worker"), clip_copy, b"a" * (7 * 1024 * 1024), "big.csv")
    assert far_too_big.status_code == 413


def test_without_a_file_or_format_the_field_is_named(api, coded_clip):
    assert api("worker").post(f"/api/clips/{coded_clip['id']}/import").json["field"] == "file"
    wrong = api("worker").get(f"/api/clips/{coded_clip['id']}/export?format=pdf")
    assert wrong.status_code == 422 and wrong.json["field"] == "format"


def test_a_supervisor_exports_only_what_they_see_and_imports_as_themselves(api, coded_clip, review):
    exported = export(api, coded_clip["id"], "csv", who="supervisor").data
    rows = list(csv.DictReader(io.StringIO(zipfile.ZipFile(io.BytesIO(exported)).read("moments.csv").decode("utf-8-sig"))))
    assert len(rows) == len(CODED)  # the owner's moments: the supervisor reviews them
    eaf = export(api, coded_clip["id"], "eaf").data
    answer = upload(api("supervisor"), coded_clip["id"], eaf)
    assert answer.status_code == 201 and answer.json["created"] == 4
    supervisors = [m for m in moments(api, coded_clip["id"], "supervisor") if m["author"]["name"] == "Supervisor"]
    assert len(supervisors) == 4
    assert len(moments(api, coded_clip["id"], "worker")) == len(CODED)  # not shown to the worker before feedback is sent


def test_withdrawn_analysis_consent_stops_export_and_import_at_once(api, coded_clip):
    withdrawn = api("worker").post(
        f"/api/cases/{coded_clip['case_id']}/consents/withdraw", json={"person": "father", "purposes": ["analysis"]}
    )
    assert withdrawn.status_code == 200
    refused = api("worker").get(f"/api/clips/{coded_clip['id']}/export?format=eaf")
    assert refused.status_code == 403 and refused.json["error"]
    assert upload(api("worker"), coded_clip["id"], b"start_ms,code\n0,bc.initiatief\n").status_code == 403
