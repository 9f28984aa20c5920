"""A worker codes a clip in a real browser: code keys while it plays, the moments on the timeline and
in the list, still there after a reload; a drag that makes a point a span, snapped to a frame; undo
and redo reaching the server; a deleted moment brought back; frame steps from the frames list; and
a save that fails once, is shown as retrying and ends up saved once."""

import json
import time

from tests.browser.test_upload_and_play import log_in, snap, wait_until

INITIATIVE = "bc.initiatief"  # key i, actor client
RECEIVING = "bc.ontvangen"  # key o, actor worker


def open_coding(page, live_server, clip_id):
    page.goto(f"{live_server}/clips/{clip_id}/coding")
    wait_until(page, "document.querySelector('.coding')?.dataset.ready === 'true'")
    wait_until(page, "document.querySelector('.coding video').readyState >= 2")


def poll(check, timeout=15.0):
    """Wait until check() returns something truthy (e.g. what the API says), and return it."""
    deadline = time.monotonic() + timeout
    while not (result := check()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)
    return result


def wait_saved(page):
    wait_until(page, "document.querySelector('.save-status').dataset.state === 'saved'")


def moments(api, clip_id):
    response = api("worker").get(f"/api/clips/{clip_id}/moments")
    assert response.status_code == 200, response.json
    return response.json


def video_ms(page):
    return page.evaluate("() => document.querySelector('.coding video').currentTime * 1000")


def timeline_x(page, ms):
    """Where a time is on screen (page coordinates) on the timeline as it is zoomed and scrolled now."""
    return page.evaluate(
        """(ms) => {
          const scroller = document.querySelector('.timeline-scroll');
          const content = scroller.querySelector('.timeline-content');
          const box = scroller.querySelector('canvas').getBoundingClientRect();
          return box.left + ms * Number(content.dataset.pxPerMs) - scroller.scrollLeft;
        }""",
        ms,
    )


def lane_y(page, lane):
    box = page.locator(".timeline canvas").bounding_box()
    return box["y"] + 20 + 24 * lane + 12  # RULER, LANE in timeline.js: the middle of the lane


def canvas_colour(page, x, y):
    """The colour the timeline canvas drew at a page position, as #rrggbb."""
    return page.evaluate(
        """([x, y]) => {
          const canvas = document.querySelector('.timeline canvas');
          const box = canvas.getBoundingClientRect();
          const scale = canvas.width / box.width;
          const [r, g, b] = canvas.getContext('2d').getImageData(Math.round((x - box.left) * scale), Math.round((y - box.top) * scale), 1, 1).data;
          return '#' + [r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('');
        }""",
        [x, y],
    )


def nearest(frames, ms):
    return min(frames, key=lambda t: (abs(t - ms), t))


