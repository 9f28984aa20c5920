"""A case's figures across cycles as one SVG picture (pure: matplotlib, no Flask, no database).

The same picture serves the case page, a presentation and a PDF handout (WeasyPrint), so it is
plain SVG: no script, no CSS classes, text kept as text (svg.fonttype "none": searchable, small).

Design:

- Small multiples: a 2x2 grid of panels, one per figure (initiatives received in %, client
  initiatives per 10 minutes, median time to receive in seconds, strength moments), the bars in
  the order given (cycle order), one slot per clip in every panel.
- Every bar carries its value above it, so the picture never relies on colour; all bars are
  Okabe-Ito blue (#0072B2, 5.2:1 against white), secondary text dark grey (#595959, 7:1).
- The y axis starts at 0; reception runs 0..100. No gridlines.
- An uncoded clip keeps its slot and tick and shows `ChartText.not_coded` in each panel; a coded
  clip without a value (e.g. no initiatives, so no reception %) shows `ChartText.no_value`.
- No points at all: the four empty panels, each saying `not_coded`.
- Deterministic: the same input gives the same bytes (fixed hash salt, no date in the metadata).
- The SVG is 576 x 360 pt (8 x 5 in) with a viewBox and no width/height attributes, so it scales
  to its container (CSS `width: 100%`); its first child is a <title> (the chart's title).

Thread safety: matplotlib's rcParams are global, so a lock serialises the (short) rendering;
pyplot is never imported (it keeps global figure state and is not thread-safe).
"""

from __future__ import annotations

import io
import math
import re
import textwrap
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from xml.sax.saxutils import escape

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

BAR_COLOUR = "#0072B2"  # Okabe-Ito blue: 5.2:1 against white
TEXT_COLOUR = "#1A1A1A"
MUTED_COLOUR = "#595959"  # 7:1 against white
AXIS_COLOUR = "#767676"  # 4.5:1 against white
FIGURE_SIZE_IN = (8.0, 5.0)

_RC = {
    "svg.hashsalt": "vib",
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    # DejaVu Sans ships with matplotlib and measures the text; the viewer falls back along the list.
    "font.sans-serif": ["DejaVu Sans", "Verdana", "Arial", "Helvetica", "Liberation Sans"],
    "font.size": 8.5,
    "text.usetex": False,
    "axes.grid": False,
}
_METADATA = {"Date": None, "Creator": None, "Contributor": None, "Format": None, "Type": None}
_RENDER_LOCK = threading.Lock()


@dataclass(frozen=True)
class ProgressPoint:
    """One clip (one cycle) as the chart needs it."""

    label: str  # the x tick label, already localised, e.g. "Cycle 1\n12 Mar 2026"
    coded: bool  # False: the clip has no moments yet; its slot stays, marked ChartText.not_coded
    reception_percent: float | None  # 0..100
    initiatives_per_10min: float | None
    median_latency_s: float | None
    strength_moments: int | None


@dataclass(frozen=True)
class ChartText:
    """Every word on the picture, translated by the caller."""

    title: str  # "Progress across cycles"
    reception: str  # "Initiatives received (%)"
    initiatives: str  # "Client initiatives per 10 minutes"
    latency: str  # "Median time to receive (s)"
    strength: str  # "Strength moments"
    not_coded: str  # "not coded"
    no_value: str  # "–" or "no initiatives": a coded clip whose value is None
    decimal_mark: str = "."  # "," for Dutch: 2,5 initiatives per 10 minutes


@dataclass(frozen=True)
class _Panel:
    values: list[float | None]
    decimals: int  # digits after the decimal mark in the bar labels
    fixed_top: float | None  # reception: the scale is always 0..100
    integer: bool  # y ticks on whole numbers only


