"""The exchange formats on their own (vib.interop.formats is pure: no app, no database)."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET

import pytest
from pympi.Elan import Eaf

from vib.interop.formats import boris, detect, eaf, table, vtt
from vib.interop.formats.model import Cue, ExportedClip, ExportedCode, ExportedMoment, FormatError

CLIP = ExportedClip(
    "clip-7.mp4", 12_000, 25.0, "vib-basiscommunicatie", "VIB basic communication",
    (ExportedCode("bc.initiatief", "Initiatief", "Initiative", "Iemand begint.", "Someone starts."),
     ExportedCode("bc.ontvangen", "Ontvangen", "Receiving", "", "")),
)  # fmt: skip
MOMENTS = [
    ExportedMoment(
        400, 1200, "bc.initiatief", "Initiatief", "Initiative", "client", "Sam", ("better_than_usual",), "Ze kijkt op.", "Contact"
    ),
    ExportedMoment(800, 2000, "bc.initiatief", "Initiatief", "Initiative", "client", "Sam", (), "", "Contact"),  # overlaps the first
    ExportedMoment(1200, None, "bc.ontvangen", "Ontvangen", "Receiving", "worker", "Sam", ("still", "learning_question"), "=SUM(A1)"),
]


def write_eaf(tmp_path, moments=MOMENTS) -> tuple[bytes, str]:
    data = eaf.write(CLIP, moments)
    path = tmp_path / "out.eaf"
    path.write_bytes(data)
    return data, str(path)


def test_eaf_has_a_tier_per_actor_lane_and_overlapping_moments_go_to_a_second_lane(tmp_path):
    data, path = write_eaf(tmp_path)
    document = Eaf(path)  # pympi reads it, as ELAN would
    tiers = document.get_tier_names()
    assert {"client", "client 2", "worker", "client note", "client tags", "worker tags"} <= set(tiers)
    assert [a[:3] for a in document.get_annotation_data_for_tier("client")] == [(400, 1200, "bc.initiatief")]
    assert [a[:3] for a in document.get_annotation_data_for_tier("client 2")] == [(800, 2000, "bc.initiatief")]
    assert document.get_annotation_data_for_tier("worker") == [(1200, 1200 + eaf.POINT_MS, "bc.ontvangen")]
    assert document.get_parameters_for_tier("client note")["PARENT_REF"] == "client"


def test_eaf_follows_the_structure_elan_relies_on(tmp_path):
    root = ET.fromstring(write_eaf(tmp_path)[0])
    assert root.get("VERSION") == "3.0" and root.find("HEADER").get("TIME_UNITS") == "milliseconds"
    slots = {s.get("TIME_SLOT_ID"): int(s.get("TIME_VALUE")) for s in root.iterfind("TIME_ORDER/TIME_SLOT")}
    assert list(slots.values()) == sorted(slots.values())  # time slots in time order
    ids = set()
    for tier in root.iterfind("TIER"):
        spans = []
        for annotation in tier.iterfind("ANNOTATION/ALIGNABLE_ANNOTATION"):
            start, end = slots[annotation.get("TIME_SLOT_REF1")], slots[annotation.get("TIME_SLOT_REF2")]  # every slot exists
            assert start < end
            spans.append((start, end))
            ids.add(annotation.get("ANNOTATION_ID"))
        assert spans == sorted(spans)
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False)), tier.get("TIER_ID")  # no overlap in a tier
    for ref in root.iterfind("TIER/ANNOTATION/REF_ANNOTATION"):
        assert ref.get("ANNOTATION_REF") in ids
    order = [child.tag for child in root]
    assert order.index("TIME_ORDER") < order.index("TIER") < order.index("LINGUISTIC_TYPE") < order.index("CONTROLLED_VOCABULARY")


def test_eaf_vocabulary_holds_code_ids_labels_in_both_languages_and_descriptions(tmp_path):
    root = ET.fromstring(write_eaf(tmp_path)[0])
    [entry] = [e for e in root.iterfind("CONTROLLED_VOCABULARY/CV_ENTRY_ML") if e.get("CVE_ID") == "bc.initiatief"]
    values = {v.get("LANG_REF"): (v.text, v.get("DESCRIPTION")) for v in entry}
    assert values == {"nld": ("Initiatief", "Iemand begint."), "eng": ("Initiative", "Someone starts.")}
    assert {lt.get("CONTROLLED_VOCABULARY_REF") for lt in root.iterfind("LINGUISTIC_TYPE")} >= {"vib-basiscommunicatie"}


def test_eaf_reads_back_what_it_wrote(tmp_path):
    parsed = eaf.read(write_eaf(tmp_path)[0])
    assert parsed.kind == "eaf" and not parsed.errors and parsed.media_duration_ms == 12_000
    got = [(r.start_ms, r.end_ms, r.code_values[0], r.actor_values[0], r.tags, r.note) for r in parsed.rows]
    assert got == [
        (400, 1200, "bc.initiatief", "client", ["better_than_usual"], "Ze kijkt op."),
        (800, 2000, "bc.initiatief", "client 2", [], ""),
        (1200, None, "bc.ontvangen", "worker", ["still", "learning_question"], "=SUM(A1)"),
    ]


def test_eaf_with_a_missing_time_slot_names_the_annotation(tmp_path):
    data = re.sub(rb'TIME_SLOT_REF2="ts\d+"', b'TIME_SLOT_REF2="ts99"', write_eaf(tmp_path)[0], count=1)
    parsed = eaf.read(data)
    assert [(p.where, p.params) for p in parsed.errors] == [("annotation a1", {"slot": "ts99"})]


def test_broken_xml_names_the_line():
    with pytest.raises(FormatError) as refused:
        eaf.read(b'<?xml version="1.0"?>\n<ANNOTATION_DOCUMENT>\n<TIER>\n</ANNOTATION_DOCUMENT>')
    assert refused.value.problem.where == "line 4"


def test_other_xml_is_not_an_elan_file():
    with pytest.raises(FormatError) as refused:
        eaf.read(b"<html><body/></html>")
    assert "ANNOTATION_DOCUMENT" in str(refused.value)


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<ANNOTATION_DOCUMENT><HEADER/><TIME_ORDER/><TIER TIER_ID="&xxe;"/></ANNOTATION_DOCUMENT>"""
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<ANNOTATION_DOCUMENT><TIER TIER_ID="&lol4;"/></ANNOTATION_DOCUMENT>"""


@pytest.mark.parametrize("payload", [XXE, LAUGHS], ids=["external entity", "billion laughs"])
def test_xml_with_entities_is_refused(payload):
    with pytest.raises(FormatError) as refused:
        eaf.read(payload)
    assert "entities" in str(refused.value)


def test_boris_writes_start_stop_and_point_rows_in_time_order():
    text = boris.write(CLIP, MOMENTS).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter="\t"))
    assert rows[0] == list(boris.COLUMNS)
    events = [(r[4], r[5], r[9], r[10]) for r in rows[1:]]
    assert events == [
        ("client", "bc.initiatief", "START", "0.400"),
        ("client", "bc.initiatief", "START", "0.800"),
        ("client", "bc.initiatief", "STOP", "1.200"),
        ("worker", "bc.ontvangen", "POINT", "1.200"),
        ("client", "bc.initiatief", "STOP", "2.000"),
    ]
    assert rows[1][:4] == ["clip-7", "clip-7.mp4", "12.000", "25"]
    assert rows[4][8] == "'=SUM(A1)"  # a note never runs as a formula


def test_boris_reads_back_what_it_wrote_also_as_csv():
    for data in (boris.write(CLIP, MOMENTS), boris.write(CLIP, MOMENTS).replace(b"\t", b",")):
        parsed = boris.read(data)
        assert not parsed.errors and parsed.media_duration_ms == 12_000
        got = [(r.start_ms, r.end_ms, r.code_values, r.actor_values, r.tags, r.note) for r in parsed.rows]
        assert got == [
            (400, 1200, ["bc.initiatief"], ["client"], ["better_than_usual"], "Ze kijkt op."),
            (800, 2000, ["bc.initiatief"], ["client"], [], ""),
            (1200, None, ["bc.ontvangen"], ["worker"], ["still", "learning_question"], "=SUM(A1)"),
        ]


def test_boris_of_an_older_version_with_facts_above_the_header():
    data = (
        b"Observation id\tvisit\n\nTime\tMedia file path\tTotal length\tFPS\tSubject\tBehavior\tBehavioral category\tModifier 1\tComment\tStatus\n"
        b"1.5\tv.mp4\t12.0\t25\tclient\tInitiative\tContact\t\tlooks up\tSTART\n"
        b"2,5\tv.mp4\t12.0\t25\tclient\tInitiative\tContact\t\t\tSTOP\n"
        b"3.0\tv.mp4\t12.0\t25\tworker\tbc.ontvangen\t\t\t\tSTOP\n"
        b"4.0\tv.mp4\t12.0\t25\tworker\tbc.ontvangen\t\t\t\tSTART\n"
        b"x\tv.mp4\t12.0\t25\tworker\tbc.ontvangen\t\t\t\tPOINT\n"
    )
    parsed = boris.read(data)
    assert [(r.start_ms, r.end_ms, r.note) for r in parsed.rows] == [(1500, 2500, "looks up")]
    assert [p.where for p in parsed.errors] == ["line 6", "line 8", "line 7"]  # STOP without START, bad time, START without STOP


def test_vib_csv_has_a_bom_and_guards_formulas_and_reads_back():
    data = table.write_moments([MOMENTS[2]])
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == list(table.COLUMNS) and rows[1][-1] == "'=SUM(A1)" and rows[1][3] == "" and rows[1][4] == ""
    [row] = table.read_moments(data).rows
    assert (row.start_ms, row.end_ms, row.code_values[0], row.actor_values, row.tags, row.note) == (
        1200, None, "bc.ontvangen", ["worker"], ["still", "learning_question"], "=SUM(A1)",
    )  # fmt: skip


@pytest.mark.parametrize("value", ["=1+1", "+31 6 123", "-2", "@SUM(1)", "\tx"])
def test_every_formula_start_is_guarded(value):
    assert table.safe_cell(value) == "'" + value and table.unsafe_cell(table.safe_cell(value)) == value
    assert table.safe_cell("plain") == "plain"


def test_figures_are_flattened_to_key_value_rows():
    rows = table.flatten({"by_code": [{"code": "a", "count": 2}], "reception_ratio": 0.5, "median": None})
    assert rows == [("by_code.0.code", "a"), ("by_code.0.count", 2), ("reception_ratio", 0.5), ("median", "")]


def test_webvtt_cues_are_in_time_order_and_cannot_break_out():
    text = vtt.write([Cue(5000, 6000, "Strength: you wait --> and\n\nhe speaks"), Cue(0, 1500, "Initiative: she looks up")]).decode()
    assert text.startswith("WEBVTT")
    assert "00:00:00.000 --> 00:00:01.500\nInitiative: she looks up" in text
    assert "00:00:05.000 --> 00:00:06.000\nStrength: you wait → and\nhe speaks" in text


def test_webvtt_cue_text_is_never_read_as_markup():
    text = vtt.write([Cue(0, 1500, "Note: <b>she</b> & he")]).decode()
    assert "Note: &lt;b&gt;she&lt;/b&gt; &amp; he" in text


@pytest.mark.parametrize(
    "data, kind",
    [
        (b"\xef\xbb\xbf<?xml version='1.0'?><ANNOTATION_DOCUMENT/>", "eaf"),
        (b"Subject\tBehavior\tStatus\tTime\n", "boris"),
        (b"clip,start_ms,end_ms,code\n", "csv"),
    ],
)
def test_the_kind_is_found_by_content(data, kind):
    assert detect.kind_of(data) == kind


@pytest.mark.parametrize("data", [b"\x00\x00\x00 ftypisom", b"WEBVTT\n\n00:00.000 --> 00:01.000\nhi\n", b"just some words\n"])
def test_other_files_are_refused(data):
    with pytest.raises(FormatError):
        detect.kind_of(data)


def test_eaf_annotations_on_unaligned_slots_are_skipped_not_errors_and_other_dependent_tiers_are_no_notes(tmp_path):
    data = write_eaf(tmp_path)[0]
    untimed = re.sub(rb'(TIME_SLOT_ID="ts1") TIME_VALUE="\d+"', rb"\1", data)  # ELAN leaves a subdivision's slots untimed
    parsed = eaf.read(untimed)
    assert not parsed.errors and [p.where for p in parsed.skipped] == ["annotation a1"] and len(parsed.rows) == 2
    translated = eaf.read(data.replace(b'TIER_ID="client note"', b'TIER_ID="client translation"'))
    assert [r.note for r in translated.rows] == ["", "", "=SUM(A1)"]


def test_eaf_leaves_out_characters_xml_cannot_hold(tmp_path):
    moment = ExportedMoment(0, 400, "bc.initiatief", "Initiatief", "Initiative", "client", note="bell\x07 and\ttab")
    [row] = eaf.read(eaf.write(CLIP, [moment])).rows
    assert row.note == "bell and\ttab"


def test_an_eaf_saved_again_by_another_tool_reads_the_same(tmp_path):
    """pympi rewrites the file its own way (its own time slots and ids, no CVE_REF kept): what vib
    reads from it stays the same."""
    from pympi.Elan import to_eaf

    data, path = write_eaf(tmp_path)
    again = tmp_path / "again.eaf"
    to_eaf(str(again), Eaf(path))
    mine = [(r.start_ms, r.end_ms, r.code_values[0], r.actor_values[0], r.tags, r.note) for r in eaf.read(data).rows]
    theirs = [(r.start_ms, r.end_ms, r.code_values[0], r.actor_values[0], r.tags, r.note) for r in eaf.read(again.read_bytes()).rows]
    assert theirs == mine
