"""The meeting's handout: an A4 PDF (WeasyPrint) and a print page from one template, showing the
meeting's question, the learning goals per cycle, the progress and each item with its stills, code,
time, talking point and feedback; naming no one; kept at most a day and deleted with what it shows."""

from __future__ import annotations

import io
import re
import sys
from datetime import timedelta

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream
from sqlalchemy import select

from tests.conftest import consent_to_supervision, wait_for_jobs
from tests.days import organisation_today
from tests.meetings.conftest import RECEPTION
from vib.accounts.models import User
from vib.core import db, storage
from vib.core.audit import AuditEvent
from vib.meetings import handout
from vib.meetings.models import Meeting

LEARNING_QUESTION = "How do I keep the conversation going when the news is bad?"
NEXT_GOAL = "Name what goes well before I bring the news."
QUESTION = "What helps the conversation keep going?"
NAMES = {"worker": "Wim Jansen", "supervisor": "Sanne de Vries"}
NO_ITEMS = "This meeting has no items yet."


@pytest.fixture
def case(api):
    """A case whose free texts name no one, so that any person label in the handout is a leak: its
    people (consent records) are "father" and "worker", as in tests.conftest.make_case."""
    worker = api("worker")
    made = worker.post("/api/cases", json={"code": "2026-017", "learning_question": LEARNING_QUESTION})
    assert made.status_code == 201, made.json
    for person, role in (("father", "parent"), ("worker", "worker")):
        body = {"person": person, "role": role, "purposes": ["analysis"], "date": organisation_today().isoformat()}
        assert worker.post(f"/api/cases/{made.json['id']}/consents", json=body).status_code == 201
    return made.json


@pytest.fixture
def meeting(api, case):
    made = api("worker").post(f"/api/cases/{case['id']}/meetings", json={"date": organisation_today().isoformat(), "question": QUESTION})
    assert made.status_code == 201, made.json
    return made.json


@pytest.fixture
def named(app, people):
    """The worker and the supervisor have names of their own (the fixtures' are their roles)."""
    with app.app_context():
        for who, name in NAMES.items():
            db.session().get(User, people[who].id).name = name
        db.session().commit()


@pytest.fixture
def items(api, case, meeting, cycle_clips, certified, named):
    """Three items, one per cycle: cycle 3's moment "better than usual" (a reception) with the
    supervisor's feedback on it, and spans of cycles 1 and 2; after the review the worker set a next
    goal, so cycle 3 (filmed today) shows it and cycles 1 and 2 the learning question."""
    worker, supervisor = api("worker"), api("supervisor")
    consent_to_supervision(api, case)
    [moment] = [m for m in worker.get(f"/api/clips/{cycle_clips[2]}/moments").json if m["code"] == RECEPTION and m["tags"]]
    review = worker.post(f"/api/clips/{cycle_clips[2]}/reviews", json={"supervisor": "supervisor@example.org", "question": "Q?"}).json
    feedback = [
        {"kind": "strength", "text": "Ik zie dat je wacht tot ze opkijkt.", "moment_id": moment["id"]},
        {"kind": "effect", "text": "Het effect is dat ze verder vertelt.", "moment_id": moment["id"]},
    ]
    for body in feedback:
        assert supervisor.post(f"/api/reviews/{review['id']}/feedback", json=body).status_code == 201
    assert supervisor.post(f"/api/reviews/{review['id']}/send").status_code == 200
    assert worker.post(f"/api/reviews/{review['id']}/answers", json={"next_goal": NEXT_GOAL}).status_code == 201
    url = f"/api/meetings/{meeting['id']}/items"
    bodies = [
        {"clip_id": cycle_clips[2], "moment_id": moment["id"], "talking_point": "Here I wait until she looks up."},
        {"clip_id": cycle_clips[0], "start_ms": 1000, "end_ms": 2000, "talking_point": "Here I talk on."},
        {"clip_id": cycle_clips[1], "start_ms": 2000, "end_ms": 3200, "talking_point": "A quiet start."},
    ]
    made = []
    for body in bodies:
        item = worker.post(url, json=body)
        assert item.status_code == 201, item.json
        made.append(item.json)
    return made


