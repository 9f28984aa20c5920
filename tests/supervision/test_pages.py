"""The supervision pages: asking for a review on a clip's page (and being refused without consent),
the review page for its worker and its supervisor (and nobody else), my reviews, the notification
badge and list, and feedback, questions and answers that stay text on every page that shows them."""

from __future__ import annotations

import html
import json
import re

import pytest

from tests.conftest import consent_to_supervision

EVIL = "<img src=x onerror=alert(1)>"


def page(client, url, status=200):
    r = client.get(url)
    assert r.status_code == status, (url, r.status_code)
    return r.get_data(as_text=True)


def data_block(text, block_id):
    """The JSON of a <script type="application/json" id=...> block."""
    found = re.search(rf'<script type="application/json" id="{block_id}">(.*?)</script>', text, re.S)
    assert found, block_id
    return json.loads(found.group(1))


def badge(text):
    found = re.search(r'class="notifications-link"[^>]*>[^<]*<span class="badge">(\d+)</span>', text)
    return int(found.group(1)) if found else 0


def ask_form(client, clip, supervisor_id, question):
    return client.post(
        f"/clips/{clip['id']}/reviews", data={"csrf_token": client.csrf, "supervisor": str(supervisor_id), "question": question}
    )


def strength(api, review, text="Ik zie dat je wacht tot ze opkijkt.", **anchor):
    r = api("supervisor").post(
        f"/api/reviews/{review['id']}/feedback", json={"kind": "strength", "text": text, **(anchor or {"start_ms": 400})}
    )
    assert r.status_code == 201, r.json
    return r.json


def send(api, review):
    r = api("supervisor").post(f"/api/reviews/{review['id']}/send")
    assert r.status_code == 200, r.json
    return r.json


# -- asking from the clip page ------------------------------------------------------------------------


def test_the_clip_page_says_why_a_review_cannot_be_asked_without_supervision_consent(browser_login, ready_clip, certified):
    worker = browser_login("worker")
    text = page(worker, f"/clips/{ready_clip['id']}")
    assert "Not everyone in this case consents to review by a supervisor" in text
    assert 'class="ask-review"' not in text  # the reason instead of the form


def test_the_ask_form_refuses_without_consent_with_the_message_shown(app, browser_login, people, ready_clip, certified):
    worker = browser_login("worker")
    r = ask_form(worker, ready_clip, people["supervisor"].id, "Look at how I start.")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/clips/{ready_clip['id']}#reviews")
    shown = page(worker, f"/clips/{ready_clip['id']}")
    assert 'class="flash error"' in shown and "consents to review by a supervisor" in shown
    assert page(worker, "/reviews").count("<tr class=") == 0


def test_the_worker_asks_a_named_supervisor_from_the_clip_page(app, api, browser_login, people, case, ready_clip, certified):
    consent_to_supervision(api, case)
    worker = browser_login("worker")
    form = page(worker, f"/clips/{ready_clip['id']}")
    assert 'class="ask-review"' in form
    assert f'<option value="{people["supervisor"].id}">Supervisor</option>' in form
    assert f'<option value="{people["other_supervisor"].id}">Other Supervisor</option>' in form

    r = ask_form(worker, ready_clip, people["supervisor"].id, "Look at how I start.")
    assert r.status_code == 302
    review_url = r.headers["Location"]
    assert re.search(r"/reviews/\d+$", review_url)
    text = page(worker, review_url)
    assert "Your request has been sent to Supervisor." in text
    assert "Look at how I start." in text and "How do I keep the father engaged?" in text
    assert 'data-state="requested"' in text and "Withdraw the request" in text

    # The clip page lists it; asking the same supervisor again is refused with the reason.
    clip_page = page(worker, f"/clips/{ready_clip['id']}")
    assert "Review by Supervisor" in clip_page and review_url.split("localhost")[-1] in clip_page
    ask_form(worker, ready_clip, people["supervisor"].id, "Again?")
    assert "already has an open review request" in page(worker, f"/clips/{ready_clip['id']}")


def test_the_ask_form_refuses_an_empty_question(api, browser_login, people, case, ready_clip, certified):
    consent_to_supervision(api, case)
    worker = browser_login("worker")
    ask_form(worker, ready_clip, people["supervisor"].id, "   ")
    assert "Write your question for the supervisor" in page(worker, f"/clips/{ready_clip['id']}")


