"""The library's pages, server-side: who sees which page, what they show, and what they never show."""

from __future__ import annotations

import html

import pytest

from vib.accounts.models import User
from vib.core import db

WORKER_NAME = "Wendy Proposer"
CASE_CODE = "2026-017"  # make_case's


@pytest.fixture
def named_worker(app, people):
    """The proposing worker gets a name no page text could contain by chance."""
    with app.app_context():
        db.session().get(User, people["worker"].id).name = WORKER_NAME
        db.session().commit()


def page(client, url, status=200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return html.unescape(response.get_data(as_text=True))


def assert_anonymous(text: str) -> None:
    assert CASE_CODE not in text and WORKER_NAME not in text


def test_the_library_link_is_for_everyone_but_admins(browser_login):
    for who in ("worker", "supervisor", "trainer"):
        assert 'href="/library"' in page(browser_login(who), "/cases")
    assert 'href="/library"' not in page(browser_login("admin"), "/admin/users")
    page(browser_login("admin"), "/library", 404)
    page(browser_login("admin"), "/library/collections", 404)


def test_anonymous_visitors_are_sent_to_log_in(app):
    for url in ("/library", "/library/collections", "/library/fragments/1", "/library/collections/1"):
        assert app.test_client().get(url).status_code == 302


def test_an_empty_library_says_what_to_do(browser_login):
    assert "propose a moment of one of your own clips" in page(browser_login("worker"), "/library")
    text = page(browser_login("trainer"), "/library")
    assert "Nothing is published yet" in text and "Nothing waits for review" in text


def test_a_fragment_in_review_is_for_trainers_and_its_proposer(named_worker, browser_login, in_review):
    url = f"/library/fragments/{in_review['id']}"
    trainer = page(browser_login("trainer"), url)
    assert 'id="render-form"' in trainer and "Render" in trainer and "Extra areas to blur" in trainer
    assert_anonymous(trainer)
    proposer = page(browser_login("worker"), url)
    assert 'id="render-form"' not in proposer and "You proposed this fragment" in proposer
    for who in ("other_worker", "supervisor", "admin"):
        page(browser_login(who), url, 404)

    # It waits on the trainer's library page, and on the proposer's, but nobody else's.
    assert in_review["title"] in page(browser_login("trainer"), "/library").split('id="to-review"')[1]
    mine = page(browser_login("worker"), "/library")
    assert "Your proposals" in mine and in_review["title"] in mine
    assert in_review["title"] not in page(browser_login("other_worker"), "/library")


def test_a_published_fragment_is_for_everyone_who_reads_the_library(named_worker, browser_login, published):
    url = f"/library/fragments/{published['id']}"
    for who in ("other_worker", "supervisor", "worker", "trainer"):
        text = page(browser_login(who), url)
        assert published["title"] in text and "The worker waits; the parent goes on." in text
        assert f'src="/api/fragments/{published["id"]}/media"' in text
        assert "Download for a presentation: not possible" in text  # nobody consents to presentations
        if who != "worker":  # the proposer sees their own name in the top bar
            assert_anonymous(text)
    assert 'id="edit-form"' in page(browser_login("trainer"), url)
    assert 'id="edit-form"' not in page(browser_login("other_worker"), url)
    page(browser_login("admin"), url, 404)

    found = page(browser_login("other_worker"), "/library")
    assert published["title"] in found and "Initiative" in found  # the code's label, beside its colour
    assert_anonymous(found)


def test_filters_stay_in_the_url_and_in_the_form(browser_login, published):
    client = browser_login("other_worker")
    text = page(client, "/library?q=waits+parent&code=bc.initiatief&tag=")
    assert published["title"] in text and "1 fragment found" in text
    assert 'name="q" value="waits parent"' in text
    assert '<option value="bc.initiatief" selected>' in text
    text = page(client, "/library?code=bc.ontvangen")
    assert published["title"] not in text.split("found-heading")[1] and "No fragment matches" in text
    assert '<option value="bc.ontvangen" selected>' in text


def test_collections_for_readers_and_their_editors(named_worker, api, browser_login, published):
    made = api("trainer").post("/api/collections", json={"title": "Week 2: waiting", "description": "For the new coders."})
    assert made.status_code == 201, made.json
    item = api("trainer").post(
        f"/api/collections/{made.json['id']}/items", json={"fragment_id": published["id"], "note": "Count to three."}
    )
    assert item.status_code == 201, item.json

    listing = page(browser_login("trainer"), "/library/collections")
    assert "Week 2: waiting" in listing and 'id="new-collection"' in listing
    reader = page(browser_login("other_worker"), "/library/collections")
    assert "Week 2: waiting" in reader and 'id="new-collection"' not in reader

    url = f"/library/collections/{made.json['id']}"
    trainer = page(browser_login("trainer"), url)
    assert "Count to three." in trainer and 'id="collection-edit"' in trainer and "Move up" in trainer
    text = page(browser_login("other_worker"), url)
    assert published["title"] in text and "Count to three." in text and 'aria-current="true"' in text
    assert 'id="collection-edit"' not in text and 'class="move"' not in text
    assert_anonymous(text)
    page(browser_login("admin"), url, 404)
    page(browser_login("other_worker"), "/library/collections/999999", 404)

    # The library filters by collection, and keeps it chosen.
    found = page(browser_login("other_worker"), f"/library?collection={made.json['id']}")
    assert published["title"] in found and f'<option value="{made.json["id"]}" selected>' in found


def test_the_clip_owner_can_propose_from_the_coding_page_and_the_review_screen(browser_login, training_clip, review):
    for url in (f"/clips/{training_clip['id']}/coding", f"/clips/{training_clip['id']}/review"):
        text = page(browser_login("worker"), url)
        assert "Propose for the library" in text and "js/library-propose.js" in text
        assert f'data-api="/api/clips/{training_clip["id"]}/fragments"' in text
    # The supervisor reviewing the clip sees the review, not the tool: only the owner proposes.
    text = page(browser_login("supervisor"), f"/reviews/{review['id']}")
    assert "Propose for the library" not in text and "library-propose.js" not in text


def test_without_training_consent_the_tool_says_why(browser_login, ready_clip):
    text = page(browser_login("worker"), f"/clips/{ready_clip['id']}/coding")
    assert "Not everyone in this case consents to training" in text and 'class="propose-form"' not in text
