"""How far two coders of one clip agree: coder a's moments are the reference, coder b's the attempt.

Only the moments the caller may see take part (`operations.clip_moments` with the viewer applies the
blind rules: a worker sees a supervisor's moments only once that review's feedback is sent), so the
coders to choose from are the authors of those moments. The figures are vib.analysis.agreement's
(its docstring holds the rules); this module picks the moments, names the codes and coders, and puts
the remarks into sentences in the reader's language. It stores nothing."""

from __future__ import annotations

from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from vib.accounts.models import User
from vib.analysis import agreement
from vib.clips import operations as clip_ops
from vib.clips.models import Clip
from vib.coding import operations as ops
from vib.coding.models import Moment
from vib.core import access, audit
from vib.core.errors import FieldError
from vib.core.i18n import format_one_decimal
from vib.schemes import catalogue as schemes
from vib.schemes.catalogue import ACTOR_LABELS

MAX_TOLERANCE_MS = 10_000
MIN_GRID_MS, MAX_GRID_MS = 40, 10_000  # a cell of one frame at 25 fps at the finest
UNKNOWN_COLOUR = "#777777"


class AgreementError(FieldError):
    """A comparison asked for wrongly: a coder who is not there, the same coder twice, a setting out of range."""


# -- the coders ----------------------------------------------------------------------------------


def coders(db: Session, clip: Clip, viewer: User) -> list[dict]:
    """Whose coding of the clip `viewer` can compare: the authors of the moments they see, the owner
    first, then by name; each with its number of visible moments."""
    return _coders(clip, _visible_moments(db, clip, viewer))


def _visible_moments(db: Session, clip: Clip, viewer: User) -> list[Moment]:
    return [m for m in ops.clip_moments(db, clip, viewer) if m.author_id is not None]


def _coders(clip: Clip, moments: list[Moment]) -> list[dict]:
    counts: dict[int, int] = {}
    authors: dict[int, User] = {}
    for m in moments:
        counts[m.author_id] = counts.get(m.author_id, 0) + 1
        authors[m.author_id] = m.author
    owner_id = clip.case.owner_id
    ordered = sorted(authors.values(), key=lambda u: (u.id != owner_id, u.name.casefold(), u.id))
    return [_coder(clip, user, counts[user.id]) for user in ordered]


def _coder(clip: Clip, user: User, moments: int) -> dict:
    is_owner = user.id == clip.case.owner_id
    return {
        "id": user.id,
        "name": user.name,
        "role": "worker" if is_owner else "supervisor",
        "role_label": gettext("worker of the case") if is_owner else gettext("supervisor"),
        "moments": moments,
    }


def default_pair(clip: Clip, found: list[dict]) -> tuple[int | None, int | None]:
    """What the form proposes: with exactly two coders, the owner (or the first) as a, the other as b."""
    if len(found) != 2:
        return None, None
    return found[0]["id"], found[1]["id"]


# -- the comparison ------------------------------------------------------------------------------


def check_settings(tolerance_ms: int | None, grid_ms: int | None) -> tuple[int, int]:
    tolerance_ms = agreement.DEFAULT_TOLERANCE_MS if tolerance_ms is None else tolerance_ms
    grid_ms = agreement.DEFAULT_GRID_MS if grid_ms is None else grid_ms
    if not 0 <= tolerance_ms <= MAX_TOLERANCE_MS:
        raise AgreementError(_l("tolerance_ms must be from 0 to %(most)d.", most=MAX_TOLERANCE_MS), "tolerance_ms")
    if not MIN_GRID_MS <= grid_ms <= MAX_GRID_MS:
        raise AgreementError(_l("grid_ms must be from %(least)d to %(most)d.", least=MIN_GRID_MS, most=MAX_GRID_MS), "grid_ms")
    return tolerance_ms, grid_ms


def _chosen(found: list[dict], coder_id: int | None, field: str) -> dict:
    if coder_id is None:
        raise AgreementError(_l("Choose whose coding to compare (%(field)s, a user id).", field=field), field)
    coder = next((c for c in found if c["id"] == coder_id), None)
    if coder is None:
        raise AgreementError(_l("User %(id)d has no moments on this clip that you can see (%(field)s).", id=coder_id, field=field), field)
    return coder