def pdf_of(response) -> PdfReader:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/pdf"
    return PdfReader(io.BytesIO(response.data))


def texts(reader: PdfReader) -> list[str]:
    """Each page's text with its line breaks as spaces (a long sentence wraps)."""
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def placed_images(reader: PdfReader, page) -> list:
    """The pictures drawn on a page (WeasyPrint shares one resource dictionary among all pages, so
    page.images lists every page's): each `Do` of an image in its content, forms followed."""

    def drawn(content, resources) -> list:
        xobjects = resources.get("/XObject", {})
        found = []
        for operands, operator in ContentStream(content, reader).operations:
            if operator == b"Do":
                xobject = xobjects[operands[0]].get_object()
                if xobject["/Subtype"] == "/Image":
                    found.append(xobject)
                elif xobject["/Subtype"] == "/Form":
                    found += drawn(xobject, xobject.get("/Resources", resources))
        return found

    return drawn(page.get_contents(), page["/Resources"])


def handout_file(app, meeting_id: int) -> tuple[str | None, bool]:
    """The meeting's stored handout: its key, and whether the file is there."""
    with app.app_context():
        key = db.session().get(Meeting, meeting_id).handout_key
        return key, key is not None and storage.current().exists(key)


def files_in(app, meeting_id: int) -> list[str]:
    with app.app_context():
        return storage.current().keys(f"meetings/{meeting_id}")


@pytest.fixture
def renders(monkeypatch):
    """The number of PDFs WeasyPrint has made."""
    made = []
    original = handout.render_pdf
    monkeypatch.setattr(handout, "render_pdf", lambda html: made.append(1) or original(html))
    return made


# -- what it shows --------------------------------------------------------------------------------


def test_the_handout_shows_the_question_the_goals_per_cycle_the_progress_and_each_item(api, case, meeting, items):
    pdf = pdf_of(api("worker").get(f"/api/meetings/{meeting['id']}/handout.pdf"))
    text = " ".join(texts(pdf))
    assert QUESTION in text
    assert f"Learning question: {LEARNING_QUESTION}" in text
    # each cycle with the goal that held then: the learning question until the review set the next one
    assert f"Cycle 1 {LEARNING_QUESTION} Cycle 2 {LEARNING_QUESTION} Cycle 3 {NEXT_GOAL}" in text
    for sentence in api("worker").get(f"/api/cases/{case['id']}/progress").json["sentences"]:
        assert sentence in text, sentence
    assert "The figures per clip" in text and "1 of 2 (50%)" in text and "3 of 3 (100%)" in text  # the table
    # the items in their order: code, time (cycle, clip, m:ss.mmm-m:ss.mmm), talking point, feedback
    first, second, third = (text.index(item["talking_point"]) for item in items)
    assert first < second < third
    assert "1. Receiving (acknowledgement of receipt)" in text
    assert "Cycle 3 · Third visit · 0:00.400–0:03.400" in text
    assert "Cycle 1 · Recording 1 · 0:01.000–0:02.000" in text
    assert "2. A fragment without a code" in text and "Cycle 2 · Second visit · 0:02.000–0:03.200" in text
    assert "Strength Ik zie dat je wacht tot ze opkijkt." in text
    assert "Effect Het effect is dat ze verder vertelt." in text


def test_the_handout_names_no_one_and_shows_the_case_code_only_in_the_first_pages_header(api, case, meeting, items, people):
    response = api("worker").get(f"/api/meetings/{meeting['id']}/handout.pdf")
    pdf = pdf_of(response)
    pages = texts(pdf)
    assert len(pages) >= 2
    assert "Case 2026-017" in pages[0] and pages[0].count("2026-017") == 1
    assert all("2026-017" not in page for page in pages[1:])
    assert "2026-017" not in str(pdf.metadata) and "2026-017" not in response.headers["Content-Disposition"]
    everything = " ".join(pages).lower() + str(pdf.metadata).lower()
    # the people of the case's consent records, the users' names (and the fixtures' role names), e-mails
    for word in ("father", "worker", "supervisor", *(name.lower() for name in NAMES.values()), "@example.org"):
        assert word not in everything, word
    for number, page in enumerate(pages, start=1):
        assert page.endswith(f"page {number} of {len(pages)}"), page[-40:]


