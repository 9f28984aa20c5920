"""The progress chart: a case's figures across cycles as one plain SVG picture, told as what a reader
of the picture (or of its text) finds in it."""

import math
import subprocess
import sys
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from vib.analysis.progress_chart import ChartText, ProgressPoint, progress_chart_svg

ROOT = Path(__file__).resolve().parents[2]
SVG = "{http://www.w3.org/2000/svg}"

ENGLISH = ChartText(
    title="Progress across cycles",
    reception="Initiatives received (%)",
    initiatives="Client initiatives per 10 minutes",
    latency="Median time to receive (s)",
    strength="Strength moments",
    not_coded="not coded",
    no_value="no initiatives",
)
DUTCH = ChartText(
    title="Voortgang over de cycli",
    reception="Ontvangen initiatieven (%)",
    initiatives="Initiatieven van de cliënt per 10 minuten",
    latency="Mediane tijd tot ontvangen (s)",
    strength="Krachtmomenten",
    not_coded="niet gecodeerd",
    no_value="geen initiatieven",
    decimal_mark=",",
)


def clip(cycle, reception=50.0, per_10min=4.2, latency=1.25, strength=3, coded=True):
    return ProgressPoint(f"Cycle {cycle}\n{cycle} Mar 2026", coded, reception, per_10min, latency, strength)


def uncoded(cycle):
    return ProgressPoint(f"Cycle {cycle}\n{cycle} Mar 2026", False, None, None, None, None)


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg.encode("utf-8"))


def texts(svg: str) -> list[str]:
    """Every piece of text on the picture (fonttype "none": real <text> elements, one per line)."""
    return ["".join(element.itertext()).strip() for element in parse(svg).iter(f"{SVG}text")]


def bars(svg: str) -> list[ET.Element]:
    return [path for path in parse(svg).iter(f"{SVG}path") if "fill: #0072b2" in path.get("style", "")]


# --- a plain, scalable SVG document -----------------------------------------------------------


def test_the_picture_is_an_svg_document_that_scales_to_its_container():
    svg = progress_chart_svg([clip(1), clip(2)], ENGLISH)
    assert svg.startswith("<?xml")
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox") == "0 0 576 360"  # 8 x 5 inches in points
    assert root.get("width") is None and root.get("height") is None  # CSS width: 100% decides the size


def test_its_title_is_the_charts_title_for_screen_readers_and_as_a_heading():
    root = parse(progress_chart_svg([clip(1)], ENGLISH))
    assert root[0].tag == f"{SVG}title" and root[0].text == "Progress across cycles"
    assert "Progress across cycles" in texts(progress_chart_svg([clip(1)], ENGLISH))


def test_it_is_plain_svg_with_no_script_and_no_classes():
    svg = progress_chart_svg([clip(1), uncoded(2)], ENGLISH)
    root = parse(svg)
    assert not list(root.iter(f"{SVG}script"))
    assert all(element.get("class") is None for element in root.iter())
    assert "<image" not in svg  # no raster inside


# --- what the panels say ----------------------------------------------------------------------


def test_each_panel_has_its_title_as_text():
    words = texts(progress_chart_svg([clip(1), clip(2)], ENGLISH))
    for title in (ENGLISH.reception, ENGLISH.initiatives, ENGLISH.latency, ENGLISH.strength):
        assert title in words


def test_each_bar_carries_its_value_so_the_picture_does_not_rely_on_colour():
    words = texts(progress_chart_svg([clip(1, reception=50.0, per_10min=4.2, latency=2.0, strength=3)], ENGLISH))
    assert {"50", "4.2", "2.0", "3"} <= set(words)


def test_values_are_rounded_half_up_as_written():
    words = texts(progress_chart_svg([clip(1, reception=62.5, per_10min=4.25, latency=2.35, strength=7)], ENGLISH))
    assert {"63", "4.3", "2.4", "7"} <= set(words)


def test_dutch_numbers_have_a_decimal_comma():
    words = texts(progress_chart_svg([clip(1, reception=50.0, per_10min=4.2, latency=1.5, strength=3)], DUTCH))
    assert {"4,2", "1,5"} <= set(words)
    assert "4.2" not in words and "1.5" not in words
    assert "Krachtmomenten" in words


def test_bars_stand_in_cycle_order_one_per_clip_in_every_panel():
    svg = progress_chart_svg([clip(1, reception=20.0), clip(2, reception=40.0), clip(3, reception=60.0)], ENGLISH)
    assert len(bars(svg)) == 3 * 4
    words = texts(svg)
    assert words.index("20") < words.index("40") < words.index("60")
    assert [word for word in words if word.startswith("Cycle ")][:3] == ["Cycle 1", "Cycle 2", "Cycle 3"]


def test_reception_is_drawn_on_a_scale_of_0_to_100():
    words = texts(progress_chart_svg([clip(1, reception=30.0)], ENGLISH))
    assert {"0", "50", "100"} <= set(words)  # the axis ticks, even though no bar reaches 100


def test_a_zero_is_written_but_has_no_bar():
    svg = progress_chart_svg([clip(1, strength=0), clip(2, strength=4)], ENGLISH)
    assert len(bars(svg)) == 4 + 3  # every panel draws clip 2, only three draw clip 1
    assert texts(svg).count("0") >= 5  # the strength label "0" besides the four axes' 0 ticks


# --- clips without a figure -------------------------------------------------------------------


