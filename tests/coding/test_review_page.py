"""The review screen: every coded moment as a card with its frame-exact stills, the clip's figures,
notes that stay text, and nothing at all once consent is withdrawn or for someone else."""

from __future__ import annotations

import html
import re

import cv2
import numpy as np
import pytest

from tests.conftest import wait_for_jobs
from vib.media import synth

FPS = 25  # tests/videos.py: cfr.mp4 is 4 s of 320x240 at 25 fps, frame i paints i


@pytest.fixture
def worker(api):
    return api("worker")


def add(worker, clip, **fields):
    response = worker.post(f"/api/clips/{clip['id']}/moments", json=fields)
    assert response.status_code == 201, response.json
    return response.json


@pytest.fixture
def coded(app, worker, ready_clip):
    """Four moments: two client initiatives, one received within 3 s (a span), a span of the child."""
    moments = [
        add(worker, ready_clip, start_ms=400, code="bc.initiatief", note="<script>alert(1)</script>", tags=["better_than_usual"]),
        add(
            worker,
            ready_clip,
            start_ms=1200,
            end_ms=2400,
            code="bc.ontvangen",
            note='Nods and says "ja".',
            tags=["learning_question", "still"],
        ),
        add(worker, ready_clip, start_ms=2000, end_ms=3000, code="bc.beurt.jij", actor="other"),
        add(worker, ready_clip, start_ms=3200, code="bc.initiatief"),
    ]
    wait_for_jobs(app)  # the batch thumbnail job the changes started
    return moments


def review_url(clip):
    return f"/clips/{clip['id']}/review"


def get_page(client, clip) -> str:
    response = client.get(review_url(clip))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def cards(page: str) -> dict[int, str]:
    """moment id -> the HTML of its card."""
    found = re.findall(r'<li class="moment-card[^"]*" id="moment-(\d+)"(.*?)</li>\s*(?=<li class="moment-card|</ol>)', page, re.S)
    return {int(moment_id): body for moment_id, body in found}


def images(card: str) -> list[dict[str, str]]:
    return [dict(re.findall(r'(\w+)="([^"]*)"', tag)) for tag in re.findall(r"<img\b[^>]*>", card)]


def test_every_moment_is_a_card_in_time_order_with_code_actor_time_note_and_tags(browser_login, ready_clip, coded):
    page = get_page(browser_login("worker"), ready_clip)
    found = cards(page)
    assert list(found) == [m["id"] for m in sorted(coded, key=lambda m: m["start_ms"])]
    point, span, child, _ = (found[m["id"]] for m in coded)
    assert "Initiative" in point and "Client" in point and "0:00.400" in point
    assert "Better than usual (strength moment)" in point
    assert "0:01.200</time>–<time>0:02.400" in span and "(1.2 s)" in span
    assert "Linked to the learning question" in span and "Use as still" in span and "Nods and says &#34;ja&#34;." in span
    assert "Other participant" in child
    assert f'href="/clips/{ready_clip["id"]}/coding#t=2000"' in child  # "open in coding page" at the moment
    assert f'src="/api/clips/{ready_clip["id"]}/media"' in page  # the player on the page
    assert "4 of 4 moments" in page


def test_a_point_has_one_still_and_a_span_three_lazy_and_sized_from_the_clip(browser_login, ready_clip, coded):
    found = cards(get_page(browser_login("worker"), ready_clip))
    point, span = images(found[coded[0]["id"]]), images(found[coded[1]["id"]])
    assert len(point) == 1 and len(span) == 3
    assert [re.search(r"t=(\d+)", html.unescape(img["src"])).group(1) for img in span] == ["1200", "1800", "2400"]
    for img in point + span:
        assert img["loading"] == "lazy" and img["decoding"] == "async"
        assert (img["width"], img["height"]) == ("320", "240")  # 4:3, as the clip
    assert point[0]["alt"] == "Initiative at 0:00.400"
    assert span[2]["alt"].endswith("end at 0:02.400")


def test_the_stills_are_jpegs_of_the_frame_on_screen_at_each_time(browser_login, ready_clip, coded):
    client = browser_login("worker")
    found = cards(get_page(client, ready_clip))
    for moment in coded[:2]:
        for img in images(found[moment["id"]]):
            url = html.unescape(img["src"])
            response = client.get(url)
            assert response.status_code == 200 and response.mimetype == "image/jpeg", url
            assert response.data[:3] == b"\xff\xd8\xff"
            picture = cv2.imdecode(np.frombuffer(response.data, np.uint8), cv2.IMREAD_COLOR)
            t = int(re.search(r"t=(\d+)", url).group(1))
            assert synth.read_index(picture) == t * FPS // 1000, url


def test_a_note_is_shown_as_text_never_as_markup(browser_login, ready_clip, coded):
    page = get_page(browser_login("worker"), ready_clip)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_figures_of_the_clip_are_shown_above_the_cards(browser_login, ready_clip, coded):
    page = get_page(browser_login("worker"), ready_clip)
    stats = page[page.index('class="card review-stats"') : page.index('class="review-body"')]
    assert "50%" in stats and "1 of 2 initiatives received within 3 s" in stats
    assert "300.0" in stats  # 2 initiatives in 4 s
    assert "0.8 s" in stats  # the initiative at 0.4 s received at 1.2 s
    assert re.search(r"Strength moments</dt>\s*<dd><strong[^>]*>1<", stats)
    assert re.search(r"Linked to the learning question</dt>\s*<dd><strong[^>]*>1<", stats)
    rows = [re.sub(r"<[^>]+>", "", row).split() for row in re.findall(r"<tr>(.*?)</tr>", stats, re.S)[1:]]
    assert ["Initiative", "Client", "2", "–"] in rows
    assert ["Receiving", "(acknowledgement", "of", "receipt)", "Worker", "1", "1.2", "s"] in rows
    assert "not a score of the client" in stats


def test_without_moments_the_page_points_to_the_coding_page(browser_login, ready_clip):
    page = get_page(browser_login("worker"), ready_clip)
    assert "No moments coded yet" in page
    assert f'href="/clips/{ready_clip["id"]}/coding"' in page
    assert "moment-card" not in page and "<video" not in page and "review-stats" not in page


def test_withdrawn_consent_shows_the_reason_and_no_pictures(api, browser_login, case, ready_clip, coded):
    api("worker").post(f"/api/cases/{case['id']}/consents/withdraw", json={"person": "father", "purposes": ["analysis"]})
    page = get_page(browser_login("worker"), ready_clip)
    assert "withdrawn (father)" in page
    assert "<img" not in page and "<video" not in page and "/thumbnail" not in page
    assert "moment-card" not in page and "alert(1)" not in page and "review-stats" not in page


def test_someone_else_gets_not_found(browser_login, ready_clip, coded):
    assert browser_login("other_worker").get(review_url(ready_clip)).status_code == 404
    assert browser_login("worker").get("/clips/999999/review").status_code == 404


def test_a_visitor_who_is_not_logged_in_is_sent_to_log_in(app, ready_clip):
    response = app.test_client().get(review_url(ready_clip))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_figures_are_written_the_dutch_way_in_dutch(browser_login, ready_clip, coded):
    client = browser_login("worker")
    client.post("/language", data={"locale": "nl", "csrf_token": client.csrf})
    stats = get_page(client, ready_clip).split('class="review-body"')[0]
    assert "300,0" in stats and "0,8 s" in stats and "Ontvangstratio" in stats
