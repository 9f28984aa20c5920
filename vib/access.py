"""Who may do what: the rules of every feature, in one module, above the features they judge.

Views and operations ask `vib.core.access` (the door, which knows no feature); the app factory
installs the policies below there. Rules so far (domain.md, "Access"):
- a worker sees and changes only their own cases and the clips in them;
- an admin manages accounts and sees no client video (nor cases);
- a supervisor sees a clip (its media, moments and figures; never its case) while a review request
  for it names them: from the request until it is closed plus VIB_REVIEW_ACCESS_DAYS, or until the
  worker withdraws it; and only while everyone in the case consents to supervision;
- the parties of a review (its worker and its supervisor) see it; nobody else does;
- the library (domain.md, "Library"): everyone with a login but admins sees published fragments
  and collections; trainers see every fragment, curate (review faces, render, publish, edit, delete)
  and build collections; the worker who proposed a fragment sees it while it is made and may withdraw
  it before it is published; nobody sees a fragment's case, worker or clip through the library.
  A fragment is shown only while everyone in its case consents to training, downloaded only while
  everyone consents to presentation;
- a progress meeting (its items, presentation and handout) is its case's worker's alone; presenting
  and printing it show client video, so they too stop while someone's consent to analysis is withdrawn;
- a clip's pictures and video, and its coded moments, are shown only while everyone in its case
  consents to analysis: a withdrawal stops it at once (the clip's facts stay visible to its owner,
  with the reason);
- a moment is changed only by its author: the owner codes the clip, an asked supervisor may add
  moments of their own. The owner sees a supervisor's moments once that review's feedback is sent,
  except those with analysis-only codes (a missed initiative is the supervisor's note, not feedback).
"""

from __future__ import annotations

from sqlalchemy import Select, false, or_, select, true

from vib.accounts.models import User
from vib.cases.models import Case
from vib.cases.operations import supervision_refusal, viewing_refusal
from vib.clips.models import Clip, UploadSession
from vib.coding.models import Moment, Suggestion
from vib.coding.operations import is_analysis_only
from vib.core import access
from vib.core.db import session
from vib.library import operations as library_ops
from vib.library.models import DELETED, Collection, Fragment
from vib.meetings.models import Meeting
from vib.supervision.models import ReviewRequest
from vib.supervision.operations import granting_reviews, sent_review_authors


def _is_worker(user: User) -> bool:
    return user.is_authenticated and user.has_role("worker")


# -- cases ----------------------------------------------------------------------------------------


class CasePolicy:
    actions = ("view", "edit", "upload", "export")

    def may(self, user: User, action: str, case: Case) -> bool:
        return _is_worker(user) and case.owner_id == user.id

    def refusal(self, user: User, action: str, case: Case) -> str | None:
        return None

    def visible(self, user: User) -> Select:
        return select(Case).where(Case.owner_id == user.id if _is_worker(user) else false())

    def shown(self, user: User, cases: list[Case]) -> list[Case]:
        return [c for c in cases if self.may(user, "view", c)]

    def role_on(self, user: User, case: Case) -> str:
        return "worker"


# -- clips ----------------------------------------------------------------------------------------


