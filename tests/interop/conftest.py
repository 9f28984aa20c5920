"""Fixtures of the exchange tests: a clip with moments of every kind, and a fresh copy to import into."""

from __future__ import annotations

import pytest

from tests.conftest import copy_processed_clip

CODED = [
    {"start_ms": 400, "end_ms": 1200, "code": "bc.initiatief", "actor": "client", "note": "Ze kijkt op.", "tags": ["better_than_usual"]},
    {"start_ms": 800, "end_ms": 2000, "code": "bc.initiatief", "actor": "client"},  # overlaps: a second ELAN tier
    {"start_ms": 1200, "code": "bc.ontvangen", "note": '=HYPERLINK("x")', "tags": ["still", "learning_question"]},
    {"start_ms": 2440, "end_ms": 4000, "code": "bc.beurt", "actor": "both", "note": "Beurt — ‘samen’\nregel twee"},
]


@pytest.fixture
def coded_clip(api, ready_clip):
    """`ready_clip` with CODED moments by its worker."""
    for fields in CODED:
        made = api("worker").post(f"/api/clips/{ready_clip['id']}/moments", json=fields)
        assert made.status_code == 201, made.json
    return ready_clip


@pytest.fixture
def clip_copy(app, people, case, processed_clip):
    """Another ready clip of the same video in the worker's case, without moments."""
    return copy_processed_clip(app, people, case["id"], processed_clip, title="Copy")


def upload(client, clip_id: int, data: bytes, name: str = "moments.eaf", dry_run: bool = False):
    import io

    url = f"/api/clips/{clip_id}/import" + ("?dry_run=1" if dry_run else "")
    return client.post(url, data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")
