"""A clip's transcript: WebVTT or SRT in, cues stored per clip, WebVTT out for the players' captions;
bad files refused with the line at fault, cues outside the clip skipped and reported; client data
that goes with the clip and into the case's export."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
import webvtt
from sqlalchemy import func, select

from tests.conftest import wait_for_jobs
from vib.clips.models import Transcript
from vib.clips.transcripts import MAX_BYTES
from vib.core import db
from vib.core.audit import AuditEvent

VTT = """WEBVTT

00:00.000 --> 00:01.200
<v A>Goedemorgen, hoe gaat het?</v>

intro-2
00:00:01.500 --> 00:00:02.800 align:start
<v.loud B>Goed, <i>dank je</i> &amp; met jou?

00:03.000 --> 00:03.900
10:30 - Zonder spreker.
"""

SRT = """1
00:00:00,500 --> 00:00:01,500
<i>Kijk</i> eens hier.

2
00:00:02,000 --> 00:00:03,250
Ja,
twee regels.
"""


def send(client, clip_id: int, content: bytes | str, language: str | None = "nl", speakers: str | None = None, name="t.vtt"):
    data = {"file": (io.BytesIO(content.encode() if isinstance(content, str) else content), name)}
    if language is not None:
        data["language"] = language
    if speakers is not None:
        data["speakers"] = speakers
    return client.post(f"/api/clips/{clip_id}/transcript", data=data, content_type="multipart/form-data")


def stored(app, clip_id: int) -> list[Transcript]:
    with app.app_context():
        return db.session().scalars(select(Transcript).where(Transcript.clip_id == clip_id)).all()


def test_a_webvtt_transcript_is_stored_with_speakers_named_through_the_map(app, api, ready_clip):
    worker = api("worker")
    made = send(worker, ready_clip["id"], VTT, speakers="A:worker,B:client")
    assert made.status_code == 201, made.json
    assert made.json["cues"] == 3 and made.json["skipped"] == []
    got = worker.get(f"/api/clips/{ready_clip['id']}/transcript").json
    assert got["language"] == "nl" and got["label"] in ("Dutch", "Nederlands")
    assert got["cues"] == [
        {"start_ms": 0, "end_ms": 1200, "speaker": "worker", "text": "Goedemorgen, hoe gaat het?"},
        {"start_ms": 1500, "end_ms": 2800, "speaker": "client", "text": "Goed, dank je & met jou?"},
        {"start_ms": 3000, "end_ms": 3900, "speaker": None, "text": "10:30 - Zonder spreker."},
    ]


def test_speakers_may_be_given_as_json_and_unmapped_voices_keep_their_name(api, ready_clip):
    worker = api("worker")
    assert send(worker, ready_clip["id"], VTT, speakers=json.dumps({"A": "Anne (werker)"})).status_code == 201
    speakers = [cue["speaker"] for cue in worker.get(f"/api/clips/{ready_clip['id']}/transcript").json["cues"]]
    assert speakers == ["Anne (werker)", "B", None]


def test_an_srt_transcript_is_read_by_its_content_whatever_its_name(api, ready_clip):
    worker = api("worker")
    made = send(worker, ready_clip["id"], SRT, language="en", name="captions.txt")
    assert made.status_code == 201, made.json
    cues = worker.get(f"/api/clips/{ready_clip['id']}/transcript").json["cues"]
    assert [(c["start_ms"], c["end_ms"], c["text"]) for c in cues] == [(500, 1500, "Kijk eens hier."), (2000, 3250, "Ja, twee regels.")]


def test_the_players_track_is_webvtt_naming_the_speakers(api, ready_clip):
    worker = api("worker")
    send(worker, ready_clip["id"], VTT, speakers="A:worker")
    track = worker.get(f"/api/clips/{ready_clip['id']}/transcript.vtt")
    assert track.status_code == 200 and track.mimetype == "text/vtt"
    assert "no-store" in track.headers["Cache-Control"]
    captions = webvtt.WebVTT.from_string(track.get_data(as_text=True)).captions
    assert [(c.start, c.end, c.voice, c.text) for c in captions] == [
        ("00:00:00.000", "00:00:01.200", "worker", "worker: Goedemorgen, hoe gaat het?"),  # players show no voice names
        ("00:00:01.500", "00:00:02.800", "B", "B: Goed, dank je &amp; met jou?"),  # escaped, as WebVTT wants
        ("00:00:03.000", "00:00:03.900", None, "10:30 - Zonder spreker."),
    ]


def test_cues_outside_the_clip_are_skipped_and_reported_one_running_over_is_cut_at_its_end(api, ready_clip):
    duration = ready_clip["duration_ms"]
    assert duration == 4000
    text = """WEBVTT