def test_an_uncoded_clip_keeps_its_place_and_tick_and_says_not_coded_in_every_panel():
    svg = progress_chart_svg([clip(1), uncoded(2)], ENGLISH)
    words = texts(svg)
    assert words.count("not coded") == 4
    assert "Cycle 2" in words  # its tick label
    assert len(bars(svg)) == 4  # clip 1's bars only


def test_an_uncoded_clip_shows_no_value_even_if_it_has_one():
    stale = ProgressPoint("Cycle 2\n2 Apr 2026", False, 77.0, 9.9, 8.8, 66)
    words = texts(progress_chart_svg([clip(1), stale], ENGLISH))
    assert not {"77", "9.9", "8.8", "66"} & set(words)
    assert words.count("not coded") == 4


def test_a_coded_clip_without_a_value_says_so_in_that_panel():
    no_initiatives = clip(1, reception=None, per_10min=0.0, latency=None, strength=2)
    words = texts(progress_chart_svg([no_initiatives], ENGLISH))
    assert words.count("no initiatives") == 2  # reception and latency
    assert {"0.0", "2"} <= set(words)
    assert "not coded" not in words


def test_no_clips_at_all_gives_the_empty_panels_saying_not_coded():
    svg = progress_chart_svg([], ENGLISH)
    assert parse(svg).tag == f"{SVG}svg"
    words = texts(svg)
    assert words.count("not coded") == 4
    assert {ENGLISH.title, ENGLISH.reception, ENGLISH.strength} <= set(words)
    assert bars(svg) == []


@pytest.mark.parametrize(
    "point",
    [
        clip(1, reception=-1.0),
        clip(1, reception=100.5),
        clip(1, per_10min=math.nan),
        clip(1, latency=math.inf),
        clip(1, strength=-2),
    ],
)
def test_an_impossible_value_is_refused(point):
    with pytest.raises(ValueError, match="Cycle 1"):
        progress_chart_svg([point], ENGLISH)


# --- words are drawn as given -----------------------------------------------------------------


def test_words_are_literal_text_never_markup_or_math():
    text = ChartText("Progress <b> & $x$", "Received (%)", "A & B", "C", "D", "not <coded>", "–")
    svg = progress_chart_svg([ProgressPoint("Cycle $1$\n1 < 2", True, 50.0, 1.0, 1.0, 1), uncoded(2)], text)
    words = texts(svg)
    assert parse(svg)[0].text == "Progress <b> & $x$"
    assert {"Progress <b> & $x$", "A & B", "Cycle $1$", "1 < 2", "not <coded>"} <= set(words)


def test_a_long_panel_title_is_wrapped_not_cut_off():
    long = ChartText(
        "Progress", "Received (%)", "Aantal initiatieven van de cliënt per tien minuten van de opname", "C", "D", "not coded", "–"
    )
    words = texts(progress_chart_svg([clip(1), clip(2)], long))
    assert long.initiatives not in words
    assert any(word.startswith("Aantal initiatieven") for word in words)
    assert any(word.endswith("opname") for word in words)


def test_many_cycles_turn_their_labels_so_they_do_not_overlap():
    few = parse(progress_chart_svg([clip(1), clip(2), clip(3)], ENGLISH))
    many = parse(progress_chart_svg([clip(cycle) for cycle in range(1, 13)], ENGLISH))

    def turned(root):
        return [e for e in root.iter(f"{SVG}text") if "Cycle" in "".join(e.itertext()) and "rotate(-90)" in e.get("transform", "")]

    assert turned(few) == []
    assert len(turned(many)) == 2 * 12  # under both bottom panels


# --- the same picture every time, without pyplot ----------------------------------------------

EXAMPLE = [clip(1), clip(2, reception=75.0, strength=5), uncoded(3), clip(4, reception=None, latency=None)]


def test_the_same_input_gives_the_same_bytes():
    assert progress_chart_svg(EXAMPLE, ENGLISH) == progress_chart_svg(EXAMPLE, ENGLISH)
    assert progress_chart_svg(EXAMPLE, ENGLISH) != progress_chart_svg(EXAMPLE, DUTCH)


def test_request_threads_drawing_at_once_get_the_same_pictures_as_one_at_a_time():
    """matplotlib's settings are global; the chart holds a lock while it draws with its own."""
    inputs = [(EXAMPLE, ENGLISH), (EXAMPLE[:2], DUTCH)] * 2
    alone = [progress_chart_svg(points, text) for points, text in inputs[:2]] * 2
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(lambda args: progress_chart_svg(*args), inputs))
    assert together == alone


def test_another_process_draws_the_same_bytes_without_ever_importing_pyplot():
    """pyplot keeps global state and is not thread-safe; the web app draws in request threads."""
    script = (
        "import sys\n"
        "from tests.analysis.test_progress_chart import EXAMPLE, ENGLISH\n"
        "from vib.analysis.progress_chart import progress_chart_svg\n"
        "svg = progress_chart_svg(EXAMPLE, ENGLISH)\n"
        "print('pyplot imported' if 'matplotlib.pyplot' in sys.modules else 'no pyplot')\n"
        "sys.stdout.write(svg)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, encoding="utf-8", timeout=120, check=True
    )
    verdict, _, svg = result.stdout.partition("\n")
    assert verdict == "no pyplot"
    assert svg == progress_chart_svg(EXAMPLE, ENGLISH)


def test_the_module_imports_no_web_or_database_library():
    script = (
        "import sys\n"
        "import vib.analysis.progress_chart\n"
        "print(sorted(m for m in ('matplotlib.pyplot', 'flask', 'flask_babel', 'sqlalchemy', 'werkzeug') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.strip() == "[]"
