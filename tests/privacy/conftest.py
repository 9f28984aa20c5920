"""Fixtures for the privacy lifecycle: a clip with everything made from it, the media tree, the clock."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import update

from tests.conftest import wait_for_jobs
from vib.cases.models import ConsentRecord
from vib.cli import main
from vib.clips.models import Clip
from vib.core import db


def media_tree(app) -> set[str]:
    """Every file below the media folder, as paths relative to it."""
    root = Path(app.config["VIB_MEDIA_DIR"])
    return {path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file()}


def clip_files(app, clip_id: int) -> set[str]:
    return {path for path in media_tree(app) if path.startswith(f"clips/{clip_id}/")}


@pytest.fixture
def worked_clip(app, api, review, ready_clip):
    """`ready_clip` with everything vib makes from a clip: moments (and their thumbnails), a review
    whose feedback was sent and answered, the frame list and the filmstrip."""
    worker, supervisor = api("worker"), api("supervisor")
    clip_id = ready_clip["id"]
    for start in (200, 800):
        assert worker.post(f"/api/clips/{clip_id}/moments", json={"start_ms": start, "code": "bc.initiatief"}).status_code == 201
    made = supervisor.post(
        f"/api/reviews/{review['id']}/feedback", json={"kind": "strength", "text": "Ik zie dat je wacht.", "start_ms": 200}
    )
    assert made.status_code == 201, made.json
    assert supervisor.post(f"/api/reviews/{review['id']}/send").status_code == 200
    assert worker.post(f"/api/reviews/{review['id']}/answers", json={"text": "Dank je."}).status_code == 201
    assert worker.get(f"/api/clips/{clip_id}/frames").status_code == 200
    assert worker.get(f"/api/clips/{clip_id}/thumbnail?t=400&w=160").status_code == 200
    wait_for_jobs(app)
    return ready_clip


def cli(app, *args, **settings):
    """Run `vib ...` on the test app's database and media folder (and other VIB_ settings given)."""
    env = {"VIB_HOME": str(app.config["VIB_HOME"]), "VIB_DATABASE_URL": app.config["VIB_DATABASE_URL"], **settings}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def days_ago(app, days: int, *, consents_of_case: int | None = None, clip_id: int | None = None) -> None:
    """Move the clock back for some rows: as if the case's consents were recorded, or the clip
    uploaded, `days` days ago."""
    with app.app_context():
        session = db.session()
        then = db.utcnow() - timedelta(days=days)
        if consents_of_case is not None:
            session.execute(update(ConsentRecord).where(ConsentRecord.case_id == consents_of_case).values(recorded_at=then))
        if clip_id is not None:
            session.execute(update(Clip).where(Clip.id == clip_id).values(created_at=then))
        session.commit()
