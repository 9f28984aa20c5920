"""The demo organisation: a user for each role, a case with consent, and a generated clip."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from vib.accounts.operations import add_user, find_user
from vib.cases.models import Case
from vib.cases.operations import create_case, record_consent
from vib.clips.operations import upload
from vib.core import db, storage
from vib.media.demo_clip import make_demo_clip

DEMO_USERS = [
    ("worker@demo.vib", "demo-worker", ["worker"], "Sam de Vries"),
    ("supervisor@demo.vib", "demo-supervisor", ["supervisor", "worker"], "Noor Jansen"),
    ("trainer@demo.vib", "demo-trainer", ["trainer"], "Eva Bakker"),
    ("admin@demo.vib", "demo-admin", ["admin"], "Ali Visser"),
]
DEMO_CASE = "DEMO-001"
DEMO_QUESTION = "Hoe houd ik de ouder betrokken als ik slecht nieuws breng?"


def set_up_demo(app: Flask) -> list[tuple[str, str, str]]:
    """Create what is missing of the demo (running it twice changes nothing) and return the logins."""
    with app.app_context():
        session = db.session()
        for email, password, roles, name in DEMO_USERS:
            if find_user(session, email) is None:
                add_user(session, email, roles, name=name, password=password)
        session.commit()
        worker = find_user(session, "worker@demo.vib")
        if session.scalar(select(Case).where(Case.code == DEMO_CASE, Case.owner_id == worker.id)) is None:
            case = create_case(session, worker, DEMO_CASE, DEMO_QUESTION)
            for person, role in (("ouder", "parent"), ("gezinsvoogd", "worker")):
                record_consent(session, case, worker, person, role, ["analysis", "supervision"], date.today())
            session.commit()
            with storage.current().new_temp_file(prefix="demo-", suffix=".mp4") as temp:
                temp.close()
                make_demo_clip(temp.name)
                upload(session, case, worker, Path(temp.name), "Gesprek met ouder (demo)")
    return [(email, password, ", ".join(roles)) for email, password, roles, _ in DEMO_USERS]

