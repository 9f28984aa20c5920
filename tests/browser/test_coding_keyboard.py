"""The coding page by keyboard and screen reader (issue 17): each finding of the hands-on pass, and a
worker who codes, moves, deletes and undoes without ever touching the mouse, hearing what happened."""

from tests.browser.conftest import accessibility_violations
from tests.browser.test_coding import INITIATIVE, RECEIVING, format_time, moments, open_coding, poll, wait_saved
from tests.browser.test_upload_and_play import log_in, snap, wait_until
from tests.conftest import PASSWORD, RECOVERY_CODES

ATTENTION = "bc.aandacht"  # "Attentiveness / following": key a, actor worker


def log_in_by_keyboard(page, live_server, email):
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/login/code")
    page.fill("input[name=code]", RECOVERY_CODES[email].pop())
    page.keyboard.press("Enter")
    page.wait_for_url("**/cases")


def count_mouse_events(page):
    page.evaluate(
        """() => {
          window.mouseEvents = [];
          for (const type of ['pointerdown', 'mousedown', 'mouseup', 'pointerup', 'touchstart']) {
            document.addEventListener(type, (e) => window.mouseEvents.push(type), true);
          }
        }"""
    )


def announced(page):
    return page.locator(".announcement").inner_text()


def wait_announced(page, text):
    try:
        wait_until(page, f"document.querySelector('.announcement').textContent === {text!r}", timeout=10)
    except AssertionError:
        raise AssertionError(f"announced {announced(page)!r}, not {text!r}") from None


def focused(page, selector):
    return page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector)


def frames_of(api, clip_id):
    return api("worker").get(f"/api/clips/{clip_id}/frames").json["times_ms"]


def video_at(page, ms):
    wait_until(page, f"Math.abs(document.querySelector('.coding video').currentTime * 1000 - {ms}) < 1")


def test_by_keyboard_alone_a_worker_codes_moves_deletes_and_undoes_and_hears_each_step(app, api, people, live_server, page, ready_clip):
    clip_id = ready_clip["id"]
    frames = frames_of(api, clip_id)
    log_in_by_keyboard(page, live_server, "worker@example.org")
    open_coding(page, live_server, clip_id)
    count_mouse_events(page)
    assert accessibility_violations(page) == []

    # Three moments, each at a frame reached with the arrow keys.
    for steps, key in ((6, "i"), (10, "o"), (10, "a")):
        for _ in range(steps):
            page.keyboard.press("ArrowRight")
        page.keyboard.press(key)
    wait_until(page, "document.querySelectorAll('.moment-list li').length === 3")
    initiative, receiving, attention = frames[6], frames[16], frames[26]
    wait_announced(page, f"Attentiveness / following, Worker, {format_time(attention)} added")
    wait_saved(page)
    saved = poll(lambda: len(moments(api, clip_id)) == 3 and moments(api, clip_id))
    assert sorted((m["start_ms"], m["code"]) for m in saved) == [(initiative, INITIATIVE), (receiving, RECEIVING), (attention, ATTENTION)]

    # [ selects the moment before; Alt+→ moves its start a frame later, twice; Alt+Shift+→ gives the
    # point an end a frame after its start: a span.
    page.keyboard.press("[")
    assert page.locator(".moment-panel .panel-time").inner_text() == format_time(receiving)
    page.keyboard.press("Alt+ArrowRight")
    page.keyboard.press("Alt+ArrowRight")
    wait_announced(page, f"Start moved to {format_time(frames[18])}")
    video_at(page, frames[18])  # the video shows the frame the start is on now
    page.keyboard.press("Alt+Shift+ArrowRight")
    wait_announced(page, f"End moved to {format_time(frames[19])}")
    page.keyboard.press("Alt+ArrowLeft")  # back a frame
    wait_saved(page)
    moved = poll(lambda: next((m for m in moments(api, clip_id) if m["code"] == RECEIVING and m["end_ms"]), None))
    assert (moved["start_ms"], moved["end_ms"]) == (frames[17], frames[19])
    assert page.locator(".moment-panel .panel-time").inner_text() == f"{format_time(frames[17])} – {format_time(frames[19])}"

    # Delete, heard with the way back; Ctrl+Z brings it back, heard too.
    page.keyboard.press("Delete")
    words = f"Receiving (acknowledgement of receipt), Worker, {format_time(frames[17])}–{format_time(frames[19])}"
    wait_announced(page, f"{words} deleted. Undo: Ctrl+Z")
    assert page.locator(".announce-undo").is_visible()
    poll(lambda: len(moments(api, clip_id)) == 2)
    page.keyboard.press("Control+z")
    wait_announced(page, f"Undone: {words}")
    back = poll(lambda: next((m for m in moments(api, clip_id) if m["code"] == RECEIVING), None))
    assert (back["start_ms"], back["end_ms"]) == (frames[17], frames[19])
    assert page.locator(".moment-list li").count() == 3
    snap(page, "coding-keyboard-1-after-undo")
    assert accessibility_violations(page) == []
    assert page.evaluate("window.mouseEvents") == []


