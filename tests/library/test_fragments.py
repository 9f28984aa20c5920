"""Proposing, cutting, reviewing faces, rendering and publishing library fragments (issue 13)."""

from __future__ import annotations

import json

import av
import cv2
import numpy as np
import pytest

from tests.conftest import wait_for_jobs
from tests.days import organisation_today
from tests.library.conftest import propose, render_and_publish, withdraw
from vib.core import db
from vib.core.audit import AuditEvent
from vib.library.models import Fragment
from vib.media.synth import read_index


def media_path(app, key: str):
    return app.config["VIB_MEDIA_DIR"] / key


def decoded(path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [frame.to_ndarray(format="bgr24") for frame in container.decode(video=0)]


def actions(app, fragment_id: int) -> list[str]:
    with app.app_context():
        return list(db.session().scalars(
            AuditEvent.__table__.select().with_only_columns(AuditEvent.action)
            .where(AuditEvent.object_type == "fragment", AuditEvent.object_id == fragment_id).order_by(AuditEvent.id)
        ))  # fmt: skip


# -- proposing ----------------------------------------------------------------------------------------


def test_a_fragment_needs_everyone_to_consent_to_training(api, ready_clip):
    refused = propose(api, ready_clip["id"])
    assert refused.status_code == 409
    assert "training" in refused.json["error"] and "father" in refused.json["error"]  # the worker sees the case


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"start_ms": -1}, "start_ms", "from 0 to"),
        ({"end_ms": 99_000}, "end_ms", "end of the clip"),
        ({"start_ms": 1000, "end_ms": 1500}, "end_ms", "at least one second"),
        ({"title": "  "}, "title", "title"),
        ({"title": "Father of 2026-017 waits"}, "title", "2026-017"),
        ({"description": "The FATHER answers"}, "description", "father"),
        ({"codes": ["no.such.code"]}, "codes", "code scheme"),
        ({"colour": "red"}, "colour", "Unknown field"),
    ],
)
def test_a_proposal_that_breaks_a_rule_is_refused_naming_the_field(app, api, training_clip, fields, field, words):
    refused = propose(api, training_clip["id"], **fields)
    assert refused.status_code == 422, refused.json
    assert refused.json["field"] == field and words.lower() in refused.json["error"].lower()
    with app.app_context():
        assert db.session().query(Fragment).count() == 0


def test_only_the_clips_owner_proposes_and_only_from_a_ready_clip(app, api, training_clip):
    for who in ("other_worker", "supervisor", "trainer", "admin"):
        assert (
            api(who).post(f"/api/clips/{training_clip['id']}/fragments", json={"start_ms": 0, "end_ms": 2000, "title": "x"}).status_code
            == 404
        )
    with app.app_context():
        from vib.clips.models import Clip

        db.session().get(Clip, training_clip["id"]).status = "processing"
        db.session().commit()
    assert propose(api, training_clip["id"]).status_code == 409


def test_the_cut_starts_at_the_clips_frame_at_start_ms_and_lasts_the_span(app, api, in_review):
    with app.app_context():
        fragment = db.session().get(Fragment, in_review["id"])
        frames = decoded(media_path(app, fragment.cut_key))
    # cfr.mp4 is 25 fps and frame i shows i: the frame on screen at 1000 ms is frame 25.
    assert read_index(frames[0]) == 25
    assert [read_index(f) for f in frames] == list(range(25, 75))
    assert abs(in_review["duration_ms"] - 2000) <= 40
    assert in_review["tracks"] == []  # no faces in cfr.mp4
    assert actions(app, in_review["id"])[0] == "fragment.propose"


# -- faces and rendering ---------------------------------------------------------------------------


def sharpness(image: np.ndarray) -> float:
    return float(cv2.Laplacian(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), cv2.CV_64F).var())


def face_boxes(app, fragment_id: int) -> dict[int, list]:
    with app.app_context():
        fragment = db.session().get(Fragment, fragment_id)
        faces = json.loads(media_path(app, fragment.faces_key).read_bytes())
    boxes: dict[int, list] = {}
    for track in faces:
        for index, box in track["boxes"].items():
            boxes.setdefault(int(index), []).append(box)
    return boxes


def inside(image: np.ndarray, box) -> np.ndarray:
    h, w = image.shape[:2]
    x, y, bw, bh = box
    return image[int(y * h) : int((y + bh) * h), int(x * w) : int((x + bw) * w)]


