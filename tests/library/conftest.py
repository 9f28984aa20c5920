"""Fragments of the library, proposed from a worker's clip whose people consent to training."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from tests.conftest import upload_and_process, wait_for_jobs
from tests.days import organisation_today
from tests.videos import astronaut_head
from vib.clips import operations as clip_ops
from vib.clips.models import Clip
from vib.core import db, storage
from vib.core.db import utcnow
from vib.library.models import READY, Fragment
from vib.media.fragments import cut_fragment
from vib.media.frames import frame_times_ms
from vib.media.synth import MovingPictureSpec, make_moving_picture_clip


def consent(api, case_id: int, purposes: list[str], people=("father", "worker")) -> None:
    """Everyone in the case (as made by `make_case`) consents to `purposes` too."""
    for person in people:
        role = "worker" if person == "worker" else "parent"
        r = api("worker").post(
            f"/api/cases/{case_id}/consents",
            json={"person": person, "role": role, "purposes": purposes, "date": organisation_today().isoformat()},
        )
        assert r.status_code == 201, r.json


def withdraw(api, case_id: int, purposes: list[str], person: str = "father") -> None:
    r = api("worker").post(f"/api/cases/{case_id}/consents/withdraw", json={"person": person, "purposes": purposes})
    assert r.status_code in (200, 201), r.json


@pytest.fixture
def training_clip(api, case, ready_clip):
    """`ready_clip` (cfr.mp4, 4 s, frame i shows index i) in a case whose people consent to training."""
    consent(api, case["id"], ["training"])
    return ready_clip


def propose(api, clip_id: int, **fields):
    body = {"start_ms": 1000, "end_ms": 3000, "title": "Waiting for an answer", **fields}
    return api("worker").post(f"/api/clips/{clip_id}/fragments", json=body)


@pytest.fixture
def in_review(app, api, training_clip):
    """A fragment of `training_clip` (1 s to 3 s), cut and searched for faces: in review."""
    made = propose(api, training_clip["id"], description="The worker waits; the parent goes on.", codes=["bc.initiatief"])
    assert made.status_code == 201, made.json
    wait_for_jobs(app)
    fragment = api("trainer").get(f"/api/fragments/{made.json['id']}").json
    assert fragment["state"] == "review", fragment
    return fragment


def render_and_publish(app, api, fragment_id: int, **choices) -> dict:
    r = api("trainer").post(f"/api/fragments/{fragment_id}/render", json={"blur_tracks": "all", "audio": "keep", **choices})
    assert r.status_code == 202, r.json
    wait_for_jobs(app)
    r = api("trainer").post(f"/api/fragments/{fragment_id}/publish")
    assert r.status_code == 200, r.json
    return r.json


@pytest.fixture
def published(app, api, in_review):
    return render_and_publish(app, api, in_review["id"])


@pytest.fixture(scope="session")
def face_video(tmp_path_factory):
    """3 s of a real face (the astronaut portrait scikit-image ships) moving over a background."""
    path = tmp_path_factory.mktemp("faces") / "face.mp4"
    make_moving_picture_clip(path, astronaut_head(), MovingPictureSpec(seconds=3, visible_from=0.0))
    return path


@pytest.fixture
def face_clip(app, api, case, face_video):
    consent(api, case["id"], ["training"])
    return upload_and_process(app, api("worker"), case["id"], face_video)


def make_fragment(app, clip_id: int, proposer_id: int, publisher_id: int | None, tmp_path, start_ms=1000, end_ms=3000) -> int:
    """A fragment of the clip [start_ms, end_ms), cut frame-exactly, rendered (here: as cut) and
    published by `publisher_id` (None: not published); returns its id."""
    with app.app_context():
        session = db.session()
        clip = session.get(Clip, clip_id)
        media = storage.current()
        target = tmp_path / f"fragment-{start_ms}-{end_ms}.mp4"
        with media.local_path(clip.playable_key) as source:
            facts = cut_fragment(str(source), str(target), start_ms, end_ms)
        fragment = Fragment(
            clip_id=clip.id,
            case_id=clip.case_id,
            proposed_by_id=proposer_id,
            start_ms=start_ms,
            end_ms=end_ms,
            title="Waiting for an answer",
            scheme_id="vib-basiscommunicatie",
            scheme_version=2,
            state=READY,
            duration_ms=facts.duration_ms,
            width=clip.width,
            height=clip.height,
            frame_count=facts.frame_count,
            published_at=utcnow() - timedelta(minutes=1) if publisher_id else None,
            published_by_id=publisher_id,
        )
        session.add(fragment)
        session.flush()
        with open(target, "rb") as video:
            media.save(fragment.video_key, video)
        media.save(fragment.frames_key(True), json.dumps(frame_times_ms(str(target))).encode())
        media.save(fragment.poster_key, media.read_bytes(clip_ops.thumbnail(clip, start_ms, 320)))
        session.commit()
        return fragment.id


@pytest.fixture
def fragment(app, ready_clip, people, tmp_path, training_clip) -> int:
    """A published fragment of `training_clip` (1 s to 3 s), proposed by `worker`, published by
    `trainer`: made directly (as cut, no faces to blur), faster than through the jobs."""
    return make_fragment(app, training_clip["id"], people["worker"].id, people["trainer"].id, tmp_path)