def test_space_presses_the_focused_button_instead_of_playing(app, api, people, live_server, page, ready_clip):
    clip_id = ready_clip["id"]
    api("worker").post(f"/api/clips/{clip_id}/moments", json={"start_ms": 1000, "code": INITIATIVE})
    log_in(page, live_server, "worker@example.org")
    page.wait_for_url("**/cases")
    open_coding(page, live_server, clip_id)
    page.focus("[data-transport=mute]")
    page.keyboard.press("Space")
    assert page.locator("[data-transport=mute]").get_attribute("aria-pressed") == "true"
    page.focus("[data-zoom=in]")
    page.keyboard.press("Space")
    wait_until(page, "!document.querySelector('[data-zoom=fit]').disabled")  # zoomed in
    page.focus(".moment-list li button")
    page.keyboard.press("Space")
    assert page.locator(".moment-list li.selected").count() == 1
    assert page.evaluate("document.querySelector('.coding video').paused")
    # On the page itself Space still plays.
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("Space")
    wait_until(page, "!document.querySelector('.coding video').paused")
    page.keyboard.press("k")


def test_single_keys_act_only_in_the_coding_areas_can_be_turned_off_and_remapped(app, api, people, live_server, page, ready_clip):
    clip_id = ready_clip["id"]
    made = api("worker").post(f"/api/clips/{clip_id}/moments", json={"start_ms": 1000, "code": RECEIVING}).json
    log_in(page, live_server, "worker@example.org")
    page.wait_for_url("**/cases")
    open_coding(page, live_server, clip_id)
    # A key on a link, or Backspace on a moment's row, does nothing of the page's.
    page.focus(".coding-head .crumbs a")
    page.keyboard.press("i")
    page.focus(".moment-list li button")
    page.keyboard.press("Enter")  # selects it
    page.keyboard.press("Backspace")
    page.focus(".moment-panel [data-action=seek]")
    page.keyboard.press("i")
    wait_saved(page)
    assert page.locator(".moment-list li").count() == 1
    assert [m["id"] for m in moments(api, clip_id)] == [made["id"]]

    # Turn single keys off, give Initiative the key q: saved with the user.
    page.click(".shortcut-settings summary")
    page.uncheck(".shortcut-settings input[name=single_keys]")
    page.fill(f".shortcut-settings input[data-code='{INITIATIVE}']", "q")
    page.click(".shortcut-settings button[type=submit]")
    wait_until(page, "document.querySelector('.settings-status').textContent.startsWith('Shortcuts saved')")
    assert api("worker").get("/api/account/shortcuts").json == {"single_keys": False, "keys": {INITIATIVE: "q"}}
    assert page.locator(f".code-keys li[data-code='{INITIATIVE}'] kbd").inner_text() == "Alt+q"
    assert accessibility_violations(page) == []
    snap(page, "coding-keyboard-2-settings")

    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("q")  # a single key no longer marks
    page.keyboard.press("l")  # nor plays
    page.keyboard.press("Alt+q")
    wait_until(page, "document.querySelectorAll('.moment-list li').length === 2")
    assert page.evaluate("document.querySelector('.coding video').paused")
    wait_saved(page)
    assert sorted(m["code"] for m in moments(api, clip_id)) == [INITIATIVE, RECEIVING]

    # A key that cannot work is refused with the reason, and nothing changes.
    page.fill(f".shortcut-settings input[data-code='{INITIATIVE}']", "o")
    page.click(".shortcut-settings button[type=submit]")
    wait_until(page, "document.querySelector('.settings-status').classList.contains('error')")
    assert "cannot both have the key o" in page.locator(".settings-status").inner_text()
    assert api("worker").get("/api/account/shortcuts").json["keys"] == {INITIATIVE: "q"}

    # The settings follow the user to the next page they open.
    page.reload()
    wait_until(page, "document.querySelector('.coding')?.dataset.ready === 'true'")
    assert page.locator(f".code-keys li[data-code='{INITIATIVE}'] kbd").inner_text() == "Alt+q"
    assert not page.locator(".shortcut-settings input[name=single_keys]").is_checked()