def test_only_the_owner_can_ask(api, browser_login, people, case, ready_clip, certified):
    consent_to_supervision(api, case)
    other = browser_login("other_worker")
    assert ask_form(other, ready_clip, people["supervisor"].id, "Look.").status_code == 404


# -- the review page ------------------------------------------------------------------------------------


def test_the_review_page_for_its_supervisor_opens_the_review_with_the_writing_tools(api, browser_login, review):
    supervisor = browser_login("supervisor")
    text = page(supervisor, f"/reviews/{review['id']}")
    assert api("worker").get(f"/api/reviews/{review['id']}").json["state"] == "in_review"  # the first look
    assert 'class="feedback-compose"' in text and "Send feedback to Worker" in text
    data = data_block(text, "coding-data")
    assert data["review"]["my_part"] == "supervisor" and data["review"]["may"]["write"]
    assert data["review_ui"]["starters"]["strength"][0] == "I see that you..."
    assert "fout" in data["review_ui"]["fault_words"]["nl"]
    assert "{words}" in data["review_ui"]["hint"]
    assert data["review_ui"]["urls"]["feedback"] == f"/api/reviews/{review['id']}/feedback"
    assert 'class="coding with-feedback"' in text
    # the supervisor sees the case's code, not a link to the case (which is not theirs)
    assert f"/cases/{review['clip_id']}" not in text


def test_the_review_page_for_its_worker_shows_sent_feedback_and_the_answer_form(api, browser_login, review):
    item = strength(api, review)
    worker = browser_login("worker")
    before = data_block(page(worker, f"/reviews/{review['id']}"), "coding-data")
    assert before["feedback"]["items"] == [] and not before["review"]["may"]["answer"]  # drafts stay hidden
    send(api, review)
    text = page(worker, f"/reviews/{review['id']}")
    data = data_block(text, "coding-data")
    assert [i["id"] for i in data["feedback"]["items"]] == [item["id"]]
    assert data["review"]["may"]["answer"] and 'class="overall-answer"' in text
    assert "Close the review" in text and 'class="feedback-compose"' not in text


@pytest.mark.parametrize("who", ["other_worker", "other_supervisor", "admin"])
def test_the_review_page_is_not_found_for_anyone_else(browser_login, review, who):
    page(browser_login(who), f"/reviews/{review['id']}", 404)


def test_withdraw_and_close_are_page_forms(api, browser_login, review):
    worker = browser_login("worker")
    r = worker.post(f"/reviews/{review['id']}/withdraw", data={"csrf_token": worker.csrf})
    assert r.status_code == 302
    assert api("worker").get(f"/api/reviews/{review['id']}").json["state"] == "withdrawn"
    assert "The request has been withdrawn" in page(worker, f"/reviews/{review['id']}")
    # closing a withdrawn request is refused, with the reason
    worker.post(f"/reviews/{review['id']}/close", data={"csrf_token": worker.csrf})
    assert "can be closed once its feedback has been sent" in page(worker, f"/reviews/{review['id']}")


def test_my_reviews_lists_them_for_worker_and_supervisor(browser_login, review):
    mine = page(browser_login("worker"), "/reviews")
    assert "Your requests" in mine and "Asked of you" not in mine and f"/reviews/{review['id']}" in mine
    theirs = page(browser_login("supervisor"), "/reviews")
    assert "Asked of you" in theirs and f"/reviews/{review['id']}" in theirs and "Requested" in theirs
    assert f"/reviews/{review['id']}" not in page(browser_login("other_supervisor"), "/reviews")


# -- notifications ----------------------------------------------------------------------------------------


def test_the_badge_counts_unread_notifications_and_opening_one_reads_it(api, browser_login, review):
    supervisor = browser_login("supervisor")
    listing = page(supervisor, "/notifications")
    assert badge(listing) == 1
    assert "Worker asks you to review a clip." in listing and 'class="unread"' in listing
    assert badge(page(supervisor, "/notifications")) == 1  # looking at the list reads nothing
    link = re.search(r'href="(/notifications/\d+)"', listing).group(1)
    r = supervisor.get(link)
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/reviews/{review['id']}")
    assert badge(page(supervisor, "/notifications")) == 0

    worker = browser_login("worker")
    assert badge(page(worker, "/cases")) == 0
    strength(api, review)
    send(api, review)
    assert badge(page(worker, "/cases")) == 1
    assert "Supervisor sent you feedback on your clip." in page(worker, "/notifications")
    worker.post("/notifications/read", data={"csrf_token": worker.csrf})
    assert badge(page(worker, "/cases")) == 0


