"""What meetings add to other pages: the case page's "Progress and meetings" section, and "Add to a
meeting" on the coding page and the review screen (for the clip's owner)."""

from __future__ import annotations

from flask import url_for

from vib.cases.hooks import case_page_sections
from vib.coding import hooks as coding_hooks
from vib.core import access, db
from vib.core.hooks import Section
from vib.meetings import operations as ops
from vib.meetings import progress


@case_page_sections.connect
def progress_section(case, user=None, **_) -> Section | None:
    if user is None or not access.may(user, "view", case):
        return None
    return Section(
        "meetings/_case_section.html",
        data=progress.context(db.session(), case, user) | {"meetings": ops.case_meetings(db.session(), case)},
    )


@coding_hooks.clip_tools.connect
def add_to_meeting_section(clip, viewer=None, **_) -> Section | None:
    if viewer is None or not access.may(viewer, "own", clip):
        return None
    meetings = ops.case_meetings(db.session(), clip.case)
    return Section(
        "meetings/_add_to_meeting.html",
        data={
            "clip": clip,
            "meetings": [
                {
                    "id": m.id,
                    "title": m.title,
                    "date": m.meeting_on,
                    "items_url": url_for("meetings.add_item", meeting_id=m.id),
                    "page_url": url_for("meeting_pages.meeting_page", meeting_id=m.id),
                }
                for m in meetings
            ],
            "case_url": url_for("cases.case_page", case_id=clip.case_id) + "#meetings",
            "moments_url": url_for("coding.api_list_moments", clip_id=clip.id),
        },  # fmt: skip
        scripts=("js/meeting-add.js",),
    )
