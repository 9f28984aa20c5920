"""Agreement between two coders of one clip: the API and the page (the rules are vib.coding.agreement).

Allowed to whoever may view the clip (its owner, a supervisor with a review of it); everyone else
gets 404, as for any clip. While consent stops watching the clip, its codings are not compared."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from flask_login import current_user, login_required

from vib.clips import operations as clip_ops
from vib.clips.models import Clip
from vib.coding import agreement
from vib.core import access, db
from vib.core.api import int_arg
from vib.core.errors import UserError
from vib.core.i18n import format_duration
from vib.schemes.catalogue import ACTOR_LABELS

bp = Blueprint("coding_agreement", __name__)


@bp.get("/api/clips/<int:clip_id>/agreement")
@login_required
def api_agreement(clip_id: int):
    """Without a and b: the coders to choose from. With them: b's coding against a's."""
    clip = access.get_or_404(current_user, "media", Clip, clip_id)
    session = db.session()
    a, b = int_arg("a"), int_arg("b")
    if a is None and b is None:
        return jsonify({"clip_id": clip.id, "coders": agreement.coders(session, clip, current_user)})
    result = agreement.compare(session, clip, current_user, a, b, int_arg("tolerance_ms"), int_arg("grid_ms"))
    agreement.record_comparison(session, current_user, clip, result)
    return jsonify(result)


@bp.get("/clips/<int:clip_id>/agreement")
@login_required
def agreement_page(clip_id: int):
    clip = access.get_or_404(current_user, "view", Clip, clip_id)
    session = db.session()
    clip_ops.record_view(session, current_user, clip)
    refusal = access.refusal(current_user, "media", clip)
    found = [] if refusal else agreement.coders(session, clip, current_user)
    a, b = int_arg("a"), int_arg("b")
    tolerance_ms, grid_ms = int_arg("tolerance_ms"), int_arg("grid_ms")
    result, problem, status = None, None, 200
    if not refusal and (a is not None or b is not None):
        try:
            result = agreement.compare(session, clip, current_user, a, b, tolerance_ms, grid_ms)
            agreement.record_comparison(session, current_user, clip, result)
        except UserError as error:
            problem, status = str(error), error.status
    if a is None and b is None:
        a, b = agreement.default_pair(clip, found)
    return render_template(
        "coding/agreement.html",
        clip=clip,
        is_owner=access.may(current_user, "own", clip),
        media_refusal=refusal,
        coders=found,
        chosen={"a": a, "b": b, "tolerance_ms": tolerance_ms, "grid_ms": grid_ms},
        comparison=result,
        problem=problem,
        lanes=lane_picture(result) if result else None,
        actor_labels={actor: str(label) for actor, label in ACTOR_LABELS.items()},
        kappa_words=agreement.kappa_words(result["kappa"]["strength"]) if result else None,
        limits={
            "max_tolerance_ms": agreement.MAX_TOLERANCE_MS,
            "min_grid_ms": agreement.MIN_GRID_MS,
            "max_grid_ms": agreement.MAX_GRID_MS,
        },
    ), status


# -- the paired lanes, drawn on the server as SVG -------------------------------------------------------

GUTTER = 170  # the lane names
TRACK = 800  # the time axis
ROW = 28  # one coder's lane of one code
GAP = 14  # between two codes
TOP = 6
AXIS = 30
TICK_STEPS_S = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600)


def lane_picture(result: dict) -> dict:
    """Where everything of the paired lanes goes: per code a lane for a and one for b, every moment at
    its time (a bar for a span, a shape at its start), a line joining each matched pair, and the time
    axis. Numbers only; the template draws them."""
    duration = max(result["duration_ms"] or 0, 1)

    def x(ms: int) -> float:
        return round(GUTTER + TRACK * min(max(ms, 0), duration) / duration, 1)

    codes = [row["code"] for row in result["by_code"]]
    lanes, y_of = [], {}
    for index, row in enumerate(result["by_code"]):
        top = TOP + index * (2 * ROW + GAP)
        y_of[row["code"]] = (top + ROW / 2, top + ROW + ROW / 2)
        lanes.append(
            {"code_label": row["code_label"], "colour": row["colour"], "top": top, "y_a": y_of[row["code"]][0], "y_b": y_of[row["code"]][1]}
        )

    def shapes(side: str) -> list[dict]:
        placed = []
        for m in result["moments"][side]:
            y = y_of[m["code"]][0 if side == "a" else 1]
            end = m["end_ms"] if m["end_ms"] is not None and m["end_ms"] > m["start_ms"] else None
            placed.append({**m, "x": x(m["start_ms"]), "x_end": x(end) if end is not None else None, "y": y})
        return placed

    on_a, on_b = shapes("a"), shapes("b")
    where_a = {m["id"]: m for m in on_a}
    links = [{"x1": where_a[m["partner"]]["x"], "y1": where_a[m["partner"]]["y"], "x2": m["x"], "y2": m["y"]} for m in on_b if m["partner"]]
    height = TOP + len(codes) * (2 * ROW + GAP) + AXIS
    step = next((s for s in TICK_STEPS_S if duration / (s * 1000) <= 8), TICK_STEPS_S[-1]) * 1000
    ticks = [{"x": x(t), "text": format_duration(t)} for t in range(0, duration + 1, step)]
    return {
        "width": GUTTER + TRACK + 24,  # room for the last time under the axis
        "height": height,
        "gutter": GUTTER,
        "track_end": GUTTER + TRACK,
        "axis_y": height - AXIS + 4,
        "lanes": lanes,
        "a": on_a,
        "b": on_b,
        "links": links,
        "ticks": ticks,
    }
