"""Who may do what. Every view and API endpoint asks here; nothing else checks roles.

A refusal for an object the user may not see is answered as "not found" by the views, so nobody learns
that someone else's case or clip exists.

Rules so far (domain.md, "Access"):
- a worker sees and changes only their own cases and the clips in them;
- an admin manages accounts and sees no client video (nor cases);
- supervisors and trainers get access through later features (shared reviews, the library);
- a clip's pictures and video, and its coded moments, are shown only while everyone in its case
  consents to analysis: a withdrawal stops it at once (the clip's facts stay visible to its owner,
  with the reason);
- moments are coded by the clip's owner (supervisors are added with shared reviews).
"""

from __future__ import annotations

from sqlalchemy import Select, false, select

from vib.accounts.models import User
from vib.cases.models import Case
from vib.clips.models import Clip
from vib.coding.models import Moment

CASE_ACTIONS = ("view", "edit", "upload")
# media: watch it and see its pictures; code: add, change and delete its moments; edit: rename it,
# choose its code scheme.
CLIP_ACTIONS = ("view", "media", "code", "edit")


def may_administer(user: User) -> bool:
    """Accounts, roles, certificates and the audit log; never client video."""
    return user.is_authenticated and user.has_role("admin")


def may_create_case(user: User) -> bool:
    return user.is_authenticated and user.has_role("worker")


def may_case(user: User, action: str, case: Case) -> bool:
    assert action in CASE_ACTIONS, action
    return user.is_authenticated and user.has_role("worker") and case.owner_id == user.id


def may_clip(user: User, action: str, clip: Clip) -> bool:
    assert action in CLIP_ACTIONS, action
    return may_case(user, "edit" if action in ("code", "edit") else "view", clip.case)


def visible_cases(user: User) -> Select[tuple[Case]]:
    if not user.has_role("worker"):
        return select(Case).where(false())
    return select(Case).where(Case.owner_id == user.id)


def visible_clips(user: User) -> Select[tuple[Clip]]:
    if not user.has_role("worker"):
        return select(Clip).where(false())
    return select(Clip).join(Clip.case).where(Case.owner_id == user.id)


def case_or_404(user: User, action: str, case_id: int) -> Case:
    """The case, when `user` may do `action` to it; otherwise "not found", as if it did not exist."""
    from flask import abort

    from vib.core.db import session

    case = session().get(Case, case_id)
    if case is None or not may_case(user, action, case):
        abort(404)
    return case


def clip_or_404(user: User, action: str, clip_id: int) -> Clip:
    from flask import abort

    from vib.core.db import session

    clip = session().get(Clip, clip_id)
    if clip is None or not may_clip(user, action, clip):
        abort(404)
    return clip


def media_refusal(clip: Clip) -> str | None:
    """Why nobody may watch this clip now, whoever they are; None when its consent allows it."""
    from vib.cases.operations import viewing_refusal

    return viewing_refusal(clip.case)


def clip_for_media(user: User, clip_id: int, action: str = "media") -> Clip:
    """The clip, when `user` may watch (or code) it now: 404 when it is not theirs, 403 (with the
    reason) when consent no longer allows it."""
    clip = clip_or_404(user, action, clip_id)
    _refuse_without_consent(clip)
    return clip


def moment_or_404(user: User, action: str, moment_id: int) -> Moment:
    """A moment, when `user` may `action` ("media" to see, "code" to change) its clip now."""
    from flask import abort

    from vib.core.db import session

    moment = session().get(Moment, moment_id)
    if moment is None or not may_clip(user, action, moment.clip):
        abort(404)
    _refuse_without_consent(moment.clip)
    return moment


def _refuse_without_consent(clip: Clip) -> None:
    from vib.core.errors import UserError

    refusal = media_refusal(clip)
    if refusal:
        raise UserError(refusal, status=403)