def test_alt_page_keys_move_the_selected_moment_by_a_second(app, api, people, live_server, page, ready_clip):
    clip_id = ready_clip["id"]
    frames = frames_of(api, clip_id)
    made = api("worker").post(f"/api/clips/{clip_id}/moments", json={"start_ms": 1000, "end_ms": 2000, "code": RECEIVING}).json
    log_in(page, live_server, "worker@example.org")
    page.wait_for_url("**/cases")
    open_coding(page, live_server, clip_id)
    page.keyboard.press("]")  # the first moment after the playhead
    page.keyboard.press("Alt+Shift+PageUp")  # the end a second later
    page.keyboard.press("Alt+PageUp")  # the start a second later
    page.keyboard.press("Alt+PageUp")  # not past the end: the frame before it
    wait_saved(page)
    moved = poll(lambda: next((m for m in moments(api, clip_id) if m["end_ms"] == 3000 and m["start_ms"] > 2000), None))
    assert moved["id"] == made["id"]
    assert moved["start_ms"] == frames[frames.index(3000) - 1]
    page.keyboard.press("Control+z")
    page.keyboard.press("Control+z")
    wait_saved(page)
    poll(lambda: moments(api, clip_id)[0]["start_ms"] == 1000)


def test_focus_stays_on_the_page_when_zoom_buttons_disable_themselves_and_after_a_delete(app, api, people, live_server, page, ready_clip):
    clip_id = ready_clip["id"]
    for start in (1000, 2000, 3000):
        api("worker").post(f"/api/clips/{clip_id}/moments", json={"start_ms": start, "code": INITIATIVE})
    log_in(page, live_server, "worker@example.org")
    page.wait_for_url("**/cases")
    open_coding(page, live_server, clip_id)
    page.focus("[data-zoom=in]")
    page.keyboard.press("Enter")
    page.keyboard.press("Shift+Tab")  # Zoom out
    assert focused(page, "[data-zoom=out]")
    page.keyboard.press("Enter")  # back to the whole clip: Zoom out disables itself
    wait_until(page, "document.querySelector('[data-zoom=out]').disabled")
    assert focused(page, "[data-zoom=in]")
    page.keyboard.press("Enter")
    page.focus("[data-zoom=fit]")
    page.keyboard.press("Enter")
    wait_until(page, "document.querySelector('[data-zoom=fit]').disabled")
    assert focused(page, "[data-zoom=in]")

    # The panel's Delete: the focus goes to the next moment's row.
    page.focus(".moment-list li:nth-child(2) button")
    page.keyboard.press("Enter")
    page.focus(".moment-panel [data-action=delete]")
    page.keyboard.press("Enter")
    wait_until(page, "document.querySelectorAll('.moment-list li').length === 2")
    assert focused(page, ".moment-list li:nth-child(2) button")
    assert page.locator(".moment-list li:nth-child(2) .when").inner_text() == "0:03.000"
    # Delete on a focused row deletes that row's moment; the last one leaves the focus on the one before.
    page.keyboard.press("Delete")
    wait_until(page, "document.querySelectorAll('.moment-list li').length === 1")
    assert focused(page, ".moment-list li:nth-child(1) button")
    page.keyboard.press("Delete")
    wait_until(page, "document.querySelectorAll('.moment-list li').length === 0")
    assert focused(page, ".moment-list ol")