def compare(
    db: Session,
    clip: Clip,
    viewer: User,
    a_id: int | None,
    b_id: int | None,
    tolerance_ms: int | None = None,
    grid_ms: int | None = None,
) -> dict:
    """Coder b's coding of the clip against coder a's, of the moments `viewer` sees: per code matched,
    only a and only b, precision and recall of b against a and F1; Cohen's kappa on a time grid with its
    confusion matrix; sentences in plain words; and both codings' moments for the lanes, each marked
    matched, only_a or only_b. The caller has checked that `viewer` may view the clip."""
    tolerance_ms, grid_ms = check_settings(tolerance_ms, grid_ms)
    moments = _visible_moments(db, clip, viewer)
    found = _coders(clip, moments)
    a, b = _chosen(found, a_id, "a"), _chosen(found, b_id, "b")
    if a["id"] == b["id"]:
        raise AgreementError(_l("Choose two different coders: a and b are the same person."), "b")
    of_a = [m for m in moments if m.author_id == a["id"]]
    of_b = [m for m in moments if m.author_id == b["id"]]
    matching = agreement.match(_coded(of_a), _coded(of_b), tolerance_ms)
    grid = agreement.grid_kappa(_coded(of_a), _coded(of_b), max(clip.duration_ms or 0, 1), grid_ms)
    codes = CodeNames(clip_ops.scheme_for_clip(db, clip))

    partner_of_a = {p.reference_index: p for p in matching.pairs}
    partner_of_b = {p.attempt_index: p for p in matching.pairs}
    lane_a = [_lane_moment(m, codes, "matched" if i in partner_of_a else "only_a") for i, m in enumerate(of_a)]
    lane_b = [_lane_moment(m, codes, "matched" if i in partner_of_b else "only_b") for i, m in enumerate(of_b)]
    for p in matching.pairs:
        lane_a[p.reference_index]["partner"] = of_b[p.attempt_index].id
        lane_b[p.attempt_index]["partner"] = of_a[p.reference_index].id
        lane_b[p.attempt_index]["offset_ms"] = p.offset_ms

    remarks = [_sentence(r, codes, a["name"], b["name"]) for r in agreement.remarks(matching.by_code)]
    strength = agreement.kappa_strength(grid.kappa)
    kappa_sentence = _kappa_sentence(grid.kappa, strength, grid_ms)
    return {
        "clip_id": clip.id,
        "duration_ms": clip.duration_ms,
        "tolerance_ms": tolerance_ms,
        "grid_ms": grid_ms,
        "a": a,
        "b": b,
        "coders": found,
        "by_code": [_row(t, codes) for t in matching.by_code],
        "overall": _row(matching.overall, codes),
        "f1": _round(matching.overall.f1),
        "kappa": {
            "kappa": round(grid.kappa, 3),
            "observed": round(grid.observed, 3),
            "expected": round(grid.expected, 3),
            "strength": strength,
            "labels": [{"id": name, "label": codes.grid_label(name)} for name in grid.labels],
            "matrix": [list(row) for row in grid.confusion],
        },
        "pairs": [{"a": of_a[p.reference_index].id, "b": of_b[p.attempt_index].id, "offset_ms": p.offset_ms} for p in matching.pairs],
        "remarks": remarks,
        "sentence": " ".join([*remarks, kappa_sentence]),
        "moments": {"a": lane_a, "b": lane_b},
    }


def record_comparison(db: Session, viewer: User, clip: Clip, result: dict | None = None) -> None:
    """The audit log's line: `viewer` read the clip's codings to compare them (client data)."""
    detail = f"a={result['a']['id']} b={result['b']['id']}" if result else None
    audit.record(db, viewer, "clip.agreement", "clip", clip.id, access.role_on(viewer, clip), detail=detail)