def progress_chart_svg(points: Sequence[ProgressPoint], text: ChartText) -> str:
    """The SVG document (a str starting with '<?xml'): the figures of `points` in four panels.

    Raises ValueError for a value that is negative, not finite, or a reception above 100.
    """
    points = list(points)
    panels = _panels(points)
    with _RENDER_LOCK, matplotlib.rc_context(_RC):
        figure = Figure(figsize=FIGURE_SIZE_IN, layout="constrained")
        figure.get_layout_engine().set(w_pad=0.06, h_pad=0.06, hspace=0.08, wspace=0.06)
        heading = figure.suptitle(text.title, fontsize=12, fontweight="bold", color=TEXT_COLOUR, parse_math=False)
        grid = figure.subplots(2, 2, sharex=True, squeeze=False)
        titles = [text.reception, text.initiatives, text.latency, text.strength]
        panel_titles = [
            axes.set_title(title, loc="left", fontsize=10, fontweight="bold", color=TEXT_COLOUR, pad=8, parse_math=False)
            for axes, title in zip(grid.flat, titles, strict=True)
        ]
        remarks: list[Text] = []
        for axes, panel in zip(grid.flat, panels, strict=True):
            remarks += _draw_panel(axes, points, panel, text)
        if points:
            _label_cycles(grid[1], [point.label for point in points])
        # A layout pass, then measure what was drawn: long translations and crowded labels are fitted.
        figure.draw_without_rendering()
        _wrap_to(heading, figure.bbox.width)
        for axes, title in zip(grid.flat, panel_titles, strict=True):
            _wrap_to(title, axes.get_window_extent().width)
        if points:
            _fit_labels(grid, len(points), remarks)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Title": text.title, **_METADATA})
    return _scalable(buffer.getvalue(), text.title)


def _panels(points: list[ProgressPoint]) -> list[_Panel]:
    def values(get: Callable[[ProgressPoint], float | int | None], upper: float | None = None) -> list[float | None]:
        out: list[float | None] = []
        for point in points:
            value = get(point) if point.coded else None
            if value is not None:
                value = float(value)
                if not math.isfinite(value) or value < 0 or (upper is not None and value > upper):
                    limit = f"0..{upper:g}" if upper is not None else ">= 0"
                    raise ValueError(f"{point.label!r}: a chart value must be finite and {limit}, not {value}")
            out.append(value)
        return out

    return [
        _Panel(values(lambda p: p.reception_percent, 100.0), decimals=0, fixed_top=100.0, integer=True),
        _Panel(values(lambda p: p.initiatives_per_10min), decimals=1, fixed_top=None, integer=False),
        _Panel(values(lambda p: p.median_latency_s), decimals=1, fixed_top=None, integer=False),
        _Panel(values(lambda p: p.strength_moments), decimals=0, fixed_top=None, integer=True),
    ]


def _number(value: float, decimals: int, decimal_mark: str) -> str:
    """Rounded half up as the number is written (62.5 % reads as 63, 2.35 s as 2.4), not half to even."""
    rounded = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return f"{rounded:f}".replace(".", decimal_mark)


def _slots(count: int) -> tuple[float, float]:
    """The x range: one slot per clip, at least three slots wide (from the left: the cycles to come)
    so that a lone bar is not a slab."""
    return -0.5, max(count, 3) - 0.5


def _draw_panel(axes: Axes, points: list[ProgressPoint], panel: _Panel, text: ChartText) -> list[Text]:
    """Draw one panel; return the remarks written in place of a bar ("not coded", no value)."""
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        axes.spines[side].set_color(AXIS_COLOUR)
        axes.spines[side].set_linewidth(0.8)
    axes.tick_params(colors=AXIS_COLOUR, labelcolor=MUTED_COLOUR, labelsize=8, length=3, width=0.8)

    if not points:
        axes.set_xticks([])
        axes.set_yticks([])
        axes.spines["left"].set_visible(False)
        axes.set_ylim(0, 1)
        axes.text(
            0.5,
            0.5,
            text.not_coded,
            transform=axes.transAxes,
            ha="center",
            va="center",
            color=MUTED_COLOUR,
            fontsize=10,
            fontstyle="italic",
            parse_math=False,
        )
        return []

    count = len(points)
    fontsize = 9 if count <= 6 else 7.5 if count <= 10 else 6.5
    present = [value for value in panel.values if value is not None]
    top = panel.fixed_top if panel.fixed_top is not None else max(present, default=0.0)
    if top <= 0:
        top = 1.0
    axes.set_xlim(*_slots(count))
    axes.set_ylim(0, top * 1.2)  # headroom for the value above the highest bar
    axes.spines["left"].set_bounds(0, top)
    if panel.fixed_top is not None:
        ticks = [0.0, panel.fixed_top / 2, panel.fixed_top]
    elif present and max(present) > 0:
        ticks = MaxNLocator(nbins=3, integer=panel.integer, steps=[1, 2, 2.5, 5, 10]).tick_values(0, top)
        ticks = [tick for tick in ticks if 0 <= tick <= top * 1.0001]  # no tick above the axis line
    else:
        ticks = [0.0]
    axes.yaxis.set_major_locator(FixedLocator(ticks))
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _position: _tick(value, text.decimal_mark)))

    # No bar for a zero (some PDF renderers draw a zero-height bar as a hairline); its "0" still shows.
    xs = [index for index, value in enumerate(panel.values) if value]
    axes.bar(xs, [panel.values[index] for index in xs], width=0.62, color=BAR_COLOUR, linewidth=0)
    remarks = []
    for index, (point, value) in enumerate(zip(points, panel.values, strict=True)):
        if value is not None:
            label = _number(value, panel.decimals, text.decimal_mark)
            axes.annotate(
                label,
                (index, value),
                xytext=(0, 2),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=fontsize,
                color=TEXT_COLOUR,
                annotation_clip=False,
            )
            continue
        remark = axes.annotate(
            text.not_coded if not point.coded else text.no_value,
            (index, 0),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=fontsize - 1,
            fontstyle="italic" if not point.coded else "normal",
            color=MUTED_COLOUR,
            parse_math=False,
        )
        remarks.append(remark)
    return remarks


