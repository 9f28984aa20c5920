"""Fixtures of the library's tests: a published fragment cut from the tests' clip."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from tests.conftest import fresh_app
from tests.library import stand_ins
from vib.clips import operations as clip_ops
from vib.clips.models import Clip
from vib.core import db, storage
from vib.core.db import utcnow
from vib.library.models import READY, Fragment
from vib.media.fragments import cut_fragment
from vib.media.frames import frame_times_ms


@pytest.fixture
def app(tmp_path, postgres_migrated, sqlite_migrated):
    with fresh_app(tmp_path, postgres_migrated, sqlite_migrated) as made:
        stand_ins.install(made)
        yield made


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
            title="Father waits for his son",
            scheme_id="vib-basiscommunicatie",
            scheme_version=1,
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
def fragment(app, ready_clip, people, tmp_path) -> int:
    """A published fragment of `ready_clip` (1 s to 3 s), proposed by `worker`, published by `trainer`."""
    return make_fragment(app, ready_clip["id"], people["worker"].id, people["trainer"].id, tmp_path)