def test_worker_codes_while_playing_drags_undoes_and_steps_frames(app, api, people, live_server, page, ready_clip):
    clip_id = ready_clip["id"]
    frames = api("worker").get(f"/api/clips/{clip_id}/frames").json["times_ms"]
    log_in(page, live_server, "worker@example.org")
    page.wait_for_url("**/cases")
    open_coding(page, live_server, clip_id)
    assert page.locator(".legend .code-keys").inner_text().count("\n") >= 5  # every code key is listed
    assert page.locator(".moment-empty").is_visible()

    # While it plays: a tap of i marks a point, o held down marks a span.
    page.keyboard.press("Space")
    # Until the frame on screen, which a code key marks and the page's clock shows, is at 0.3 s or later
    # (currentTime runs a frame or so ahead of it: waiting on that, a quick look coded the frame at 280 ms).
    wait_until(page, "document.querySelector('.time-now').textContent >= '0:00.300'")
    # The sleeps are what is tested: keys pressed while it plays on, 0.3 s apart, o held for 0.7 s.
    page.keyboard.press("i")
    time.sleep(0.3)
    page.keyboard.down("o")
    time.sleep(0.7)
    page.keyboard.up("o")
    page.keyboard.press("k")  # pause
    wait_until(page, "document.querySelectorAll('.moment-list li').length === 2")
    wait_saved(page)
    saved = poll(lambda: len(moments(api, clip_id)) == 2 and moments(api, clip_id))
    point, span = sorted(saved, key=lambda m: m["start_ms"])
    assert (point["code"], point["actor"], point["end_ms"]) == (INITIATIVE, "client", None)
    assert (span["code"], span["actor"]) == (RECEIVING, "worker")
    assert span["end_ms"] - span["start_ms"] >= 400, span  # held about 0.7 s
    for t in (point["start_ms"], span["start_ms"], span["end_ms"]):
        assert t in frames
    assert 300 <= point["start_ms"] < span["start_ms"]
    rows = page.locator(".moment-list li")
    assert "Initiative" in rows.nth(0).inner_text() and "Client" in rows.nth(0).inner_text()
    assert "Receiving" in rows.nth(1).inner_text()
    # ... and on the timeline, in their lanes and colours
    assert canvas_colour(page, timeline_x(page, point["start_ms"]), lane_y(page, 1) + 4) == "#c85200"
    middle = (span["start_ms"] + span["end_ms"]) / 2
    assert canvas_colour(page, timeline_x(page, middle), lane_y(page, 0) + 6) != "#ffffff"
    snap(page, "coding-1-two-moments")

    # Still there after a reload.
    page.reload()
    wait_until(page, "document.querySelector('.coding')?.dataset.ready === 'true'")
    assert page.locator(".moment-list li").count() == 2
    assert page.locator(".moment-count").inner_text() == "2"

    # Select the point in the list, then drag its grip to the right: it becomes a span.
    page.locator(".moment-list li").nth(0).click()
    assert page.locator(".moment-panel .panel-time").inner_text() == format_time(point["start_ms"])
    wait_until(page, f"Math.abs(document.querySelector('.coding video').currentTime * 1000 - {point['start_ms']}) < 1")
    grip_x = timeline_x(page, point["start_ms"]) + 12
    y = lane_y(page, 1)
    drop_x = grip_x + 90
    page.mouse.move(grip_x, y)
    page.mouse.down()
    page.mouse.move(grip_x + 40, y, steps=4)
    page.mouse.move(drop_x, y, steps=4)
    assert page.locator(".timeline-tip").is_visible()  # the time shows while dragging
    tip = page.locator(".timeline-tip").inner_text()
    px_per_ms = float(page.locator(".timeline-content").get_attribute("data-px-per-ms"))
    page.mouse.up()
    wait_saved(page)
    expected_end = nearest(frames, point["start_ms"] + (drop_x - timeline_x(page, point["start_ms"])) / px_per_ms)
    dragged = poll(lambda: next((m for m in moments(api, clip_id) if m["id"] == point["id"] and m["end_ms"] is not None), None))
    assert dragged["end_ms"] in frames
    assert dragged["end_ms"] == expected_end  # the frame nearest to where the pointer let go
    assert tip == format_time(dragged["end_ms"])
    assert page.locator(".moment-panel .panel-time").inner_text() == f"{format_time(point['start_ms'])} – {format_time(dragged['end_ms'])}"
    snap(page, "coding-2-dragged-to-a-span")

    # Ctrl+Z undoes the drag on the server; Ctrl+Shift+Z does it again.
    page.keyboard.press("Control+z")
    poll(lambda: next(m for m in moments(api, clip_id) if m["id"] == point["id"])["end_ms"] is None)
    page.keyboard.press("Control+Shift+z")
    poll(lambda: next(m for m in moments(api, clip_id) if m["id"] == point["id"])["end_ms"] == dragged["end_ms"])

    # A note is text, never HTML.
    page.fill(".moment-panel textarea[name=note]", "<b>Looks up</b> <script>alert(1)</script>")
    page.locator(".moment-panel textarea[name=note]").blur()
    wait_saved(page)
    assert page.locator(".moment-list li.selected .note").inner_text().startswith("<b>Looks up</b>")
    assert page.locator(".moment-list b, .moment-list script").count() == 0
    poll(lambda: next(m for m in moments(api, clip_id) if m["id"] == point["id"])["note"].startswith("<b>"))

    # Delete, then undo: the moment comes back with a new id, and later edits reach that id.
    page.keyboard.press("Delete")
    poll(lambda: len(moments(api, clip_id)) == 1)
    assert page.locator(".moment-list li").count() == 1
    page.keyboard.press("Control+z")
    back = poll(lambda: next((m for m in moments(api, clip_id) if m["code"] == INITIATIVE), None))
    assert back["id"] != point["id"] and back["end_ms"] == dragged["end_ms"] and back["note"].startswith("<b>")
    page.select_option(".moment-panel select[name=actor]", "other")
    poll(lambda: next(m for m in moments(api, clip_id) if m["id"] == back["id"])["actor"] == "other")

    # Frame steps follow the frames list exactly.
    page.keyboard.press("Escape")
    start = video_ms(page)
    i = max(k for k, t in enumerate(frames) if t <= start + 0.5)
    page.keyboard.press("ArrowRight")
    wait_until(page, f"Math.abs(document.querySelector('.coding video').currentTime * 1000 - {frames[i + 1]}) < 0.01")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowLeft")
    wait_until(page, f"Math.abs(document.querySelector('.coding video').currentTime * 1000 - {frames[i + 2]}) < 0.01")
    wait_until(page, f"document.querySelector('.time-now').textContent === '{format_time(frames[i + 2])}'")
    assert page.locator(".frame-now").inner_text() == f"frame {i + 3} of {len(frames)}"

    # Shift+key opens a span while paused; the same key closes it frames later.
    page.keyboard.press("Shift+a")
    assert page.locator(".open-span").is_visible()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("a")
    assert page.locator(".open-span").is_hidden()
    opened = poll(lambda: next((m for m in moments(api, clip_id) if m["code"] == "bc.aandacht"), None))
    assert (opened["start_ms"], opened["end_ms"], opened["actor"]) == (frames[i + 2], frames[i + 5], "worker")
    snap(page, "coding-3-after-steps")