def test_each_item_shows_three_stills_as_jpeg_and_the_chart_is_drawn_as_text_and_lines(api, meeting, items):
    pdf = pdf_of(api("worker").get(f"/api/meetings/{meeting['id']}/handout.pdf"))
    pictures = [image for page in pdf.pages for image in placed_images(pdf, page)]
    assert len(pictures) == 3 * len(items)  # the stills, and nothing else: the chart is vector
    assert all(image["/Filter"] == "/DCTDecode" for image in pictures)  # JPEG
    pages = texts(pdf)
    for item in items:  # an item is never broken across pages: its stills are on its talking point's page
        [page] = [number for number, text in enumerate(pages) if item["talking_point"] in text]
        stills = [f"{t // 60000}:{t // 1000 % 60:02d}.{t % 1000:03d}" for t in (s["t_ms"] for s in item["stills"])]
        assert " ".join(stills) in pages[page]
        assert len(placed_images(pdf, pdf.pages[page])) >= 3
    chart = [page for page in pages if "Client initiatives per 10 minutes" in page]  # the chart's own words
    assert chart and "Moments better than usual" in chart[0]


def test_no_item_is_broken_across_pages(api, meeting, cycle_clips):
    worker, points = api("worker"), []
    for n in range(7):  # more than two pages of items, of different lengths
        points.append(f"Point {n}: " + " ".join(["what I see here and what it brings about."] * (n * 6 + 1)))
        body = {"clip_id": cycle_clips[n % 3], "start_ms": 40 * n, "end_ms": 2000 + 200 * n, "talking_point": points[-1]}
        assert worker.post(f"/api/meetings/{meeting['id']}/items", json=body).status_code == 201
    pages = texts(pdf_of(worker.get(f"/api/meetings/{meeting['id']}/handout.pdf")))
    assert len(pages) >= 4
    for n, point in enumerate(points):  # its number and code, its three stills' times and its whole talking point on one page
        [page] = [page for page in pages if f"{n + 1}. A fragment without a code" in page]
        assert re.search(rf"{n + 1}\. A fragment without a code \d:\d\d\.\d{{3}} \d:\d\d\.\d{{3}} \d:\d\d\.\d{{3}} ", page), (n, page)
        assert point in page, (n, page)


def test_an_empty_meeting_gives_a_handout_that_says_so(api, meeting, cycle_clips):
    pdf = pdf_of(api("worker").get(f"/api/meetings/{meeting['id']}/handout.pdf"))
    text = " ".join(texts(pdf))
    assert NO_ITEMS in text and QUESTION in text
    assert [image for page in pdf.pages for image in placed_images(pdf, page)] == []


def test_the_print_page_is_the_same_template_with_pictures_by_url(api, browser_login, case, meeting, items, people):
    page = browser_login("worker").get(f"/meetings/{meeting['id']}/print")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for text in (QUESTION, LEARNING_QUESTION, NEXT_GOAL, "Receiving (acknowledgement of receipt)", "Ik zie dat je wacht tot ze opkijkt."):
        assert text in html, text
    for sentence in api("worker").get(f"/api/cases/{case['id']}/progress").json["sentences"]:
        assert sentence in html, sentence
    for item in items:
        assert item["talking_point"] in html
        for still in item["stills"]:
            assert f'src="/api/clips/{item["clip_id"]}/thumbnail?t={still["t_ms"]}&amp;w=480"' in html
    assert f'src="/api/cases/{case["id"]}/progress.svg"' in html and "data:" not in html.replace('href="data:,"', "")
    assert ">Print</button>" in html and f'href="/api/meetings/{meeting["id"]}/handout.pdf">Download PDF</a>' in html
    assert html.count("2026-017") == 1
    for word in ("father", *NAMES.values(), "@example.org"):
        assert word not in html, word
    assert browser_login("other_worker").get(f"/meetings/{meeting['id']}/print").status_code == 404
    assert browser_login("supervisor").get(f"/meetings/{meeting['id']}/print").status_code == 404


