"""Stand-ins for the library's parts that the exercises use but do not own (FragmentPolicy in
vib/access.py; the fragment's media, frames and poster in vib/library/views.py): installed only
while the real ones are missing, so they step aside by themselves once those exist."""

from __future__ import annotations

import json

from flask import Blueprint, jsonify
from flask_login import current_user, login_required
from sqlalchemy import false, select

from vib.core import access, storage
from vib.library.models import READY, Fragment

CODING_ROLES = ("worker", "supervisor", "trainer")


class FragmentPolicyStandIn:
    """The rules the exercises rely on: "code" (and "view") a published, ready fragment, for anyone
    who works with video (never an admin only)."""

    actions = ("view", "curate", "download", "code", "discard")

    def may(self, user, action: str, fragment: Fragment) -> bool:
        if not user.is_authenticated or action not in ("view", "code"):
            return False
        published = fragment.published_at is not None and fragment.state == READY
        return published and any(user.has_role(role) for role in CODING_ROLES)

    def refusal(self, user, action: str, fragment: Fragment) -> str | None:
        return None

    def visible(self, user):
        return select(Fragment).where(false())

    def shown(self, user, fragments: list) -> list:
        return [f for f in fragments if self.may(user, "view", f)]

    def role_on(self, user, fragment: Fragment) -> str:
        return next((role for role in ("trainer", "supervisor", "worker") if user.has_role(role)), "worker")


def _stand_in_views() -> Blueprint:
    bp = Blueprint("library", __name__)

    def viewable(fragment_id: int) -> Fragment:
        return access.get_or_404(current_user, "view", Fragment, fragment_id)

    @bp.get("/api/fragments/<int:fragment_id>/media")
    @login_required
    def api_fragment_media(fragment_id: int):
        return storage.current().send(viewable(fragment_id).video_key, "video/mp4")

    @bp.get("/api/fragments/<int:fragment_id>/frames")
    @login_required
    def api_fragment_frames(fragment_id: int):
        fragment = viewable(fragment_id)
        return jsonify(times_ms=json.loads(storage.current().read_bytes(fragment.frames_key(True))))

    @bp.get("/api/fragments/<int:fragment_id>/poster")
    @login_required
    def api_fragment_poster(fragment_id: int):
        return storage.current().send(viewable(fragment_id).poster_key, "image/jpeg")

    return bp


def install(app) -> None:
    """Before the app's first request."""
    if Fragment not in access._policies:
        access._policies[Fragment] = FragmentPolicyStandIn()
    if "library" not in app.blueprints:
        app.register_blueprint(_stand_in_views())