def test_a_failed_save_is_shown_retried_and_saved_once(app, api, people, live_server, page, ready_clip):
    clip_id = ready_clip["id"]
    failed = []

    def fail_first_post(route):
        if route.request.method == "POST" and not failed:
            failed.append(route.request.post_data)
            route.fulfill(status=503, content_type="application/json", body=json.dumps({"error": "Service unavailable"}))
        else:
            route.continue_()

    log_in(page, live_server, "worker@example.org")
    page.wait_for_url("**/cases")
    page.route(f"**/api/clips/{clip_id}/moments", fail_first_post)
    open_coding(page, live_server, clip_id)
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    wait_until(page, "document.querySelector('.coding video').currentTime > 0.1")
    page.keyboard.press("o")
    wait_until(page, "document.querySelector('.save-status').dataset.state === 'retrying'")
    assert "retrying" in page.locator(".save-status").inner_text()
    assert page.locator(".moment-list li").count() == 1  # the change is kept meanwhile
    snap(page, "coding-4-retrying")
    wait_until(page, "document.querySelector('.save-status').dataset.state === 'saved'", timeout=20)
    assert len(failed) == 1
    saved = moments(api, clip_id)
    assert len(saved) == 1 and saved[0]["code"] == RECEIVING


def test_a_refused_change_is_reverted_with_the_reason(app, api, people, live_server, page, ready_clip):
    clip_id = ready_clip["id"]
    made = api("worker").post(f"/api/clips/{clip_id}/moments", json={"start_ms": 1000, "code": INITIATIVE, "note": "first"})
    assert made.status_code == 201, made.json
    log_in(page, live_server, "worker@example.org")
    page.wait_for_url("**/cases")
    open_coding(page, live_server, clip_id)
    page.locator(".moment-list li").nth(0).click()
    # Someone else changes the moment meanwhile: the page gets 409 and shows their version.
    changed = api("worker").patch(f"/api/moments/{made.json['id']}", json={"version": made.json["version"], "note": "theirs"})
    assert changed.status_code == 200, changed.json
    page.fill(".moment-panel textarea[name=note]", "mine")
    page.locator(".moment-panel textarea[name=note]").blur()
    wait_until(page, "!document.querySelector('.coding-problem').hidden")
    wait_until(page, "document.querySelector('.moment-panel textarea').value === 'theirs'")
    assert page.locator(".moment-list li .note").inner_text() == "theirs"
    assert moments(api, clip_id)[0]["note"] == "theirs"


def test_a_note_stays_with_its_moment_when_another_is_clicked_on_the_timeline(app, api, people, live_server, page, ready_clip):
    clip_id = ready_clip["id"]
    first = api("worker").post(f"/api/clips/{clip_id}/moments", json={"start_ms": 1000, "code": INITIATIVE}).json
    second = api("worker").post(f"/api/clips/{clip_id}/moments", json={"start_ms": 3000, "code": INITIATIVE}).json
    log_in(page, live_server, "worker@example.org")
    page.wait_for_url("**/cases")
    open_coding(page, live_server, clip_id)
    page.locator(".moment-list li").nth(0).click()
    page.fill(".moment-panel textarea[name=note]", "She looks up")  # still typing: no blur yet
    page.mouse.click(timeline_x(page, 3000), lane_y(page, 1))  # the other moment's tick
    assert page.locator(".moment-panel .panel-time").inner_text() == "0:03.000"
    assert page.locator(".moment-panel textarea[name=note]").input_value() == ""
    wait_saved(page)
    notes = poll(lambda: {m["id"]: m["note"] for m in moments(api, clip_id)} if moments(api, clip_id)[0]["note"] else None)
    assert notes == {first["id"]: "She looks up", second["id"]: ""}


