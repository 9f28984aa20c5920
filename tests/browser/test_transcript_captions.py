"""A clip's transcript in the browser: the worker uploads it on the coding page, sees it as captions on
the player (on by the Captions button), follows and searches it in the panel, goes to a cue's start,
and codes a cue as a moment with a code key; the other players of the clip get the captions too."""

import io

from tests.browser.conftest import accessibility_violations
from tests.browser.test_coding import INITIATIVE, moments, open_coding, poll, wait_saved
from tests.browser.test_upload_and_play import log_in, snap, wait_until
from tests.conftest import copy_processed_clip
from tests.days import organisation_today

TRANSCRIPT = """WEBVTT

00:00.000 --> 00:01.500
<v A>Goedemorgen, hoe gaat het?

00:02.000 --> 00:02.900
<v B>Goed, dank je.

00:03.010 --> 00:03.790
<v A>Zullen we beginnen?

00:09.000 --> 00:10.000
<v B>Na het einde van de clip.
"""
VIDEO = "document.querySelector('.coding video')"


def test_worker_uploads_a_transcript_sees_captions_seeks_and_codes_a_cue(app, api, people, live_server, page, ready_clip):
    clip_id = ready_clip["id"]
    log_in(page, live_server, "worker@example.org")
    open_coding(page, live_server, clip_id)
    panel = page.locator(".transcript-panel")
    assert panel.locator(".transcript-empty").is_visible()
    assert page.locator(".captions-toggle").is_hidden()  # nothing to caption yet

    # Upload: the skipped cue is reported, the list fills, the Captions button appears.
    panel.get_by_text("Add a transcript").click()
    panel.locator("input[name=file]").set_input_files(
        files=[{"name": "gesprek.vtt", "mimeType": "text/vtt", "buffer": TRANSCRIPT.encode()}]
    )
    panel.locator("input[name=language]").fill("nl")
    panel.locator("input[name=speakers]").fill("A:werker,B:moeder")
    panel.get_by_role("button", name="Upload").click()
    wait_until(page, "document.querySelectorAll('.transcript-panel ol.cues button').length === 3")
    status = panel.locator(".form-status").inner_text()
    assert "3 cues" in status and "cue 4: it starts after the clip ends" in status
    assert panel.locator("ol.cues button").nth(1).inner_text().split() == ["0:02.000", "moeder", "Goed,", "dank", "je."]
    snap(page, "transcript-uploaded")

    # Captions: off until the button, then the track's cues are loaded and the one at the playhead shows.
    toggle = page.locator(".captions-toggle")
    assert toggle.is_visible() and toggle.get_attribute("aria-pressed") == "false"
    assert page.evaluate(f"{VIDEO}.textTracks[0].mode") == "disabled"
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"
    wait_until(page, f"{VIDEO}.textTracks[0].mode === 'showing' && {VIDEO}.textTracks[0].cues?.length === 3")
    assert page.evaluate(f"{VIDEO}.textTracks[0].language") == "nl"

    # Going to a cue from the panel: the video stands at its start, the cue is marked and captioned.
    panel.locator("ol.cues button").nth(1).click()
    wait_until(page, f"Math.abs({VIDEO}.currentTime * 1000 - 2000) < 1")
    wait_until(page, "document.querySelectorAll('.transcript-panel [aria-current]').length === 1")
    assert panel.locator("[aria-current]").inner_text().endswith("Goed, dank je.")
    wait_until(page, f"{VIDEO}.textTracks[0].activeCues?.length === 1")
    assert page.evaluate(f"{VIDEO}.textTracks[0].activeCues[0].text") == "<v moeder>moeder: Goed, dank je."
    snap(page, "transcript-captions-on")

    # By keyboard: Enter on the third cue goes there; the code key i on it codes the cue, snapped to
    # the frames on screen at its start (3010 → 3000) and end (3790 → 3760).
    third = panel.locator("ol.cues button").nth(2)
    third.focus()
    page.keyboard.press("Enter")
    wait_until(page, f"Math.abs({VIDEO}.currentTime * 1000 - 3000) < 1")
    page.keyboard.press("i")
    wait_until(page, "document.querySelectorAll('.moment-list li').length === 1")
    wait_saved(page)
    [moment] = poll(lambda: moments(api, clip_id))
    assert (moment["start_ms"], moment["end_ms"], moment["code"]) == (3000, 3760, INITIATIVE)

    # Search: the cues that match, counted politely.
    panel.locator("input[name=q]").fill("beginnen")
    wait_until(page, "document.querySelector('.transcript-count').textContent === '1 of 3 cues'")
    assert panel.locator(".transcript-count").get_attribute("aria-live") == "polite"
    assert [b.is_visible() for b in panel.locator("ol.cues button").all()] == [False, False, True]
    assert accessibility_violations(page) == []
    snap(page, "transcript-search")