00:00.500 --> 00:01.000
In de clip.

00:03.500 --> 00:05.000
Loopt door na het einde.

00:04.000 --> 00:06.000
Na het einde.

00:02.000 --> 00:01.000
Achterstevoren.

00:01.000 --> 00:02.000
<b></b>
"""
    made = send(api("worker"), ready_clip["id"], text)
    assert made.status_code == 201, made.json
    assert made.json["cues"] == 2
    assert made.json["skipped"] == [
        {"cue": 3, "reason": "it starts after the clip ends"},
        {"cue": 4, "reason": "it ends before it starts"},
        {"cue": 5, "reason": "it has no text"},
    ]
    cues = api("worker").get(f"/api/clips/{ready_clip['id']}/transcript").json["cues"]
    assert [(c["start_ms"], c["end_ms"]) for c in cues] == [(500, 1000), (3500, 4000)]


@pytest.mark.parametrize(
    "content, line",
    [
        ("Dit is gewoon tekst.\nGeen ondertitels.\n", 1),
        ("\n\n<?xml version='1.0'?><tt/>\n", 3),
        ("WEBVTT\n\n00:00.000 --> 00:01.000\nGoed.\n\n00:02.000 -> 00:03.000\nKapot.\n", 6),  # `->` is no arrow
        ("WEBVTT\n\n00:00.000 --> 00:01.000\nGoed.\n\n00:02,000 --> 00:03,000\nSRT-tijden.\n", 6),
        ("1\n00:00:00,000 --> 00:00:01,000\nGoed.\n\n2\n00:00:02,000 --> later\nKapot.\n", 6),
    ],
    ids=["plain text", "xml", "broken arrow", "srt times in webvtt", "broken srt time"],
)
def test_a_file_that_is_not_webvtt_or_srt_is_refused_with_the_line_and_nothing_is_stored(app, api, ready_clip, content, line):
    made = send(api("worker"), ready_clip["id"], content)
    assert made.status_code == 422, made.json
    assert made.json["field"] == "file" and made.json["line"] == line
    assert str(line) in made.json["error"]
    assert stored(app, ready_clip["id"]) == []


@pytest.mark.parametrize(
    "content, message",
    [
        ("", "empty"),
        (b"\xff\xfe\x00W\x00E", "WebVTT or SRT"),  # UTF-16: not text vib reads
        ("WEBVTT\n\nNOTE alleen een opmerking\n", "no cues"),
        ("WEBVTT\n\n00:05.000 --> 00:06.000\nNa het einde.\n", "None of the transcript's cues"),
    ],
)
def test_a_transcript_without_a_cue_in_the_clip_is_refused(app, api, ready_clip, content, message):
    made = send(api("worker"), ready_clip["id"], content)
    assert made.status_code == 422 and message in made.json["error"], made.json
    assert stored(app, ready_clip["id"]) == []


@pytest.mark.parametrize(
    "language, speakers, field",
    [(None, None, "language"), ("Nederlands!", None, "language"), ("nl", "A=worker", "speakers"), ("nl", '{"A": 3}', "speakers")],
)
def test_a_wrong_language_or_speakers_map_is_refused_naming_the_field(api, ready_clip, language, speakers, field):
    made = send(api("worker"), ready_clip["id"], VTT, language=language, speakers=speakers)
    assert made.status_code == 422 and made.json["field"] == field, made.json


def test_a_50_mb_transcript_is_refused_with_413_before_it_is_read(app, api, ready_clip):
    read = []

    class Endless(io.RawIOBase):
        """50 MB that count what the server takes of them."""

        size = 50 * 1024 * 1024
        position = 0

        def readable(self):
            return True

        def seekable(self):
            return True

        def seek(self, offset, whence=io.SEEK_SET):
            self.position = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence] + offset
            return self.position

        def tell(self):
            return self.position

        def readinto(self, buffer):
            n = max(0, min(len(buffer), self.size - self.position))
            buffer[:n] = b"a" * n
            self.position += n
            read.append(n)
            return n

    response = api("worker").post(
        f"/api/clips/{ready_clip['id']}/transcript",
        input_stream=Endless(),
        content_type="multipart/form-data; boundary=x",
    )
    assert response.status_code == 413
    assert "at most 1 MB" in response.json["error"]
    assert sum(read) <= 2 * MAX_BYTES  # refused on its announced length, not after reading it
    assert stored(app, ready_clip["id"]) == []


def test_a_file_just_over_the_limit_within_the_forms_margin_is_refused_too(app, api, ready_clip):
    cue = "00:00.000 --> 00:01.000\nBla.\n\n"
    big = "WEBVTT\n\n" + cue * (MAX_BYTES // len(cue) + 10)
    assert MAX_BYTES < len(big) < MAX_BYTES + 1024
    refused = send(api("worker"), ready_clip["id"], big)
    assert refused.status_code == 413 and "at most 1 MB" in refused.json["error"]
    assert stored(app, ready_clip["id"]) == []


def test_a_new_transcript_replaces_the_old_one(app, api, ready_clip):
    worker = api("worker")
    assert send(worker, ready_clip["id"], VTT).status_code == 201
    assert send(worker, ready_clip["id"], SRT, language="en").status_code == 201
    [transcript] = stored(app, ready_clip["id"])
    assert transcript.language == "en" and len(transcript.cues) == 2
    # a refused replacement leaves the one there is
    assert send(worker, ready_clip["id"], "geen ondertitels").status_code == 422
    assert [t.language for t in stored(app, ready_clip["id"])] == ["en"]


def test_deleting_the_transcript_is_audited_like_its_upload(app, api, ready_clip):
    worker = api("worker")
    send(worker, ready_clip["id"], VTT)
    assert worker.delete(f"/api/clips/{ready_clip['id']}/transcript").status_code == 204
    assert stored(app, ready_clip["id"]) == []
    assert worker.get(f"/api/clips/{ready_clip['id']}/transcript.vtt").status_code == 404
    assert worker.delete(f"/api/clips/{ready_clip['id']}/transcript").status_code == 404
    with app.app_context():
        rows = db.session().scalars(select(AuditEvent).where(AuditEvent.action.like("transcript.%")).order_by(AuditEvent.id)).all()
        assert [(r.action, r.object_type, r.object_id, r.detail) for r in rows] == [
            ("transcript.upload", "clip", ready_clip["id"], "cues=3 skipped=0"),
            ("transcript.delete", "clip", ready_clip["id"], None),
        ]


def test_loading_the_captions_is_watching_the_clip(app, api, ready_clip, review):
    send(api("worker"), ready_clip["id"], VTT)
    assert api("supervisor").get(f"/api/clips/{ready_clip['id']}/transcript.vtt").status_code == 200
    assert api("supervisor").get(f"/api/clips/{ready_clip['id']}/transcript.vtt").status_code == 200
    with app.app_context():
        streams = db.session().scalars(select(AuditEvent).where(AuditEvent.action == "clip.stream")).all()
        assert [(r.user_email, r.object_id) for r in streams] == [("supervisor@example.org", ready_clip["id"])]


def test_while_consent_to_analysis_is_withdrawn_nobody_reads_the_transcript(api, case, ready_clip):
    worker = api("worker")
    send(worker, ready_clip["id"], VTT)
    withdrawn = worker.post(f"/api/cases/{case['id']}/consents/withdraw", json={"person": "father", "purposes": ["analysis"]})
    assert withdrawn.status_code == 200, withdrawn.json
    for url in ("transcript", "transcript.vtt"):
        refused = worker.get(f"/api/clips/{ready_clip['id']}/{url}")
        assert refused.status_code == 403 and "consent" in refused.json["error"].lower(), refused.json


def test_deleting_the_clip_deletes_its_transcript_and_the_tombstone_counts_it(app, api, ready_clip):
    worker = api("worker")
    send(worker, ready_clip["id"], VTT)
    deleted = worker.delete(f"/api/clips/{ready_clip['id']}")
    assert deleted.status_code == 200, deleted.json
    assert deleted.json["removed"]["transcripts"] == 1
    wait_for_jobs(app)
    with app.app_context():
        assert db.session().scalar(select(func.count(Transcript.id))) == 0
        row = db.session().scalars(select(AuditEvent).where(AuditEvent.action == "clip.delete")).one()
        assert "transcripts=1" in row.detail


def test_the_case_export_holds_the_transcripts_and_their_audit_rows(api, case, ready_clip):
    worker = api("worker")
    send(worker, ready_clip["id"], VTT, speakers="A:worker")
    response = worker.get(f"/api/cases/{case['id']}/export")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    document = json.loads(archive.read("case.json"))
    [transcript] = document["transcripts"]
    assert transcript["clip_id"] == ready_clip["id"] and transcript["language"] == "nl"
    assert [cue["text"] for cue in transcript["cues"]] == [
        "Goedemorgen, hoe gaat het?",
        "Goed, dank je & met jou?",
        "10:30 - Zonder spreker.",
    ]
    vtt = archive.read(f"transcripts/clip-{ready_clip['id']}.vtt").decode()
    assert vtt.startswith("WEBVTT") and "<v worker>worker: Goedemorgen" in vtt
    assert "transcript.upload" in archive.read("audit.csv").decode()