def test_making_and_printing_the_handout_is_audited(app, api, browser_login, meeting, items):
    assert api("worker").get(f"/api/meetings/{meeting['id']}/handout.pdf").status_code == 200
    assert browser_login("worker").get(f"/meetings/{meeting['id']}/print").status_code == 200
    with app.app_context():
        rows = db.session().execute(
            select(AuditEvent.action, AuditEvent.object_id).where(AuditEvent.action == "meeting.handout").order_by(AuditEvent.id)
        )
        assert [tuple(row) for row in rows] == [("meeting.handout", meeting["id"])] * 2


def test_without_weasyprint_the_pdf_answers_503_saying_what_to_install(app, api, meeting, monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # `import weasyprint` fails, as without Pango
    refused = api("worker").get(f"/api/meetings/{meeting['id']}/handout.pdf")
    assert refused.status_code == 503
    assert "apt-get install libpango-1.0-0 libpangoft2-1.0-0" in refused.json["error"]
    assert handout_file(app, meeting["id"]) == (None, False) and files_in(app, meeting["id"]) == []


# -- kept a day at most, made anew when anything changes ------------------------------------------


def test_a_request_within_the_day_draws_nothing_again(app, api, meeting, items, renders, monkeypatch):
    """Neither the PDF nor the chart in it: the chart is remembered per figures (progress._drawn)."""
    from vib.meetings import progress

    drawn, draw = [], progress.progress_chart_svg
    progress._drawn.cache_clear()
    monkeypatch.setattr(progress, "progress_chart_svg", lambda *args: drawn.append(1) or draw(*args))
    url = f"/api/meetings/{meeting['id']}/handout.pdf"
    assert api("worker").get(url).status_code == 200 and (len(renders), len(drawn)) == (1, 1)
    assert api("worker").get(url).status_code == 200 and (len(renders), len(drawn)) == (1, 1)
    assert (
        api("worker").post(f"/api/clips/{items[2]['clip_id']}/moments", json={"start_ms": 100, "code": "bc.initiatief"}).status_code == 201
    )
    assert api("worker").get(url).status_code == 200 and (len(renders), len(drawn)) == (2, 2)  # cycle 2 is coded now


def test_within_the_day_the_stored_handout_is_served_and_a_change_makes_a_new_one(app, api, meeting, items, renders):
    worker, url = api("worker"), f"/api/meetings/{meeting['id']}/handout.pdf"
    first = worker.get(url)
    assert first.status_code == 200 and len(renders) == 1
    key, stored = handout_file(app, meeting["id"])
    assert stored and re.fullmatch(rf"meetings/{meeting['id']}/handout-[0-9a-f]{{16}}\.pdf", key)
    again = worker.get(url)
    assert again.data == first.data and len(renders) == 1  # the stored file, not rendered again
    changed = worker.patch(f"/api/meetings/{meeting['id']}/items/{items[1]['id']}", json={"talking_point": "Here I talk on, and on."})
    assert changed.status_code == 200
    renewed = worker.get(url)
    assert len(renders) == 2 and "Here I talk on, and on." in " ".join(texts(pdf_of(renewed)))
    new_key, stored = handout_file(app, meeting["id"])
    assert stored and new_key != key
    assert files_in(app, meeting["id"]) == [new_key]  # the previous one is deleted


def test_a_handout_older_than_a_day_is_made_anew(app, api, meeting, items, renders):
    worker, url = api("worker"), f"/api/meetings/{meeting['id']}/handout.pdf"
    assert worker.get(url).status_code == 200
    with app.app_context():
        stored = db.session().get(Meeting, meeting["id"])
        stored.handout_made_at -= handout.KEPT_FOR + timedelta(minutes=1)
        db.session().commit()
    assert worker.get(url).status_code == 200 and len(renders) == 2
    key, stored = handout_file(app, meeting["id"])
    assert stored and files_in(app, meeting["id"]) == [key]  # same HTML, same name: made again, not deleted


def test_the_daily_purge_deletes_a_handout_a_day_old(app, api, meeting, items):
    from vib.privacy.operations import purge

    assert api("worker").get(f"/api/meetings/{meeting['id']}/handout.pdf").status_code == 200
    key, _stored = handout_file(app, meeting["id"])
    with app.app_context():
        made_at = db.session().get(Meeting, meeting["id"]).handout_made_at
        purge(db.session(), now=made_at + timedelta(hours=23))
        db.session().commit()
    assert handout_file(app, meeting["id"]) == (key, True)  # younger than a day: kept
    with app.app_context():
        lines = purge(db.session(), now=made_at + timedelta(days=1, minutes=1))
        db.session().commit()
    assert any(f"handout of meeting {meeting['id']}" in str(line) for line in lines)
    assert handout_file(app, meeting["id"]) == (None, False) and files_in(app, meeting["id"]) == []


def test_the_purge_deletes_a_handout_file_no_meeting_names(app, api, meeting, items):
    """A file left by a request that stopped between storing it and committing (or by two at once)."""
    from vib.privacy.operations import purge

    assert api("worker").get(f"/api/meetings/{meeting['id']}/handout.pdf").status_code == 200
    key, _stored = handout_file(app, meeting["id"])
    with app.app_context():
        storage.current().save(f"meetings/{meeting['id']}/handout-0123456789abcdef.pdf", b"%PDF-")
        purge(db.session())
        db.session().commit()
    assert files_in(app, meeting["id"]) == [key]  # the named one stays (it is not a day old)


def test_a_handout_stored_by_a_request_that_rolls_back_is_deleted(app, people, meeting, items):
    with app.test_request_context():
        from flask_login import login_user

        session = db.session()
        login_user(session.get(User, people["worker"].id))
        stored = session.get(Meeting, meeting["id"])
        handout.handout_pdf(session, stored, session.get(User, people["worker"].id))
        key = stored.handout_key
        assert storage.current().exists(key)
        session.rollback()
        assert not storage.current().exists(key)


def test_deleting_a_clip_of_the_meeting_deletes_the_handout_and_the_next_one_leaves_its_item_out(app, api, meeting, items, cycle_clips):
    worker, url = api("worker"), f"/api/meetings/{meeting['id']}/handout.pdf"
    assert worker.get(url).status_code == 200
    assert handout_file(app, meeting["id"])[1]
    assert worker.delete(f"/api/clips/{cycle_clips[0]}").status_code == 200
    wait_for_jobs(app)
    assert handout_file(app, meeting["id"]) == (None, False) and files_in(app, meeting["id"]) == []
    text = " ".join(texts(pdf_of(worker.get(url))))
    assert items[1]["talking_point"] not in text and items[0]["talking_point"] in text


def test_withdrawing_consent_to_analysis_deletes_the_handout_and_refuses_it(app, api, browser_login, case, meeting, items):
    worker, url = api("worker"), f"/api/meetings/{meeting['id']}/handout.pdf"
    assert worker.get(url).status_code == 200
    assert handout_file(app, meeting["id"])[1]
    withdrawn = worker.post(f"/api/cases/{case['id']}/consents/withdraw", json={"person": "father", "purposes": ["analysis"]})
    assert withdrawn.status_code == 200, withdrawn.json
    assert handout_file(app, meeting["id"]) == (None, False) and files_in(app, meeting["id"]) == []
    refused = worker.get(url)
    assert refused.status_code == 403 and "Consent for analysis has been withdrawn" in refused.json["error"]
    assert browser_login("worker").get(f"/meetings/{meeting['id']}/print").status_code == 403
    assert files_in(app, meeting["id"]) == []