@pytest.mark.parametrize("kept", [False, True])
def test_a_trainer_blurs_every_face_track_or_keeps_one(app, api, face_clip, kept):
    made = propose(api, face_clip["id"], start_ms=0, end_ms=2500)
    assert made.status_code == 201, made.json
    wait_for_jobs(app)
    fragment = api("trainer").get(f"/api/fragments/{made.json['id']}").json
    assert fragment["state"] == "review" and len(fragment["tracks"]) >= 1, fragment
    track = fragment["tracks"][0]
    assert api("trainer").get(track["still_url"]).headers["Content-Type"] == "image/jpeg"
    assert all(t["blurred"] for t in fragment["tracks"])  # blurred until the trainer chooses
    assert api("other_worker").get(track["still_url"]).status_code == 404  # a face: curators only
    assert api("worker").get(f"/api/fragments/{fragment['id']}").json["tracks"] == []

    keep = [t["id"] for t in fragment["tracks"]] if kept else []
    blur = [t["id"] for t in fragment["tracks"] if t["id"] not in keep]
    r = api("trainer").post(f"/api/fragments/{fragment['id']}/render", json={"blur_tracks": blur, "audio": "mute"})
    assert r.status_code == 202 and r.json["state"] == "rendering", r.json
    wait_for_jobs(app)
    ready = api("trainer").get(f"/api/fragments/{fragment['id']}").json
    assert ready["state"] == "ready" and ready["audio"] == "mute"
    assert [t["blurred"] for t in ready["tracks"]] == [not kept] * len(ready["tracks"])

    with app.app_context():
        row = db.session().get(Fragment, fragment["id"])
        cut, rendered = decoded(media_path(app, row.cut_key)), decoded(media_path(app, row.video_key))
    assert len(cut) == len(rendered)
    boxes = face_boxes(app, fragment["id"])
    assert boxes, "the face was found in frames"
    for index, frame_boxes in boxes.items():
        for box in frame_boxes:
            before, after = sharpness(inside(cut[index], box)), sharpness(inside(rendered[index], box))
            if kept:
                assert after > 0.5 * before, (index, before, after)
            else:
                assert after < 0.1 * before, (index, before, after)  # the detail is gone: blurred


def test_rendering_refuses_what_it_cannot_do(app, api, in_review):
    url = f"/api/fragments/{in_review['id']}/render"
    for body, field in (
        ({"regions": [{"x": 0.5, "y": 0.5, "w": 0.7, "h": 0.1}]}, "regions"),
        ({"regions": [{"x": -0.1, "y": 0, "w": 0.5, "h": 0.5}]}, "regions"),
        ({"regions": [{"x": 0, "y": 0, "w": 0.5, "h": 0.5, "start_ms": 900, "end_ms": 100}]}, "regions"),
        ({"blur_tracks": [99]}, "blur_tracks"),
        ({"audio": "louder"}, "audio"),
    ):
        refused = api("trainer").post(url, json=body)
        assert refused.status_code == 422 and refused.json["field"] == field, (body, refused.json)
    assert api("worker").post(url, json={}).status_code == 404  # only trainers curate
    ok = api("trainer").post(
        url, json={"regions": [{"x": 0.1, "y": 0.1, "w": 0.3, "h": 0.2, "start_ms": 0, "end_ms": 500}], "audio": "disguise"}
    )
    assert ok.status_code == 202, ok.json
    assert api("trainer").post(url, json={}).status_code == 409  # rendering already, not in review
    wait_for_jobs(app)
    assert api("trainer").get(f"/api/fragments/{in_review['id']}").json["regions"][0]["end_ms"] == 500


def test_a_failing_face_detector_fails_the_fragment_never_publishing_it(app, api, training_clip, monkeypatch):
    from vib.library import operations
    from vib.media.errors import MediaError

    def broken(path):
        raise MediaError("detector_failed", "the network would not load")

    monkeypatch.setattr(operations, "find_faces", broken)
    made = propose(api, training_clip["id"])
    wait_for_jobs(app)
    failed = api("trainer").get(f"/api/fragments/{made.json['id']}").json
    assert failed["state"] == "failed" and "face detector" in failed["error"]
    assert api("trainer").post(f"/api/fragments/{failed['id']}/render", json={}).status_code == 409
    assert api("trainer").post(f"/api/fragments/{failed['id']}/publish").status_code == 409
    assert api("trainer").get(f"/api/fragments/{failed['id']}/media").status_code == 409
    with app.app_context():
        row = db.session().get(Fragment, failed["id"])
        assert not media_path(app, row.cut_key).exists() and not media_path(app, row.video_key).exists()


# -- publishing and the library ---------------------------------------------------------------------