def test_every_player_of_the_clip_gets_the_captions(app, api, people, live_server, page, ready_clip, review):
    clip_id = ready_clip["id"]
    made = api("worker").post(
        f"/api/clips/{clip_id}/transcript", data={"file": (io.BytesIO(TRANSCRIPT.encode()), "t.vtt"), "language": "nl"}
    )
    assert made.status_code == 201, made.json
    # the review screen shows its player beside the coded moments
    assert api("worker").post(f"/api/clips/{clip_id}/moments", json={"start_ms": 400, "code": INITIATIVE}).status_code == 201
    log_in(page, live_server, "supervisor@example.org")
    for url, video in ((f"/clips/{clip_id}", "#clip-video"), (f"/clips/{clip_id}/review", "#review-video")):
        page.goto(f"{live_server}{url}")
        track = page.locator(f"{video} track")
        assert track.get_attribute("kind") == "captions" and track.get_attribute("srclang") == "nl"
        assert track.get_attribute("label") == "Dutch"
        toggle = page.get_by_role("button", name="Captions")
        if url.endswith("/review"):  # turned on on the clip page: remembered for the next player
            assert toggle.get_attribute("aria-pressed") == "true"
        else:
            assert toggle.get_attribute("aria-pressed") == "false"
            toggle.click()
        wait_until(page, f"document.querySelector('{video}').textTracks[0].cues?.length === 3")
        assert page.evaluate(f"document.querySelector('{video}').textTracks[0].mode") == "showing"
        assert accessibility_violations(page) == [], url
    # The supervisor may watch, not change the transcript: the coding page has no upload form.
    open_coding(page, live_server, clip_id)
    assert page.locator(".transcript-panel form").count() == 0
    wait_until(page, "document.querySelectorAll('.transcript-panel ol.cues button').length === 3")
    assert page.locator(".captions-toggle").get_attribute("aria-pressed") == "true"
    page.locator(".captions-toggle").click()
    assert page.evaluate(f"{VIDEO}.textTracks[0].mode") == "disabled"


def test_the_meeting_page_and_its_presentation_caption_the_items_of_a_clip_with_a_transcript(
    app, api, people, live_server, page, case, ready_clip, processed_clip
):
    worker = api("worker")
    first = ready_clip["id"]
    second = copy_processed_clip(app, people, case["id"], processed_clip, title="Second visit", cycle=2)
    made = worker.post(f"/api/clips/{first}/transcript", data={"file": (io.BytesIO(TRANSCRIPT.encode()), "t.vtt"), "language": "nl"})
    assert made.status_code == 201, made.json
    meeting = worker.post(
        f"/api/cases/{case['id']}/meetings", json={"date": organisation_today().isoformat(), "question": "What helps?"}
    ).json
    for clip_id in (first, second):
        span = {"clip_id": clip_id, "start_ms": 1800, "end_ms": 2600, "pre_roll_ms": 0, "post_roll_ms": 0}
        assert worker.post(f"/api/meetings/{meeting['id']}/items", json=span).status_code == 201
    meeting = worker.get(f"/api/meetings/{meeting['id']}").json
    assert [bool(item["captions"]) for item in meeting["items"]] == [True, False]

    log_in(page, live_server, "worker@example.org")
    # Before and after: the first clip's player has its track, the second's none.
    page.goto(f"{live_server}/meetings/{meeting['id']}")
    wait_until(page, "document.querySelector('#compare-before track') !== null")
    assert page.locator("#compare-after track").count() == 0
    page.locator(".before-after .captions-toggle").click()
    wait_until(page, "document.querySelector('#compare-before').textTracks[0].cues?.length === 3")
    assert accessibility_violations(page) == []

    # The presentation: the first item's player shows its clip's captions (on: remembered), the
    # second item's has none; C turns them off.
    page.goto(f"{live_server}{meeting['present_url']}")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    on_screen = "document.querySelector('.stage video.on-screen')"
    wait_until(page, f"{on_screen}?.textTracks[0]?.cues?.length === 3 && {on_screen}.textTracks[0].mode === 'showing'")
    assert page.locator(".present-controls .captions-toggle").get_attribute("aria-pressed") == "true"
    assert accessibility_violations(page) == []
    page.keyboard.press("c")
    assert page.evaluate(f"{on_screen}.textTracks[0].mode") == "disabled"
    page.keyboard.press("ArrowRight")
    wait_until(page, f"{on_screen}?.currentSrc.endsWith('/api/clips/{second}/media')")
    assert page.evaluate(f"{on_screen}.textTracks.length") == 0