def _coded(moments: list[Moment]) -> list[agreement.CodedMoment]:
    return [agreement.CodedMoment(m.start_ms, m.end_ms, m.code, m.actor) for m in moments]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _row(tally: agreement.Tally, codes: CodeNames) -> dict:
    """One code's figures (or all codes', code None) in the words of two coders."""
    return {
        "code": tally.code,
        "code_label": codes.label(tally.code) if tally.code else None,
        "colour": codes.colour(tally.code) if tally.code else None,
        "a": tally.reference,
        "b": tally.attempt,
        "matched": tally.matched,
        "only_a": tally.missed,
        "only_b": tally.extra,
        "precision": _round(tally.precision),
        "recall": _round(tally.recall),
        "f1": _round(tally.f1),
    }


def moment_row(moment: Moment, codes: CodeNames) -> dict:
    """What a comparison shows of one moment (this page's lanes, the library exercise's result)."""
    return {
        "id": moment.id,
        "start_ms": moment.start_ms,
        "end_ms": moment.end_ms,
        "code": moment.code,
        "code_label": codes.label(moment.code),
        "colour": codes.colour(moment.code),
        "actor": moment.actor,
    }


def _lane_moment(moment: Moment, codes: CodeNames, status: str) -> dict:
    return {**moment_row(moment, codes), "status": status, "partner": None}


class CodeNames:
    """The codes' labels and colours from a video's scheme (a code it no longer has keeps its id)."""

    def __init__(self, scheme) -> None:
        self.codes = {code.id: code for code in scheme.codes} if scheme else {}

    def label(self, code_id: str | None) -> str:
        code = self.codes.get(code_id)
        return (schemes.localized(code.label) or str(code_id)) if code else str(code_id)

    def colour(self, code_id: str | None) -> str:
        code = self.codes.get(code_id)
        return code.colour if code and code.colour else UNKNOWN_COLOUR

    def grid_label(self, name: str) -> str:
        if name == agreement.NONE_LABEL:
            return gettext("nothing coded")
        code, _, actor = name.partition("/")
        return f"{self.label(code)} ({ACTOR_LABELS.get(actor, actor)})"


def _sentence(remark: agreement.Remark, codes: CodeNames, a: str, b: str) -> str:
    """A remark in the reader's language: "Bert marked 7 of the 9 Initiative moments Anna marked.\""""
    code = codes.label(remark.code)
    if remark.key == "found_all":
        return ngettext(
            "%(b)s also marked the one %(code)s moment %(a)s marked.",
            "%(b)s also marked all %(num)d %(code)s moments %(a)s marked.",
            remark.of,
            a=a,
            b=b,
            code=code,
        )
    if remark.key == "found_some":
        return ngettext(
            "%(b)s marked %(count)d of the %(num)d %(code)s moments %(a)s marked.",
            "%(b)s marked %(count)d of the %(num)d %(code)s moments %(a)s marked.",
            remark.of,
            count=remark.count,
            a=a,
            b=b,
            code=code,
        )
    if remark.key == "found_none":
        return ngettext(
            "%(b)s did not mark the %(code)s moment %(a)s marked.",
            "%(b)s marked none of the %(num)d %(code)s moments %(a)s marked.",
            remark.of,
            a=a,
            b=b,
            code=code,
        )
    return ngettext(
        "%(b)s marked %(num)d more %(code)s moment that %(a)s did not mark.",
        "%(b)s marked %(num)d more %(code)s moments that %(a)s did not mark.",
        remark.count,
        a=a,
        b=b,
        code=code,
    )


def kappa_words(strength: str) -> str:
    """Landis and Koch's band of a kappa, in the reader's language."""
    return {
        "poor": gettext("less agreement than chance would give"),
        "slight": gettext("slight agreement"),
        "fair": gettext("fair agreement"),
        "moderate": gettext("moderate agreement"),
        "substantial": gettext("substantial agreement"),
        "almost_perfect": gettext("almost perfect agreement"),
    }[strength]


def _kappa_sentence(kappa: float, strength: str, grid_ms: int) -> str:
    return gettext(
        "Cut into pieces of %(seconds)s s, the two codings show %(words)s (kappa %(kappa)s).",
        seconds=format_one_decimal(grid_ms / 1000),
        words=kappa_words(strength),
        kappa=f"{kappa:.2f}",
    )