def test_without_the_right_to_code_the_timeline_is_read_only(app, api, people, live_server, page, ready_clip, monkeypatch):
    from vib.access import ClipPolicy

    clip_id = ready_clip["id"]
    made = api("worker").post(f"/api/clips/{clip_id}/moments", json={"start_ms": 1000, "end_ms": 2000, "code": RECEIVING})
    assert made.status_code == 201, made.json
    may = ClipPolicy.may
    monkeypatch.setattr(ClipPolicy, "may", lambda self, user, action, clip: action != "code" and may(self, user, action, clip))
    log_in(page, live_server, "worker@example.org")
    page.wait_for_url("**/cases")
    open_coding(page, live_server, clip_id)
    assert page.locator(".notice", has_text="not change").count() == 1  # (the library's propose section has a notice too)
    page.keyboard.press("i")
    page.locator(".moment-list li").nth(0).click()
    assert page.locator(".moment-panel select[name=code]").is_disabled()
    assert page.locator(".moment-panel textarea[name=note]").is_disabled()
    assert not page.locator(".moment-panel [data-action=delete]").is_visible()
    page.keyboard.press("Delete")
    end_x = timeline_x(page, 2000)
    page.mouse.move(end_x, lane_y(page, 0))
    page.mouse.down()
    page.mouse.move(end_x + 80, lane_y(page, 0), steps=5)
    page.mouse.up()
    assert page.locator(".timeline-tip").is_hidden()
    assert page.locator(".save-status").get_attribute("data-state") == "saved"  # nothing was queued to send
    time.sleep(0.5)  # nor is anything sent a little later: that nothing happens can only be watched for a while
    assert page.locator(".moment-list li").count() == 1
    assert page.locator(".save-status").get_attribute("data-state") == "saved"
    assert [(m["start_ms"], m["end_ms"]) for m in moments(api, clip_id)] == [(1000, 2000)]


def format_time(ms):
    return f"{ms // 60000}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def test_a_link_with_a_time_opens_the_page_there_with_that_moment_selected(app, api, people, live_server, page, ready_clip):
    clip_id = ready_clip["id"]
    made = api("worker").post(
        f"/api/clips/{clip_id}/moments", json={"start_ms": 1200, "code": INITIATIVE, "note": "from the review screen"}
    )
    assert made.status_code == 201, made.json
    log_in(page, live_server, "worker@example.org")
    page.wait_for_url("**/cases")
    page.goto(f"{live_server}/clips/{clip_id}/review")
    page.click(f"#moment-{made.json['id']} a:has-text('Open in coding page')")
    wait_until(page, "document.querySelector('.coding')?.dataset.ready === 'true'")
    wait_until(page, "Math.abs(document.querySelector('.coding video').currentTime - 1.2) < 0.001")
    assert page.locator(".moment-list li.selected").count() == 1
    assert page.locator(".moment-panel textarea[name=note]").input_value() == "from the review screen"


def test_dragging_a_spans_edges_moves_its_start_and_end_to_frames(app, api, people, live_server, page, ready_clip):
    clip_id = ready_clip["id"]
    frames = api("worker").get(f"/api/clips/{clip_id}/frames").json["times_ms"]
    made = api("worker").post(f"/api/clips/{clip_id}/moments", json={"start_ms": 400, "end_ms": 2400, "code": RECEIVING})
    assert made.status_code == 201, made.json
    log_in(page, live_server, "worker@example.org")
    page.wait_for_url("**/cases")
    open_coding(page, live_server, clip_id)
    page.locator(".moment-list li").nth(0).click()
    px_per_ms = float(page.locator(".timeline-content").get_attribute("data-px-per-ms"))
    y = lane_y(page, 0)  # the worker's lane

    def drag(from_ms, by_px):
        x = timeline_x(page, from_ms)
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + by_px / 2, y, steps=3)
        page.mouse.move(x + by_px, y, steps=3)
        page.mouse.up()
        wait_saved(page)
        return nearest(frames, from_ms + by_px / px_per_ms)

    end = drag(2400, -60)
    moved = poll(lambda: next((m for m in moments(api, clip_id) if m["end_ms"] != 2400), None))
    assert moved["end_ms"] == end and moved["start_ms"] == 400 and end < 2400
    start = drag(400, 50)
    moved = poll(lambda: next((m for m in moments(api, clip_id) if m["start_ms"] != 400), None))
    assert (moved["start_ms"], moved["end_ms"]) == (start, end) and start > 400 and start in frames