def contrast(first, second):
    def luminance(rgb):
        channels = [c / 255 for c in rgb]
        channels = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def rgb(css):
    """The first rgb(...) colour in a computed style value."""
    inside = css[css.index("(") + 1 : css.index(")")]
    return [int(float(part)) for part in inside.replace(",", " ").split()[:3]]


def ring(page, selector):
    """The focus ring's colours (outline, halo) on an element focused by keyboard, and how far it reaches."""
    page.focus(selector)
    return page.evaluate(
        """(s) => { const style = getComputedStyle(document.querySelector(s));
                    return { outline: style.outlineColor, halo: style.boxShadow, width: parseFloat(style.outlineWidth),
                             offset: parseFloat(style.outlineOffset), style: style.outlineStyle }; }""",
        selector,
    )


def test_the_focus_ring_shows_on_light_and_dark_and_fields_have_visible_borders(app, api, people, live_server, page, ready_clip):
    clip_id = ready_clip["id"]
    api("worker").post(f"/api/clips/{clip_id}/moments", json={"start_ms": 0, "code": INITIATIVE})
    log_in(page, live_server, "worker@example.org")
    page.wait_for_url("**/cases")
    open_coding(page, live_server, clip_id)
    page.keyboard.press("Tab")  # focus-visible: the keyboard has been used
    white, page_bg, player = [255, 255, 255], [245, 246, 244], [16, 23, 28]
    for selector, around in (
        (".moment-list li button", [white, page_bg]),
        ("[data-transport=mute]", [page_bg]),
        (".coding .filmstrip", [player]),
    ):
        shown = ring(page, selector)
        assert shown["style"] == "solid", selector
        colours = [rgb(shown["outline"])] + ([rgb(shown["halo"])] if shown["halo"] != "none" else [])
        for background in around:
            assert max(contrast(c, background) for c in colours) >= 3, (selector, shown, background)
    # The first row's ring is not cut off by the list's scroll box.
    shown = ring(page, ".moment-list li:first-child button")
    gap = page.evaluate(
        "() => document.querySelector('.moment-list li:first-child button').getBoundingClientRect().top"
        " - document.querySelector('.moment-list ol').getBoundingClientRect().top"
    )
    assert gap >= shown["width"] + shown["offset"], (gap, shown)
    # Text fields' borders: 3:1 against white.
    page.keyboard.press("Escape")
    page.focus(".moment-list li button")
    page.keyboard.press("Enter")
    border = page.evaluate("() => getComputedStyle(document.querySelector('.moment-panel textarea')).borderTopColor")
    assert contrast(rgb(border), white) >= 3, border


def test_the_list_says_all_tags_and_which_row_is_at_the_playhead_and_the_filmstrip_its_time(
    app, api, people, live_server, page, ready_clip
):
    clip_id = ready_clip["id"]
    api("worker").post(f"/api/clips/{clip_id}/moments", json={"start_ms": 400, "code": INITIATIVE})
    api("worker").post(
        f"/api/clips/{clip_id}/moments",
        json={"start_ms": 2000, "code": RECEIVING, "tags": ["better_than_usual", "learning_question", "still"]},
    )
    log_in(page, live_server, "worker@example.org")
    page.wait_for_url("**/cases")
    open_coding(page, live_server, clip_id)
    assert page.locator(".coding .filmstrip").get_attribute("aria-valuetext") == "0:00.000 of 0:04.000"
    row = page.locator(".moment-list li").nth(1)
    text = row.inner_text()
    assert "★ Receiving" in text
    for label in ("Better than usual (strength moment)", "Linked to the learning question", "Use as still"):
        assert label in text
    page.keyboard.press("]")
    page.keyboard.press("]")  # the second moment, at 0:02.000
    video_at(page, 2000)
    wait_until(page, "document.querySelector('.moment-list li:nth-child(2)').getAttribute('aria-current') === 'time'")
    assert page.locator(".moment-list li[aria-current]").count() == 1
    wait_until(page, "document.querySelector('.coding .filmstrip').getAttribute('aria-valuetext') === '0:02.000 of 0:04.000'")
    page.keyboard.press("ArrowLeft")
    wait_until(page, "document.querySelector('.moment-list li:nth-child(1)').getAttribute('aria-current') === 'time'")
    assert page.locator(".moment-list li[aria-current]").count() == 1