def test_someone_elses_notification_is_not_found(browser_login, review):
    listing = page(browser_login("supervisor"), "/notifications")
    link = re.search(r'href="(/notifications/\d+)"', listing).group(1)
    page(browser_login("worker"), link, 404)


# -- escaping -------------------------------------------------------------------------------------------------


def test_feedback_questions_and_answers_stay_text_on_every_page(app, api, browser_login, people, case, ready_clip, certified):
    from tests.conftest import wait_for_jobs

    consent_to_supervision(api, case)
    moment = api("worker").post(f"/api/clips/{ready_clip['id']}/moments", json={"start_ms": 400, "code": "bc.initiatief"}).json
    r = api("worker").post(f"/api/clips/{ready_clip['id']}/reviews", json={"supervisor": "supervisor@example.org", "question": EVIL})
    review = r.json
    strength(api, review, text=f"Strength {EVIL}", moment_id=moment["id"])
    strength(api, review, text=f"Range {EVIL}", start_ms=1000, end_ms=2000)
    api("supervisor").post(f"/api/reviews/{review['id']}/feedback", json={"kind": "summary", "text": f"Summary {EVIL}"})
    send(api, review)
    assert (
        api("worker").post(f"/api/reviews/{review['id']}/answers", json={"text": f"Answer {EVIL}", "next_goal": f"Goal {EVIL}"}).status_code
        == 201
    )
    wait_for_jobs(app)

    pages = {
        "worker": [
            f"/reviews/{review['id']}",
            f"/clips/{ready_clip['id']}",
            f"/clips/{ready_clip['id']}/coding",
            f"/clips/{ready_clip['id']}/review",
            "/reviews",
            "/notifications",
        ],
        "supervisor": [
            f"/reviews/{review['id']}",
            f"/clips/{ready_clip['id']}",
            f"/clips/{ready_clip['id']}/coding",
            f"/clips/{ready_clip['id']}/review",
            "/reviews",
            "/notifications",
        ],
    }
    escaped = html.escape(EVIL, quote=False)
    for who, urls in pages.items():
        client = browser_login(who)
        for url in urls:
            text = page(client, url)
            assert "<img src=x" not in text, (who, url)
            assert "onerror=alert(1)>" not in text.replace(escaped, ""), (who, url)
    # ... and the words are there, as text: in the markup or in the page's JSON
    review_page = page(browser_login("worker"), f"/reviews/{review['id']}")
    assert escaped in review_page  # the question and the next learning goal, in the head
    data = data_block(review_page, "coding-data")
    assert data["review"]["summary"]["text"] == f"Summary {EVIL}"
    assert {i["text"] for i in data["feedback"]["items"]} >= {f"Strength {EVIL}", f"Range {EVIL}"}
    screen = page(browser_login("worker"), f"/clips/{ready_clip['id']}/review")
    assert f"Strength {escaped}" in screen and f"Range {escaped}" in screen and f"Summary {escaped}" in screen


def test_the_asked_supervisor_sees_the_clip_page_without_the_workers_tools_or_case(browser_login, review, ready_clip, case):
    page = browser_login("supervisor").get(f"/clips/{ready_clip['id']}").get_data(as_text=True)
    assert ready_clip["title"] in page
    assert f"/cases/{case['id']}" not in page  # the case is not theirs to open
    assert 'name="question"' not in page and f"/clips/{ready_clip['id']}/scheme" not in page
    assert f"/reviews/{review['id']}" in page


@pytest.mark.parametrize("page", ["coding", "review"])
def test_the_supervisors_coding_and_review_screens_do_not_link_to_the_case(browser_login, review, ready_clip, case, page):
    html = browser_login("supervisor").get(f"/clips/{ready_clip['id']}/{page}").get_data(as_text=True)
    assert f"/cases/{case['id']}" not in html
