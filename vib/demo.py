"""The demo organisation: a user for each role (the supervisor certified), a case with consent, a
generated clip, a fragment of it proposed for the library (for the trainer to review), and a progress
meeting with its moment better than usual."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from vib.accounts.certificates import certify
from vib.accounts.operations import add_user, find_user
from vib.accounts.second_factor import OPTIONAL, set_second_factor_for_workers
from vib.cases.models import Case
from vib.cases.operations import create_case, record_consent
from vib.clips.models import READY, Clip
from vib.clips.operations import upload
from vib.coding.operations import clip_moments, create_moment
from vib.core import db, storage
from vib.core.days import organisation_today
from vib.library import operations as library
from vib.library.models import Fragment
from vib.media.demo_clip import TURNS, make_demo_clip
from vib.meetings import operations as meetings
from vib.meetings.models import Meeting

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
    with app.app_context(), db.unit_of_work() as session:
        for email, password, roles, name in DEMO_USERS:
            if find_user(session, email) is None:
                add_user(session, email, roles, name=name, password=password)
        # A demo is tried without phones at hand: workers log in with a password alone.
        set_second_factor_for_workers(session, OPTIONAL)
        supervisor = find_user(session, "supervisor@demo.vib")
        if supervisor.certificate is None:  # certificates last three years
            certify(session, supervisor, "DEMO-AIT-1", "AIT", organisation_today() + timedelta(days=3 * 365))
        worker = find_user(session, "worker@demo.vib")
        if session.scalar(select(Case).where(Case.code == DEMO_CASE, Case.owner_id == worker.id)) is None:
            case = create_case(session, worker, DEMO_CASE, DEMO_QUESTION)
            for person, role in (("ouder", "parent"), ("gezinsvoogd", "worker")):
                record_consent(session, case, worker, person, role, ["analysis", "supervision", "training"], organisation_today())
            with storage.current().new_temp_file(prefix="demo-", suffix=".mp4") as temp:
                temp.close()
                make_demo_clip(temp.name)
                clip = upload(session, case, worker, Path(temp.name), "Gesprek met ouder (demo)")
            _code_demo_moments(session, clip, worker)
    return [(email, password, ", ".join(roles)) for email, password, roles, _ in DEMO_USERS]


def _code_demo_moments(session, clip, worker) -> None:
    for fields in demo_moments():
        create_moment(session, clip, worker, fields)


def demo_moments() -> list[dict]:
    """A worker's first coding of the demo conversation: each parent's turn, the parent looking up
    near its end (an initiative), which the worker receives half a second into the next turn."""
    moments, t = [], 0.0
    notes = {1: "Ouder kijkt op en begint te vertellen.", 3: "Ik wacht tot ze klaar is; ze gaat verder."}
    for i, (speaker, seconds) in enumerate(TURNS):
        start = round(t * 1000)
        if speaker == 1:
            tags = ["better_than_usual", "learning_question"] if i == 3 else []
            moments.append({"start_ms": start, "end_ms": start + round(seconds * 1000), "code": "bc.beurt.jij"})
            looks_up = start + round(seconds * 1000) - 1500
            moments.append({"start_ms": looks_up, "code": "bc.initiatief", "note": notes.get(i, ""), "tags": tags})
        elif i:
            moments.append({"start_ms": start + 500, "code": "bc.ontvangen.verbaal"})
        t += seconds
    return moments


def propose_demo_fragment(app: Flask) -> None:
    """The worker proposes the turn where they wait for the parent (once the clip is ready), so the
    trainer finds a proposal to review in the library; its faces are searched in the background."""
    with app.app_context(), db.unit_of_work() as session:
        worker = find_user(session, "worker@demo.vib")
        clip = session.scalar(select(Clip).join(Clip.case).where(Case.code == DEMO_CASE, Case.owner_id == worker.id))
        if clip is None or clip.status != READY or session.scalar(select(Fragment.id).where(Fragment.case_id == clip.case_id).limit(1)):
            return
        start = round(sum(seconds for _speaker, seconds in TURNS[:3]) * 1000) - 500  # just before the parent's long turn
        library.propose(session, clip, worker, {
            "start_ms": start, "end_ms": start + 6500, "title": "Wachten tot ze uitgesproken is",
            "learning_points": "Ruimte laten: na de stilte vertelt ze verder, en de beurt komt vanzelf terug.",
            "codes": ["bc.initiatief", "bc.ontvangen.verbaal"],
        })  # fmt: skip


def plan_demo_meeting(app: Flask) -> None:
    """A progress meeting in two weeks with the demo clip's moment better than usual (once the clip is
    ready), so the worker finds something to present and print."""
    with app.app_context(), db.unit_of_work() as session:
        worker = find_user(session, "worker@demo.vib")
        clip = session.scalar(select(Clip).join(Clip.case).where(Case.code == DEMO_CASE, Case.owner_id == worker.id))
        if clip is None or clip.status != READY or session.scalar(select(Meeting.id).where(Meeting.case_id == clip.case_id).limit(1)):
            return
        meeting = meetings.create_meeting(session, clip.case, worker, {
            "date": (organisation_today() + timedelta(days=14)).isoformat(), "title": "Voortgangsbespreking (demo)",
            "question": "Wat doe ik waardoor de ouder blijft vertellen?",
        })  # fmt: skip
        strength = next(m for m in clip_moments(session, clip) if "better_than_usual" in m.tags)
        meetings.add_item(session, meeting, worker, {
            "clip_id": clip.id, "moment_id": strength.id,
            "talking_point": "Ik wacht tot ze uitgesproken is; daarna vertelt ze verder.",
        })  # fmt: skip


def demo_clip_ids() -> list[int]:
    return list(db.session().scalars(select(Clip.id).join(Clip.case).where(Case.code == DEMO_CASE)))
