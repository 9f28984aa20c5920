"""The clip_tools hook: a higher feature adds a tool (a template and its ES modules) to the coding
page's side panel and to the review screen, as the library's "Propose for the library" will."""

from __future__ import annotations

import pytest

from vib.coding import hooks
from vib.core.hooks import Section


@pytest.fixture
def tool(app):
    """A receiver that offers a tool to the clip's owner only, while it is connected."""
    template = app.jinja_env.from_string('<p class="probe-tool">{{ section.data.text }} #{{ section.data.clip_id }}</p>')
    seen = []

    def offer(clip, viewer):
        seen.append(viewer.email)
        if viewer.email != "worker@example.org":
            return None
        return Section(template, {"text": "Propose", "clip_id": clip.id}, scripts=("js/probe-tool.js",))

    hooks.clip_tools.connect(offer)
    yield seen
    hooks.clip_tools.disconnect(offer)


@pytest.mark.parametrize("page", ["coding", "review"])
def test_a_tool_section_is_included_with_its_scripts(browser_login, ready_clip, tool, page):
    html = browser_login("worker").get(f"/clips/{ready_clip['id']}/{page}").get_data(as_text=True)
    assert f'<p class="probe-tool">Propose #{ready_clip["id"]}</p>' in html
    assert '<script type="module" src="/static/js/probe-tool.js"></script>' in html
    assert tool == ["worker@example.org"]


def test_a_receiver_that_answers_none_adds_nothing(browser_login, ready_clip, review, tool):
    html = browser_login("supervisor").get(f"/clips/{ready_clip['id']}/coding").get_data(as_text=True)
    assert "probe-tool" not in html and tool == ["supervisor@example.org"]
