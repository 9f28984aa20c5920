"""Who may do what. Every view and API endpoint asks here; nothing else checks roles.

A refusal for an object the user may not see is answered as "not found" by the views, so nobody learns
that someone else's case or clip exists.

Rules so far (domain.md, "Access"):
- a worker sees and changes only their own cases and the clips in them;
- an admin manages accounts and sees no client video (nor cases);
- a supervisor sees a clip (its media, moments and figures; never its case) while a review request
  for it names them: from the request until it is closed plus VIB_REVIEW_ACCESS_DAYS, or until the
  worker withdraws it; and only while everyone in the case consents to supervision;
- the parties of a review (its worker and its supervisor) see it; nobody else does;
- trainers get access through a later feature (the library);
- a clip's pictures and video, and its coded moments, are shown only while everyone in its case
  consents to analysis: a withdrawal stops it at once (the clip's facts stay visible to its owner,
  with the reason);
- a moment is changed only by its author: the owner codes the clip, an asked supervisor may add
  moments of their own. The owner sees a supervisor's moments once that review's feedback is sent,
  except those with analysis-only codes (a missed initiative is the supervisor's note, not feedback).
"""

from __future__ import annotations

from sqlalchemy import Select, false, or_, select

from vib.accounts.models import User
from vib.cases.models import Case
from vib.clips.models import Clip
from vib.coding.models import Moment
from vib.core.db import utcnow
from vib.supervision.models import SENT_STATES, WITHDRAWN, ReviewRequest

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
    if may_case(user, "edit" if action in ("code", "edit") else "view", clip.case):
        return True
    return action != "edit" and is_reviewer(user, clip)


def is_owner(user: User, clip: Clip) -> bool:
    return user.is_authenticated and user.has_role("worker") and clip.case.owner_id == user.id


def is_reviewer(user: User, clip: Clip) -> bool:
    """Whether a review request gives `user` access to this clip now."""
    if not (user.is_authenticated and user.has_role("supervisor")):
        return False
    from vib.core.db import session

    return session().scalar(_granting_reviews(user).where(ReviewRequest.clip_id == clip.id).limit(1)) is not None


def acting_role(user: User, clip: Clip) -> str:
    """The role in which `user` works on this clip, for the audit log."""
    return "worker" if is_owner(user, clip) else "supervisor"


def _granting_reviews(user: User) -> Select[tuple[int]]:
    return select(ReviewRequest.clip_id).where(
        ReviewRequest.supervisor_id == user.id,
        ReviewRequest.state != WITHDRAWN,
        or_(ReviewRequest.access_until.is_(None), ReviewRequest.access_until > utcnow()),
    )


def visible_cases(user: User) -> Select[tuple[Case]]:
    if not user.has_role("worker"):
        return select(Case).where(false())
    return select(Case).where(Case.owner_id == user.id)


def visible_clips(user: User) -> Select[tuple[Clip]]:
    owned = Case.owner_id == user.id if user.has_role("worker") else false()
    reviewed = Clip.id.in_(_granting_reviews(user)) if user.has_role("supervisor") else false()
    return select(Clip).join(Clip.case).where(or_(owned, reviewed))


def may_review(user: User, review: ReviewRequest) -> bool:
    """The parties of a review see it: its worker and its supervisor."""
    return user.is_authenticated and user.id in (review.worker_id, review.supervisor_id)


def review_or_404(user: User, review_id: int) -> ReviewRequest:
    from flask import abort

    from vib.core.db import session

    review = session().get(ReviewRequest, review_id)
    if review is None or not may_review(user, review):
        abort(404)
    return review


def visible_moments(user: User, clip: Clip, moments: list[Moment]) -> list[Moment]:
    """The moments of `clip` that `user` sees (see the rules above)."""
    owner_id = clip.case.owner_id
    if user.id == owner_id:
        shown_to_owner = _sent_review_authors(clip)
        return [m for m in moments if m.author_id == owner_id or (m.author_id in shown_to_owner and not analysis_only(m))]
    return [m for m in moments if m.author_id in (owner_id, user.id)]


def may_see_moment(user: User, moment: Moment) -> bool:
    return bool(visible_moments(user, moment.clip, [moment]))


def _sent_review_authors(clip: Clip) -> set[int]:
    from vib.core.db import session

    query = select(ReviewRequest.supervisor_id).where(ReviewRequest.clip_id == clip.id, ReviewRequest.state.in_(SENT_STATES))
    return set(session().scalars(query))


def analysis_only(moment: Moment) -> bool:
    from vib.coding import schemes
    from vib.core.db import session

    scheme = schemes.get_scheme(session(), moment.scheme_id, moment.scheme_version)
    code = scheme.code(moment.code) if scheme else None
    return bool(code and code.analysis_only)


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


def media_refusal(clip: Clip, user: User | None = None) -> str | None:
    """Why this clip may not be watched now (by `user`: a supervisor also needs consent for
    supervision); None when consent allows it."""
    from vib.cases.operations import supervision_refusal, viewing_refusal

    refusal = viewing_refusal(clip.case)
    if refusal is None and user is not None and not is_owner(user, clip):
        refusal = supervision_refusal(clip.case)
    return refusal


def clip_for_media(user: User, clip_id: int, action: str = "media") -> Clip:
    """The clip, when `user` may watch (or code) it now: 404 when it is not theirs, 403 (with the
    reason) when consent no longer allows it."""
    clip = clip_or_404(user, action, clip_id)
    _refuse_without_consent(clip, user)
    return clip


def moment_or_404(user: User, action: str, moment_id: int) -> Moment:
    """A moment, when `user` may `action` it now: "media" to see it, "code" to change it (its author)."""
    from flask import abort

    from vib.core.db import session

    moment = session().get(Moment, moment_id)
    if moment is None or not may_clip(user, action, moment.clip) or not may_see_moment(user, moment):
        abort(404)
    if action == "code" and moment.author_id != user.id:
        abort(404)
    _refuse_without_consent(moment.clip, user)
    return moment


def _refuse_without_consent(clip: Clip, user: User) -> None:
    from vib.core.errors import UserError

    refusal = media_refusal(clip, user)
    if refusal:
        raise UserError(refusal, status=403)