class ClipPolicy:
    # own: the clip's case is theirs; view: its page and facts; media: watch it and see its pictures;
    # code: add, change and delete one's moments; edit: rename it, choose its code scheme; delete: it
    # and everything made from it.
    actions = ("own", "view", "media", "code", "edit", "delete")

    def may(self, user: User, action: str, clip: Clip) -> bool:
        if self.is_owner(user, clip):
            return True
        return action in ("view", "media", "code") and self.is_reviewer(user, clip)

    @staticmethod
    def is_owner(user: User, clip: Clip) -> bool:
        return _is_worker(user) and clip.case.owner_id == user.id

    @staticmethod
    def is_reviewer(user: User, clip: Clip) -> bool:
        """Whether a review request gives `user` access to this clip now."""
        if not (user.is_authenticated and user.has_role("supervisor")):
            return False
        return session().scalar(granting_reviews(user).where(ReviewRequest.clip_id == clip.id).limit(1)) is not None

    def refusal(self, user: User, action: str, clip: Clip) -> str | None:
        """Why the clip may not be watched (or coded) now: everyone must consent to analysis, and to
        supervision for anyone but its owner."""
        if action not in ("media", "code"):
            return None
        reason = viewing_refusal(clip.case)
        if reason is None and not self.is_owner(user, clip):
            reason = supervision_refusal(clip.case)
        return reason

    def visible(self, user: User) -> Select:
        owned = Case.owner_id == user.id if user.has_role("worker") else false()
        reviewed = Clip.id.in_(granting_reviews(user)) if user.has_role("supervisor") else false()
        return select(Clip).join(Clip.case).where(or_(owned, reviewed))

    def shown(self, user: User, clips: list[Clip]) -> list[Clip]:
        return [c for c in clips if self.may(user, "view", c)]

    def role_on(self, user: User, clip: Clip) -> str:
        return "worker" if self.is_owner(user, clip) else "supervisor"


class SuggestionPolicy:
    """A suggestion from a clip's sound is answered (accepted, dismissed) by whoever may code the clip,
    for their own coding."""

    actions = ("answer",)

    def __init__(self, clips: ClipPolicy) -> None:
        self.clips = clips

    def may(self, user: User, action: str, suggestion: Suggestion) -> bool:
        return self.clips.may(user, "code", suggestion.clip)

    def refusal(self, user: User, action: str, suggestion: Suggestion) -> str | None:
        return self.clips.refusal(user, "code", suggestion.clip)

    def visible(self, user: User) -> Select:
        return select(Suggestion).where(Suggestion.clip_id.in_(self.clips.visible(user).with_only_columns(Clip.id)))

    def shown(self, user: User, suggestions: list[Suggestion]) -> list[Suggestion]:
        return [s for s in suggestions if self.may(user, "answer", s)]


# -- uploads in pieces ----------------------------------------------------------------------------


class UploadPolicy:
    actions = ("send",)  # send: add pieces to it, finish it

    def may(self, user: User, action: str, upload: UploadSession) -> bool:
        return _is_worker(user) and upload.user_id == user.id

    def refusal(self, user: User, action: str, upload: UploadSession) -> str | None:
        return None

    def visible(self, user: User) -> Select:
        return select(UploadSession).where(UploadSession.user_id == user.id)

    def shown(self, user: User, uploads: list[UploadSession]) -> list[UploadSession]:
        return [u for u in uploads if self.may(user, "send", u)]

    def role_on(self, user: User, upload: UploadSession) -> str:
        return "worker"


# -- moments --------------------------------------------------------------------------------------


CODING_ROLES = ("worker", "supervisor", "trainer")  # who may code a library fragment (an exercise)


def _fragment_of(moment: Moment) -> Fragment | None:
    return session().get(Fragment, moment.fragment_id)