def test_only_published_fragments_are_seen_by_others_and_never_their_case(app, api, in_review, people):
    fid = in_review["id"]
    assert api("other_worker").get(f"/api/fragments/{fid}").status_code == 404
    assert api("trainer").post(f"/api/fragments/{fid}/publish").status_code == 409  # not rendered yet
    published = render_and_publish(app, api, fid)
    assert published["published_at"] and published["expires_on"]
    seen = api("other_worker").get(f"/api/fragments/{fid}")
    assert seen.status_code == 200
    text = seen.get_data(as_text=True)
    for secret in ("2026-017", "father", "Worker", "clip_id", "case_id", people["worker"].email):
        assert secret not in text, secret
    assert api("other_worker").get(f"/api/fragments/{fid}/media").status_code == 200
    assert api("other_worker").get(f"/api/fragments/{fid}/poster").headers["Content-Type"] == "image/jpeg"
    assert api("admin").get(f"/api/fragments/{fid}").status_code == 404  # no video for admins
    assert api("admin").get("/api/library").status_code == 404
    assert "fragment.view" not in actions(app, fid) and "fragment.stream" in actions(app, fid)
    assert api("trainer").post(f"/api/fragments/{fid}/unpublish").status_code == 200
    assert api("other_worker").get(f"/api/fragments/{fid}").status_code == 404
    assert actions(app, fid).count("fragment.publish") == 1 and "fragment.unpublish" in actions(app, fid)


def test_the_library_searches_text_and_filters_by_code_tag_and_scheme(app, api, published):
    fid = published["id"]
    r = api("trainer").patch(f"/api/fragments/{fid}", json={"learning_points": "Silence gives room.", "tags": ["Pause", "course-1"]})
    assert r.status_code == 200, r.json

    def found(**query) -> list[int]:
        return [card["id"] for card in api("other_worker").get("/api/library", query_string=query).json]

    assert found() == [fid]
    assert found(q="silence") == [fid] and found(q="WAITING answer") == [fid] and found(q="shouting") == []
    assert found(code="bc.initiatief") == [fid] and found(code="bc.ontvangen") == []
    assert found(tag="pause") == [fid] and found(tag="other") == []
    assert found(scheme=published["scheme"]) == [fid] and found(scheme="nope") == []
    card = api("other_worker").get("/api/library").json[0]
    assert card["codes"][0]["id"] == "bc.initiatief" and card["codes"][0]["colour"].startswith("#")


def test_expiry_defaults_to_the_policy_and_cannot_pass_it(app, api, published):
    fid = published["id"]
    from datetime import date

    assert date.fromisoformat(published["expires_on"]).year == organisation_today().year + 5
    too_late = api("trainer").patch(f"/api/fragments/{fid}", json={"expires_on": f"{organisation_today().year + 6}-01-01"})
    assert too_late.status_code == 422 and too_late.json["field"] == "expires_on"
    assert api("trainer").patch(f"/api/fragments/{fid}", json={"expires_on": "yesterday"}).status_code == 422
    assert api("worker").patch(f"/api/fragments/{fid}", json={"title": "Mine"}).status_code == 404


def test_the_purge_deletes_an_expired_fragment_with_its_files(app, api, published):
    from vib.privacy import operations as privacy

    with app.app_context():
        row = db.session().get(Fragment, published["id"])
        folder = media_path(app, row.folder)
        assert folder.exists()
        row.expires_on = row.expires_on.replace(year=2020)
        db.session().commit()
    with app.test_request_context(), app.app_context():
        lines = privacy.purge(db.session())
        db.session().commit()
    assert any(f"fragment {published['id']}" in str(line) for line in lines)
    wait_for_jobs(app)
    assert api("trainer").get(f"/api/fragments/{published['id']}").status_code == 404
    assert not folder.exists()
    with app.app_context():
        assert db.session().get(Fragment, published["id"]) is None


# -- privacy ------------------------------------------------------------------------------------------


def test_withdrawing_training_deletes_the_cases_fragments_and_their_files(app, api, case, published):
    with app.app_context():
        folder = media_path(app, db.session().get(Fragment, published["id"]).folder)
    withdraw(api, case["id"], ["training"])
    assert api("other_worker").get(f"/api/fragments/{published['id']}").status_code == 404
    assert api("other_worker").get("/api/library").json == []
    wait_for_jobs(app)
    assert not folder.exists()
    assert "fragment.delete" in actions(app, published["id"])


def test_deleting_the_clip_deletes_its_fragments(app, api, training_clip, published):
    r = api("worker").delete(f"/api/clips/{training_clip['id']}")
    assert r.status_code in (200, 204), r.json
    wait_for_jobs(app)
    assert api("trainer").get(f"/api/fragments/{published['id']}").status_code == 404
    with app.app_context():
        assert db.session().get(Fragment, published["id"]) is None


def test_the_proposer_may_withdraw_a_proposal_before_publication_only(app, api, in_review):
    assert api("other_worker").delete(f"/api/fragments/{in_review['id']}").status_code == 404
    assert api("worker").delete(f"/api/fragments/{in_review['id']}").status_code == 204
    assert api("worker").get(f"/api/fragments/{in_review['id']}").status_code == 404


def test_the_cases_export_lists_its_fragments(app, api, case, published):
    import io
    import zipfile

    r = api("worker").get(f"/api/cases/{case['id']}/export")
    assert r.status_code == 200
    data = json.loads(zipfile.ZipFile(io.BytesIO(r.data)).read("case.json"))
    assert [row["fragment_id"] for row in data["fragments"]] == [published["id"]]
