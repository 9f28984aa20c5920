"""Coding exercises on library fragments: a trainer codes a published fragment as the reference, a
worker codes it blind, then compares their coding with the reference.

The moments are coding's (vib.coding.operations, on the fragment as a `CodedVideo`): one
implementation serves clips and fragments. The comparison is vib.analysis.agreement's."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from vib.accounts.models import User
from vib.analysis import agreement
from vib.coding import hooks as coding_hooks
from vib.coding import operations as coding_ops
from vib.coding.agreement import CodeNames, check_settings, moment_row
from vib.coding.models import Moment
from vib.coding.video import FRAGMENT, CodedVideo
from vib.core import access, audit
from vib.core.errors import UserError
from vib.library.models import READY, Fragment
from vib.schemes import catalogue as schemes


class NoReference(UserError):
    status = 409


def fragment_video(db: Session, fragment: Fragment) -> CodedVideo:
    """The fragment as coding sees it: its length, its code scheme (the one it was proposed with)."""

    def scheme():
        return schemes.get_scheme(db, fragment.scheme_id, fragment.scheme_version) or schemes.chosen_scheme(db, fragment.scheme_id)

    return CodedVideo(FRAGMENT, fragment.id, fragment.duration_ms, fragment.state == READY, scheme)


@coding_hooks.moment_video.connect
def _moment_video(moment: Moment, db: Session) -> CodedVideo | None:
    if moment.fragment_id is None:
        return None
    fragment = db.get(Fragment, moment.fragment_id)
    return fragment_video(db, fragment) if fragment else None


# -- moments --------------------------------------------------------------------------------------


def fragment_moments(db: Session, fragment: Fragment, viewer: User) -> list[Moment]:
    """The fragment's moments `viewer` sees: their own; a trainer also the reference (a worker never:
    the exercise is blind)."""
    return coding_ops.video_moments(db, fragment_video(db, fragment), viewer)


def create_fragment_moment(db: Session, fragment: Fragment, author: User, fields: dict) -> Moment:
    """A moment of `author` on the fragment. The first trainer who codes a fragment without a
    reference becomes its reference."""
    moment = coding_ops.create_moment(db, fragment_video(db, fragment), author, fields)
    if fragment.reference_by_id is None and author.has_role("trainer"):
        fragment.reference_by_id = author.id
        audit.record(db, author, "fragment.reference", "fragment", fragment.id, "trainer")
        db.flush()
    return moment


def is_reference_coder(fragment: Fragment, user: User) -> bool:
    """Whether `user` codes the reference of the fragment (or would, coding it now)."""
    if not user.has_role("trainer"):
        return False
    return fragment.reference_by_id in (None, user.id)


def record_exercise_view(db: Session, user: User, fragment: Fragment, page: str) -> None:
    """The audit log's line for the exercise page or the comparison page."""
    audit.record(db, user, "fragment.exercise", "fragment", fragment.id, access.role_on(user, fragment), detail=page)


# -- agreement ------------------------------------------------------------------------------------


def _moments_by(db: Session, fragment: Fragment, author_id: int) -> list[Moment]:
    query = select(Moment).where(Moment.fragment_id == fragment.id, Moment.author_id == author_id)
    return list(db.scalars(query.order_by(Moment.start_ms, Moment.id)))


def compare(db: Session, fragment: Fragment, user: User, tolerance_ms: int | None = None, grid_ms: int | None = None) -> dict:
    """`user`'s coding of the fragment against the reference: per code the counts, precision and
    recall; overall F1; Cohen's kappa on a time grid with its confusion matrix; the matched pairs, the
    misses and the extras; and plain sentences. The caller has checked who may ask."""
    tolerance_ms, grid_ms = check_settings(tolerance_ms, grid_ms)
    if fragment.reference_by_id is None:
        raise NoReference(_l("No trainer has coded this fragment yet: there is nothing to compare with."))
    reference = _moments_by(db, fragment, fragment.reference_by_id)
    attempt = _moments_by(db, fragment, user.id)
    as_coded = [agreement.CodedMoment(m.start_ms, m.end_ms, m.code, m.actor) for m in reference]
    tried = [agreement.CodedMoment(m.start_ms, m.end_ms, m.code, m.actor) for m in attempt]
    matching = agreement.match(as_coded, tried, tolerance_ms)
    grid = agreement.grid_kappa(as_coded, tried, max(fragment.duration_ms, 1), grid_ms)

    video = fragment_video(db, fragment)
    codes = CodeNames(video.scheme)
    reference_by = db.get(User, fragment.reference_by_id)
    return {
        "fragment_id": fragment.id,
        "duration_ms": fragment.duration_ms,
        "user": {"id": user.id, "name": user.name},
        "reference_by": {"id": reference_by.id, "name": reference_by.name},
        "tolerance_ms": tolerance_ms,
        "grid_ms": grid_ms,
        "by_code": [{**t.as_dict(), "code_label": codes.label(t.code), "colour": codes.colour(t.code)} for t in matching.by_code],
        "overall": matching.overall.as_dict(),
        "f1": matching.overall.as_dict()["f1"],
        "kappa": {
            **grid.as_dict(),
            "labels": [{"id": name, "label": codes.grid_label(name)} for name in grid.labels],
            "matrix": [list(row) for row in grid.confusion],
        },
        "pairs": [
            {
                "reference": moment_row(reference[p.reference_index], codes),
                "attempt": moment_row(attempt[p.attempt_index], codes),
                "offset_ms": p.offset_ms,
            }
            for p in matching.pairs
        ],
        "misses": [moment_row(reference[i], codes) for i in matching.misses],
        "extras": [moment_row(attempt[i], codes) for i in matching.extras],
        "remarks": [_sentence(remark, codes) for remark in agreement.remarks(matching.by_code)],
    }


def _sentence(remark: agreement.Remark, codes: CodeNames) -> str:
    """A remark in the reader's language: "You found 7 of the 9 Initiative moments the trainer marked.\""""
    code = codes.label(remark.code)
    if remark.key == "found_all":
        return ngettext(
            "You found the one %(code)s moment the trainer marked.",
            "You found all %(of)d %(code)s moments the trainer marked.",
            remark.of,
            of=remark.of,
            code=code,
        )
    if remark.key == "found_some":
        return ngettext(
            "You found %(count)d of the %(num)d %(code)s moments the trainer marked.",
            "You found %(count)d of the %(num)d %(code)s moments the trainer marked.",
            remark.of,
            count=remark.count,
            code=code,
        )
    if remark.key == "found_none":
        return ngettext(
            "You did not find the %(code)s moment the trainer marked.",
            "You found none of the %(num)d %(code)s moments the trainer marked.",
            remark.of,
            code=code,
        )
    return ngettext(
        "You marked %(num)d more %(code)s moment that the trainer did not mark.",
        "You marked %(num)d more %(code)s moments that the trainer did not mark.",
        remark.count,
        code=code,
    )