class MomentPolicy:
    actions = ("media", "code")  # media: see it; code: change or delete it (its author)

    def __init__(self, clips: ClipPolicy) -> None:
        self.clips = clips

    def may(self, user: User, action: str, moment: Moment) -> bool:
        if moment.fragment_id is not None:
            return self._may_on_fragment(user, action, moment)
        if not self.clips.may(user, action, moment.clip) or not self.shown(user, [moment]):
            return False
        return action != "code" or moment.author_id == user.id

    @staticmethod
    def _may_on_fragment(user: User, action: str, moment: Moment) -> bool:
        """A moment of a library exercise: its author sees it and, while the fragment may be coded,
        changes it; the trainer's reference is also seen by trainers (never by a worker: blind)."""
        if not user.is_authenticated:
            return False
        fragment = _fragment_of(moment)
        if fragment is None or fragment.state == DELETED:
            return False
        if action == "code":
            return moment.author_id == user.id and access.may(user, "code", fragment)
        return moment.author_id == user.id or (moment.author_id == fragment.reference_by_id and user.has_role("trainer"))

    def refusal(self, user: User, action: str, moment: Moment) -> str | None:
        if moment.fragment_id is not None:
            return None
        return self.clips.refusal(user, action, moment.clip)

    def visible(self, user: User) -> Select:
        raise NotImplementedError("moments are listed per clip: use shown()")

    def shown(self, user: User, moments: list[Moment]) -> list[Moment]:
        """The clip owner's moments; a supervisor's own; and, for the owner, a supervisor's moments once
        that review's feedback is sent, except analysis-only ones. Of a fragment: one's own, and for a
        trainer the reference."""
        sent_authors: dict[int, set[int]] = {}  # per clip: the supervisors whose feedback was sent
        owners: dict[int, int] = {}  # per clip: its case's worker
        user_id = user.id  # asked thousands of times: once through the current_user proxy

        def sees(moment: Moment) -> bool:
            if moment.fragment_id is not None:
                return self._may_on_fragment(user, "media", moment)
            # A plain row (coding.operations.clip_moment_rows) has the clip's id, not the clip.
            if moment.clip_id not in owners:
                owners[moment.clip_id] = session().get(Clip, moment.clip_id).case.owner_id
            owner_id = owners[moment.clip_id]
            if moment.author_id in (owner_id, user_id):
                return True
            if user_id != owner_id:
                return False
            if moment.clip_id not in sent_authors:
                sent_authors[moment.clip_id] = sent_review_authors(session(), session().get(Clip, moment.clip_id))
            return moment.author_id in sent_authors[moment.clip_id] and not is_analysis_only(session(), moment)

        return [m for m in moments if sees(m)]

    def role_on(self, user: User, moment: Moment) -> str:
        if moment.fragment_id is not None:
            fragment = _fragment_of(moment)
            if user.has_role("trainer") and (fragment is None or fragment.reference_by_id in (None, user.id)):
                return "trainer"
            return next((role for role in CODING_ROLES if user.has_role(role)), "worker")
        return self.clips.role_on(user, moment.clip)


# -- reviews --------------------------------------------------------------------------------------


class ReviewPolicy:
    actions = ("view",)

    def may(self, user: User, action: str, review: ReviewRequest) -> bool:
        """The parties of a review see it: its worker and its supervisor."""
        return user.id in (review.worker_id, review.supervisor_id)

    def refusal(self, user: User, action: str, review: ReviewRequest) -> str | None:
        return None

    def visible(self, user: User) -> Select:
        return select(ReviewRequest).where(or_(ReviewRequest.worker_id == user.id, ReviewRequest.supervisor_id == user.id))

    def shown(self, user: User, reviews: list[ReviewRequest]) -> list[ReviewRequest]:
        return [r for r in reviews if self.may(user, "view", r)]

    def role_on(self, user: User, review: ReviewRequest) -> str:
        return "worker" if user.id == review.worker_id else "supervisor"


# -- library ----------------------------------------------------------------------------------------


def _reads_library(user: User) -> bool:
    """Everyone with a login but an admin only: workers, supervisors and trainers learn from it."""
    return user.is_authenticated and any(user.has_role(role) for role in ("worker", "supervisor", "trainer"))


def _is_trainer(user: User) -> bool:
    return user.is_authenticated and user.has_role("trainer")


