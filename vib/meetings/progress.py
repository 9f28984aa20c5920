"""A case's figures compared across its cycles: one row per clip (the definitions of a clip's /stats),
the plain-words sentences under the chart, and the chart itself (vib.analysis.progress_chart)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from flask import url_for
from flask_babel import format_date, format_decimal, ngettext
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from vib.accounts.models import User
from vib.analysis.progress_chart import ChartText, ProgressPoint, progress_chart_svg
from vib.cases.models import Case
from vib.cases.operations import goal_on, viewing_refusal
from vib.clips.models import READY, Clip
from vib.coding.operations import clip_moments, stats_for_clip

FIGURES = ("reception_ratio", "initiatives_per_10min", "median_reception_latency_ms", "strength_moments", "learning_question_moments")


@dataclass
class ClipProgress:
    clip: Clip
    coded: bool
    figures: dict | None  # the clip's /stats, None when not coded or not to be shown
    goal: str | None  # the learning goal that held when it was recorded

    def as_dict(self) -> dict:
        figures = self.figures or {}
        return {
            "clip_id": self.clip.id,
            "title": self.clip.title,
            "cycle": self.clip.cycle,
            "recorded_on": self.clip.recorded_on.isoformat(),
            "duration_ms": self.clip.duration_ms,
            "coded": self.coded,
            "learning_goal": self.goal,
            **{name: figures.get(name) for name in (*FIGURES, "initiatives", "received_initiatives")},
            "by_code": figures.get("by_code", []),
        }


def case_clips(db: Session, case: Case) -> list[Clip]:
    """The case's clips in cycle order, then by recording date."""
    return list(db.scalars(select(Clip).where(Clip.case_id == case.id).order_by(Clip.cycle, Clip.recorded_on, Clip.id)))


def case_progress(db: Session, case: Case, viewer: User) -> list[ClipProgress]:
    """Per ready clip, the figures of the moments `viewer` sees; a clip without moments says it is not
    coded. While someone's consent to analysis is withdrawn no figures are shown (as on /stats)."""
    hidden = viewing_refusal(case) is not None
    rows = []
    for clip in case_clips(db, case):
        if clip.status != READY:
            continue
        coded = not hidden and bool(clip_moments(db, clip, viewer))
        figures = stats_for_clip(db, clip, viewer).as_dict() if coded else None
        goal = goal_on(case, clip.recorded_on)
        rows.append(ClipProgress(clip, coded, figures, goal.text if goal else None))
    return rows


def context(db: Session, case: Case, viewer: User) -> dict:
    """What the progress template (meetings/_progress.html) shows, wherever it is included."""
    rows = case_progress(db, case, viewer)
    return {
        "rows": rows,
        "labels": {row.clip.id: cycle_label(row, rows) for row in rows},
        "sentences": sentences(rows),
        "chart_url": url_for("meetings.case_progress_chart", case_id=case.id),
    }


def cycle_label(row: ClipProgress, rows: list[ClipProgress]) -> str:
    """ "cycle 2", or "cycle 2 (12 Mar 2026)" when the cycle has more than one clip."""
    label = _("cycle %(n)d", n=row.clip.cycle)
    if sum(r.clip.cycle == row.clip.cycle for r in rows) > 1:
        label += f" ({format_date(row.clip.recorded_on, 'medium')})"
    return label


def sentences(rows: list[ClipProgress]) -> list[str]:
    """One sentence per figure in plain words, first coded clip against the last: descriptive, about
    what the worker did and saw, never a score of the family."""
    coded = [row for row in rows if row.coded]
    if not coded:
        return [_("No clip of this case is coded yet: the figures appear once moments are marked.")]
    first, last = coded[0], coded[-1]
    pair = [first] if first is last else [first, last]
    return [s for s in (_reception(pair, rows), _initiatives(pair, rows), _latency(pair, rows), _strengths(pair, rows)) if s]


