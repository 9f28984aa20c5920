"""Suggestions from the sound, through the API: a clip's suggestions and loudness envelope, a coder
accepting one as a moment (on the clip's frames) or dismissing it for good, the owner naming the
voices, the figures in /stats, and the analysis going with the clip.

The analysis itself is tested in tests/analysis/test_speech.py; here a hand-made analysis is stored
(tests/sound.py), except in the tests of the job after processing."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from sqlalchemy import func, select

from tests.conftest import upload_and_process
from tests.sound import ENVELOPE, forget_sound, store_sound
from vib.clips.models import Clip
from vib.coding import suggestions
from vib.coding.models import AudioAnalysis, Suggestion, SuggestionDecision
from vib.core import db
from vib.core.audit import AuditEvent

# In time order (tests/sound.py): the worker's speech, its turn, the pause, the client's speech, its turn.
SPEECH_A, TURN_A, PAUSE, SPEECH_B, TURN_B = range(5)


@pytest.fixture
def heard(app, ready_clip):
    return store_sound(app, ready_clip["id"])


def listed(client, clip_id: int) -> list[dict]:
    response = client.get(f"/api/clips/{clip_id}/suggestions")
    assert response.status_code == 200, response.json
    return response.json


def test_a_clip_of_a_tone_has_its_loudness_but_no_suggestions(api, ready_clip):
    # ready_clip is cfr.mp4 as processed, analysis included: a 440 Hz tone is no speech
    envelope = api("worker").get(f"/api/clips/{ready_clip['id']}/audio/envelope").json
    assert envelope["state"] == "done" and envelope["voice_count"] == 0
    assert abs(len(envelope["values"]) - ready_clip["duration_ms"] / 20) <= 2 and max(envelope["values"]) > 50
    assert listed(api("worker"), ready_clip["id"]) == []


def test_a_clip_not_yet_analysed_has_no_suggestions_and_says_it_is_pending(app, api, ready_clip):
    forget_sound(app, ready_clip["id"])
    worker = api("worker")
    assert listed(worker, ready_clip["id"]) == []
    envelope = worker.get(f"/api/clips/{ready_clip['id']}/audio/envelope").json
    assert envelope["state"] == "pending" and envelope["values"] == []
    assert worker.get(f"/api/clips/{ready_clip['id']}/stats").json["audio"] is None


def test_suggestions_are_listed_in_time_order_with_kind_voice_confidence_and_state(api, ready_clip, heard):
    suggestions = listed(api("worker"), ready_clip["id"])
    assert [s["id"] for s in suggestions] == heard
    assert [(s["kind"], s["start_ms"], s["end_ms"], s["voice"]) for s in suggestions] == [
        ("speech", 210, 1390, "A"),
        ("turn", 210, 210, "A"),
        ("pause", 1390, 2890, None),
        ("speech", 2890, 3800, "B"),
        ("turn", 2890, 2890, "B"),
    ]
    assert {s["state"] for s in suggestions} == {"open"}
    assert suggestions[SPEECH_A]["confidence"] == pytest.approx(0.91)
    assert {s["actor"] for s in suggestions} == {None}  # nobody said yet who the voices are


def test_the_envelope_is_the_loudness_per_20_ms(api, ready_clip, heard):
    envelope = api("worker").get(f"/api/clips/{ready_clip['id']}/audio/envelope").json
    assert envelope["state"] == "done" and envelope["step_ms"] == 20
    assert envelope["values"] == ENVELOPE.tolist()
    assert envelope["voice_count"] == 2 and envelope["voices"] == {"A": None, "B": None}


def test_accepting_a_speech_suggestion_makes_a_moment_of_its_span_on_the_frames(app, api, ready_clip, heard):
    worker = api("worker")
    accepted = worker.post(f"/api/suggestions/{heard[SPEECH_A]}/accept", json={"code": "bc.initiatief"})
    assert accepted.status_code == 201, accepted.json
    moment = accepted.json
    # 25 frames a second: 210 ms is on the frame from 200 ms, 1390 ms on the frame from 1360 ms
    assert (moment["start_ms"], moment["end_ms"], moment["code"]) == (200, 1360, "bc.initiatief")
    assert moment["actor"] == "client"  # the code's own actor: the voices are not named yet
    assert [m["id"] for m in worker.get(f"/api/clips/{ready_clip['id']}/moments").json] == [moment["id"]]
    assert listed(worker, ready_clip["id"])[SPEECH_A]["state"] == "accepted"
    with app.app_context():
        actions = db.session().scalars(select(AuditEvent.action).where(AuditEvent.object_id == ready_clip["id"])).all()
    assert "suggestion.accept" in actions


def test_accepting_a_turn_makes_a_point_moment(api, ready_clip, heard):
    moment = api("worker").post(f"/api/suggestions/{heard[TURN_B]}/accept", json={"code": "bc.ontvangen"}).json
    assert (moment["start_ms"], moment["end_ms"]) == (2880, None)


def test_the_actor_follows_the_voice_once_the_owner_named_the_voices_unless_the_coder_says_otherwise(api, ready_clip, heard):
    worker = api("worker")
    named = worker.patch(f"/api/clips/{ready_clip['id']}/voices", json={"A": "worker", "B": "client"})
    assert named.status_code == 200, named.json
    assert named.json == {"A": "worker", "B": "client"}
    assert [s["actor"] for s in listed(worker, ready_clip["id"])] == ["worker", "worker", None, "client", "client"]
    assert worker.post(f"/api/suggestions/{heard[SPEECH_A]}/accept", json={"code": "bc.initiatief"}).json["actor"] == "worker"
    chosen = worker.post(f"/api/suggestions/{heard[SPEECH_B]}/accept", json={"code": "bc.initiatief", "actor": "worker"})
    assert chosen.json["actor"] == "worker"


def test_a_suggestion_is_accepted_once(api, ready_clip, heard):
    worker = api("worker")
    assert worker.post(f"/api/suggestions/{heard[PAUSE]}/accept", json={"code": "bc.initiatief"}).status_code == 201
    again = worker.post(f"/api/suggestions/{heard[PAUSE]}/accept", json={"code": "bc.initiatief"})
    assert again.status_code == 409 and "already" in again.json["error"]
    assert len(worker.get(f"/api/clips/{ready_clip['id']}/moments").json) == 1


def test_an_accepted_suggestion_whose_moment_was_deleted_is_open_again(api, ready_clip, heard):
    worker = api("worker")
    moment = worker.post(f"/api/suggestions/{heard[SPEECH_B]}/accept", json={"code": "bc.initiatief"}).json
    assert worker.delete(f"/api/moments/{moment['id']}").status_code == 204
    assert listed(worker, ready_clip["id"])[SPEECH_B]["state"] == "open"
    assert worker.post(f"/api/suggestions/{heard[SPEECH_B]}/accept", json={"code": "bc.initiatief"}).status_code == 201


@pytest.mark.parametrize(
    "body, field",
    [({}, "code"), ({"code": "bc.no-such-code"}, "code"), ({"code": "bc.initiatief", "actor": "neighbour"}, "actor")],
)
def test_a_bad_acceptance_is_refused_and_leaves_the_suggestion_open(app, api, ready_clip, heard, body, field):
    worker = api("worker")
    refused = worker.post(f"/api/suggestions/{heard[SPEECH_A]}/accept", json=body)
    assert refused.status_code == 422 and refused.json["field"] == field
    assert listed(worker, ready_clip["id"])[SPEECH_A]["state"] == "open"
    assert worker.get(f"/api/clips/{ready_clip['id']}/moments").json == []
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(SuggestionDecision)) == 0


def test_a_dismissed_suggestion_stays_dismissed_for_that_coder_only(api, ready_clip, heard, review):
    worker, supervisor = api("worker"), api("supervisor")
    assert worker.post(f"/api/suggestions/{heard[PAUSE]}/dismiss").status_code == 204
    assert worker.post(f"/api/suggestions/{heard[PAUSE]}/dismiss").status_code == 204  # twice is once
    assert listed(worker, ready_clip["id"])[PAUSE]["state"] == "dismissed"
    assert listed(worker, ready_clip["id"])[PAUSE]["state"] == "dismissed"  # read again: still dismissed
    assert listed(supervisor, ready_clip["id"])[PAUSE]["state"] == "open"  # the supervisor codes for themselves
    # a coder may still change their mind and accept it on purpose
    assert worker.post(f"/api/suggestions/{heard[PAUSE]}/accept", json={"code": "bc.initiatief"}).status_code == 201


def test_the_supervisor_in_a_review_accepts_suggestions_as_their_own_moments(api, people, ready_clip, heard, review):
    supervisor = api("supervisor")
    moment = supervisor.post(f"/api/suggestions/{heard[SPEECH_A]}/accept", json={"code": "bc.initiatief"}).json
    assert moment["author"]["id"] == people["supervisor"].id
    assert listed(supervisor, ready_clip["id"])[SPEECH_A]["state"] == "accepted"
    assert listed(api("worker"), ready_clip["id"])[SPEECH_A]["state"] == "open"


@pytest.mark.parametrize(
    "body, field", [({"A": "grandmother"}, "A"), ({"C": "client"}, "C"), ({"B": 3}, "B")], ids=["role", "voice", "type"]
)
def test_naming_the_voices_takes_only_worker_client_or_other_for_a_and_b(api, ready_clip, heard, body, field):
    refused = api("worker").patch(f"/api/clips/{ready_clip['id']}/voices", json=body)
    assert refused.status_code == 422 and refused.json["field"] == field


def test_a_voice_name_can_be_forgotten_and_voices_cannot_be_named_before_the_analysis(app, api, ready_clip):
    forget_sound(app, ready_clip["id"])
    worker = api("worker")
    early = worker.patch(f"/api/clips/{ready_clip['id']}/voices", json={"A": "worker"})
    assert early.status_code == 409
    store_sound(app, ready_clip["id"])
    assert worker.patch(f"/api/clips/{ready_clip['id']}/voices", json={"A": "worker", "B": "other"}).json == {"A": "worker", "B": "other"}
    assert worker.patch(f"/api/clips/{ready_clip['id']}/voices", json={"B": None}).json == {"A": "worker", "B": None}


def test_stats_count_talk_time_pauses_and_waiting_once_the_voices_are_named(api, ready_clip, heard):
    worker = api("worker")
    audio = worker.get(f"/api/clips/{ready_clip['id']}/stats").json["audio"]
    assert audio["talk_ms"] == {"A": 1180, "B": 910}
    assert audio["pauses"] == 1 and audio["overlaps"] == 0
    assert audio["talk_ratio"] is None  # who is the worker, who the client?
    worker.patch(f"/api/clips/{ready_clip['id']}/voices", json={"A": "client", "B": "worker"})
    audio = worker.get(f"/api/clips/{ready_clip['id']}/stats").json["audio"]
    assert audio["talk_ratio"] == pytest.approx(910 / 1180, abs=0.01)
    assert audio["waiting_ms"] == 1500  # the client (A) stops at 1.39 s, the worker (B) starts at 2.89 s


def test_someone_elses_suggestions_answer_404(api, ready_clip, heard):
    other = api("other_worker")
    assert other.get(f"/api/clips/{ready_clip['id']}/suggestions").status_code == 404
    assert other.post(f"/api/suggestions/{heard[SPEECH_A]}/accept", json={"code": "bc.initiatief"}).status_code == 404
    assert other.post(f"/api/suggestions/{heard[SPEECH_A]}/dismiss").status_code == 404
    assert api("worker").post("/api/suggestions/999999/dismiss").status_code == 404


def test_deleting_the_clip_deletes_its_analysis_suggestions_and_answers(app, api, ready_clip, heard):
    worker = api("worker")
    worker.post(f"/api/suggestions/{heard[PAUSE]}/dismiss")
    deleted = worker.delete(f"/api/clips/{ready_clip['id']}")
    assert deleted.status_code == 200, deleted.json
    with app.app_context():
        session = db.session()
        for model in (AudioAnalysis, Suggestion, SuggestionDecision):
            assert session.scalar(select(func.count()).select_from(model)) == 0, model
    tombstones = worker.get(f"/api/cases/{ready_clip['case_id']}/deleted-clips").json
    assert tombstones[0]["removed"]["suggestions"] == 5


def test_the_case_export_holds_the_sound_voices_and_answers(api, ready_clip, heard):
    worker = api("worker")
    worker.patch(f"/api/clips/{ready_clip['id']}/voices", json={"A": "worker"})
    worker.post(f"/api/suggestions/{heard[PAUSE]}/dismiss")
    export = worker.get(f"/api/cases/{ready_clip['case_id']}/export")
    assert export.status_code == 200
    with zipfile.ZipFile(io.BytesIO(export.data)) as archive:
        case = json.loads(archive.read("case.json"))
        audit_csv = archive.read("audit.csv").decode()
    (sound,) = case["sound"]
    assert sound["clip_id"] == ready_clip["id"] and sound["voices"] == {"A": "worker", "B": None}
    assert len(sound["suggestions"]) == 5
    assert sound["suggestions"][PAUSE]["answers"][0]["state"] == "dismissed"
    assert "clip.voices" in audit_csv and "suggestion.dismiss" in audit_csv


# -- the job after processing ------------------------------------------------------------------------


def test_a_clip_without_sound_gets_no_suggestions_and_says_so(app, api, case, videos):
    clip = upload_and_process(app, api("worker"), case["id"], videos["vfr.mp4"])  # pictures only
    envelope = api("worker").get(f"/api/clips/{clip['id']}/audio/envelope").json
    assert envelope["state"] == "no_audio" and envelope["values"] == []
    assert listed(api("worker"), clip["id"]) == []


def test_the_sound_of_an_uploaded_conversation_is_analysed_after_processing(app, api, case, videos):
    worker = api("worker")
    clip = upload_and_process(app, worker, case["id"], videos["conversation.mp4"])
    envelope = worker.get(f"/api/clips/{clip['id']}/audio/envelope").json
    assert envelope["state"] == "done"
    assert abs(len(envelope["values"]) - clip["duration_ms"] / 20) <= 2
    heard = listed(worker, clip["id"])
    assert {s["voice"] for s in heard if s["kind"] == "speech"} == {"A", "B"}
    assert {s["kind"] for s in heard} == {"speech", "pause", "turn"}
    assert worker.get(f"/api/clips/{clip['id']}/stats").json["audio"]["talk_ms"]["A"] > 0


def test_a_supervisor_with_a_review_sees_the_suggestions_but_cannot_name_the_voices(api, ready_clip, heard, review):
    supervisor = api("supervisor")
    assert len(listed(supervisor, ready_clip["id"])) == 5
    assert supervisor.patch(f"/api/clips/{ready_clip['id']}/voices", json={"A": "worker"}).status_code == 404


def test_an_analysis_that_fails_is_kept_as_failed_and_not_tried_again(app, api, ready_clip, monkeypatch):
    def broken(path, settings):
        raise RuntimeError("the model could not be loaded")

    forget_sound(app, ready_clip["id"])
    app.config["VIB_JOB_ISOLATION"] = False  # in this process, where the broken analysis is
    monkeypatch.setattr(suggestions, "listen", broken)
    for _ in range(2):
        with app.app_context(), db.unit_of_work():
            suggestions.analyse_clip_audio(ready_clip["id"])
    envelope = api("worker").get(f"/api/clips/{ready_clip['id']}/audio/envelope").json
    assert envelope["state"] == "failed" and envelope["values"] == []
    assert listed(api("worker"), ready_clip["id"]) == []
    assert api("worker").get(f"/api/clips/{ready_clip['id']}/stats").json["audio"] is None


def test_analysing_again_replaces_the_earlier_analysis_and_its_answers(app, api, ready_clip, heard):
    api("worker").post(f"/api/suggestions/{heard[PAUSE]}/dismiss")
    with app.app_context(), db.unit_of_work() as session:
        clip = session.get(Clip, ready_clip["id"])
        assert session.get(AudioAnalysis, clip.id).status == "done"  # in the session when it is replaced
        suggestions.store_analysis(session, clip, None, None)
    assert api("worker").get(f"/api/clips/{ready_clip['id']}/audio/envelope").json["state"] == "no_audio"
    assert listed(api("worker"), ready_clip["id"]) == []
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(SuggestionDecision)) == 0