class FragmentPolicy:
    # view: its page, texts, video and poster; curate: faces and regions, render, publish, edit,
    # expiry, delete (trainers); download: an MP4 for a presentation; code: do the exercise (or, for
    # a trainer, code the reference); discard: delete it (trainers; its proposer before publication).
    actions = ("view", "curate", "download", "code", "discard")

    def may(self, user: User, action: str, fragment: Fragment) -> bool:
        if fragment.state == DELETED or not user.is_authenticated:
            return False
        published = library_ops.is_listed(fragment)
        proposer = fragment.proposed_by_id == user.id
        if action == "view":
            return _is_trainer(user) or proposer or (published and _reads_library(user))
        if action == "curate":
            return _is_trainer(user)
        if action in ("download", "code"):
            return published and _reads_library(user)
        return _is_trainer(user) or (proposer and not published)  # discard

    def refusal(self, user: User, action: str, fragment: Fragment) -> str | None:
        """A fragment is shown only while everyone in its case consents to training (a withdrawal
        deletes it; this covers the moment in between) and downloaded only with consent to presentation."""
        may_see_case = fragment.proposed_by_id == user.id
        if action == "download":
            return library_ops.consent_refusal(fragment.case, library_ops.PRESENTATION, may_see_case)
        if action in ("view", "code"):
            return library_ops.consent_refusal(fragment.case, library_ops.TRAINING, may_see_case)
        return None

    def visible(self, user: User) -> Select:
        if _is_trainer(user):
            return select(Fragment).where(Fragment.state != DELETED)
        own = Fragment.proposed_by_id == user.id
        published = library_ops.listed_condition() if _reads_library(user) else false()
        return select(Fragment).where(Fragment.state != DELETED, or_(own, published))

    def shown(self, user: User, fragments: list[Fragment]) -> list[Fragment]:
        return [f for f in fragments if self.may(user, "view", f)]

    def role_on(self, user: User, fragment: Fragment) -> str:
        if _is_trainer(user):
            return "trainer"
        if fragment.proposed_by_id == user.id:
            return "worker"
        return next((role for role in ("worker", "supervisor") if user.has_role(role)), "-")


class CollectionPolicy:
    actions = ("view", "edit")  # view: play it (published fragments only); edit: its texts and items

    def may(self, user: User, action: str, collection: Collection) -> bool:
        return _is_trainer(user) if action == "edit" else _reads_library(user)

    def refusal(self, user: User, action: str, collection: Collection) -> str | None:
        return None

    def visible(self, user: User) -> Select:
        return select(Collection).where(true() if _reads_library(user) else false())

    def shown(self, user: User, collections: list[Collection]) -> list[Collection]:
        return [c for c in collections if self.may(user, "view", c)]

    def role_on(self, user: User, collection: Collection) -> str:
        return "trainer" if _is_trainer(user) else next((r for r in ("worker", "supervisor") if user.has_role(r)), "-")


# -- progress meetings -----------------------------------------------------------------------------


class MeetingPolicy:
    # view: its page and items; edit: its fields and items, delete it; present: the presentation;
    # print: the handout (both show the clips' pictures)
    actions = ("view", "edit", "present", "print")

    def may(self, user: User, action: str, meeting: Meeting) -> bool:
        return _is_worker(user) and meeting.case.owner_id == user.id

    def refusal(self, user: User, action: str, meeting: Meeting) -> str | None:
        return viewing_refusal(meeting.case) if action in ("present", "print") else None

    def visible(self, user: User) -> Select:
        return select(Meeting).join(Meeting.case).where(Case.owner_id == user.id if _is_worker(user) else false())

    def shown(self, user: User, meetings: list[Meeting]) -> list[Meeting]:
        return [m for m in meetings if self.may(user, "view", m)]

    def role_on(self, user: User, meeting: Meeting) -> str:
        return "worker"


# -- what a user may do regardless of any object --------------------------------------------------

ABILITIES = {
    "administer": lambda user: user.has_role("admin"),  # accounts, roles, certificates, the audit log; never client video
    "create_case": lambda user: user.has_role("worker"),
    "read_library": _reads_library,
    "curate_library": _is_trainer,  # review proposals, publish, build collections
}


def install() -> None:
    clips = ClipPolicy()
    policies = {Case: CasePolicy(), Clip: clips, UploadSession: UploadPolicy(), Moment: MomentPolicy(clips), Suggestion: SuggestionPolicy(clips), ReviewRequest: ReviewPolicy(),
                Fragment: FragmentPolicy(), Collection: CollectionPolicy(), Meeting: MeetingPolicy()}  # fmt: skip
    access.install(policies, ABILITIES)