def _reception(pair: list[ClipProgress], rows: list[ClipProgress]) -> str | None:
    parts = [(row, row.figures["initiatives"], row.figures["received_initiatives"]) for row in pair]
    if not any(n for _row, n, _r in parts):
        return _("No client initiatives are coded yet.")
    row, n, received = parts[0]
    text = ngettext(
        "Of %(num)d initiative in %(cycle)s you received %(received)d",
        "Of %(num)d initiatives in %(cycle)s you received %(received)d",
        n,
        cycle=cycle_label(row, rows),
        received=received,
    )
    if len(parts) == 2:
        row, n, received = parts[1]
        text += "; " + _("in %(cycle)s, %(received)d of %(total)d", cycle=cycle_label(row, rows), received=received, total=n)
    return text + "."


def _initiatives(pair: list[ClipProgress], rows: list[ClipProgress]) -> str | None:
    values = [(row, row.figures["initiatives_per_10min"]) for row in pair if row.figures["initiatives_per_10min"] is not None]
    if not values:
        return None
    row, value = values[0]
    text = _("In %(cycle)s the client took %(value)s initiatives per 10 minutes", cycle=cycle_label(row, rows), value=_number(value))
    if len(values) == 2:
        row, value = values[1]
        text += "; " + _("in %(cycle)s, %(value)s", cycle=cycle_label(row, rows), value=_number(value))
    return text + "."


def _latency(pair: list[ClipProgress], rows: list[ClipProgress]) -> str | None:
    values = [(row, row.figures["median_reception_latency_ms"]) for row in pair if row.figures["median_reception_latency_ms"] is not None]
    if not values:
        return None
    row, value = values[0]
    text = _(
        "In %(cycle)s you received an initiative after %(seconds)s s (median)", cycle=cycle_label(row, rows), seconds=_number(value / 1000)
    )
    if len(values) == 2:
        row, value = values[1]
        text += "; " + _("in %(cycle)s, after %(seconds)s s", cycle=cycle_label(row, rows), seconds=_number(value / 1000))
    return text + "."


def _strengths(pair: list[ClipProgress], rows: list[ClipProgress]) -> str:
    row = pair[0]
    n = row.figures["strength_moments"]
    text = ngettext(
        "In %(cycle)s you marked %(num)d moment better than usual",
        "In %(cycle)s you marked %(num)d moments better than usual",
        n,
        cycle=cycle_label(row, rows),
    )
    if len(pair) == 2:
        row = pair[1]
        text += "; " + _("in %(cycle)s, %(n)d", cycle=cycle_label(row, rows), n=row.figures["strength_moments"])
    return text + "."


def _number(value: float) -> str:
    return format_decimal(round(value, 1), format="#,##0.#")


def recorded_label(day: date) -> str:
    return format_date(day, "medium")


def chart_svg(rows: list[ClipProgress]) -> str:
    """The progress chart (vib.analysis.progress_chart), in the user's language."""
    points = []
    for row in rows:
        f = row.figures or {}
        label = cycle_label(row, rows).replace(" (", "\n(")
        latency = f.get("median_reception_latency_ms")
        points.append(
            ProgressPoint(
                label=label[:1].upper() + label[1:],
                coded=row.coded,
                reception_percent=None if f.get("reception_ratio") is None else f["reception_ratio"] * 100,
                initiatives_per_10min=f.get("initiatives_per_10min"),
                median_latency_s=None if latency is None else latency / 1000,
                strength_moments=f.get("strength_moments"),
            )
        )
    text = ChartText(
        title=_("Progress across cycles"),
        reception=_("Initiatives received (%)"),
        initiatives=_("Client initiatives per 10 minutes"),
        latency=_("Median time to receive (s)"),
        strength=_("Moments better than usual"),
        not_coded=_("not coded"),
        no_value="–",
        decimal_mark=format_decimal(0.5, format="0.0")[1],
    )
    return _drawn(tuple(points), text)


@lru_cache(maxsize=64)
def _drawn(points: tuple[ProgressPoint, ...], text: ChartText) -> str:
    """The same figures and words give the same picture (progress_chart_svg is deterministic), and
    drawing it takes a few tenths of a second: the case page, the presentation and each handout
    request (whose fingerprint includes the chart) ask again and again."""
    return progress_chart_svg(points, text)