def _tick(value: float, decimal_mark: str) -> str:
    """A y tick label, with as few decimals as the tick needs."""
    decimals = 0 if abs(value - round(value)) < 1e-9 else 1 if abs(value * 10 - round(value * 10)) < 1e-6 else 2
    return _number(value, decimals, decimal_mark)


def _label_cycles(bottom_row: Sequence[Axes], labels: list[str]) -> None:
    """Cycle labels under the bottom panels (the top ones share their x axis)."""
    fontsize = 8.5 if len(labels) <= 6 else 7
    for axes in bottom_row:
        axes.set_xticks(range(len(labels)))
        axes.set_xticklabels(labels, fontsize=fontsize, color=TEXT_COLOUR, parse_math=False, linespacing=1.25)


def _fit_labels(grid: Any, count: int, remarks: list[Text]) -> None:
    """Measured after a layout pass, so that no two labels overlap: cycle labels wider than their slot
    turn 45 degrees, or 90 when even slanted they would crowd each other; a remark wider than its
    bar's slot turns upright (90 degrees)."""
    slot = min(axes.get_window_extent().width for axes in grid.flat) / max(count, 3)
    ticklabels = [label for axes in grid[1] for label in axes.get_xticklabels()]
    widest = max(label.get_window_extent().width for label in ticklabels)
    tallest = max(label.get_window_extent().height for label in ticklabels)
    if widest > slot * 0.92:
        # Slanted labels stand slot * sin(45) apart, measured across the lines.
        slanted = slot * math.sin(math.radians(45)) >= tallest * 1.6
        for label in ticklabels:
            if slanted:
                label.set(rotation=45, ha="right", va="top", rotation_mode="anchor")
            else:
                label.set(rotation=90, ha="right", va="center", rotation_mode="anchor")
    for remark in remarks:
        if remark.get_window_extent().width > slot * 0.9:
            remark.set_rotation(90)


def _wrap_to(title: Text, width: float) -> None:
    """Break a title wider than its panel or the figure (a long translation) over two or more lines."""
    measured = title.get_window_extent().width
    if measured <= width:
        return
    words = title.get_text()
    characters = max(12, int(len(words) * width / measured))
    title.set_text("\n".join(textwrap.wrap(words, characters, break_long_words=False)))


_SIZE_ATTRIBUTES = re.compile(r'(<svg\b[^>]*?)\s+width="[^"]*"\s+height="[^"]*"')


def _scalable(svg: str, title: str) -> str:
    """Drop the fixed width/height (the viewBox stays, so the picture scales to its container) and
    give the document a <title> for screen readers and browser tooltips."""
    svg, replaced = _SIZE_ATTRIBUTES.subn(r"\1", svg, count=1)
    if not replaced or "viewBox=" not in svg:
        raise RuntimeError("matplotlib wrote an <svg> element of an unexpected form")
    start = svg.index("<svg")
    end = svg.index(">", start) + 1
    if svg[end:].lstrip().startswith("<title>"):  # matplotlib >= 3.10 writes the metadata Title there itself
        return svg
    return f"{svg[:end]}\n <title>{escape(title)}</title>{svg[end:]}"
