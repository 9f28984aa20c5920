"""ELAN's EAF 3.0: one tier per actor lane, the scheme as a multilingual controlled vocabulary (code
ids, Dutch and English labels and descriptions), annotation values = code ids, notes and tags in
dependent tiers (Symbolic_Association), times in ms.

Written with the standard library's ElementTree (writing is safe); read ONLY through defusedxml, which
refuses entity declarations (billion laughs) and external references (XXE). No EAF XSD ships in any
package we use, so the tests check what ELAN relies on: pympi reads the file, every referenced time
slot exists, time slots are ordered, no two annotations of a tier overlap.

ELAN refuses overlapping annotations in one tier: when moments of one actor overlap, the later ones go
to extra tiers ("worker 2", "worker 3", ...). ELAN has no points: a point moment is written as an
annotation of POINT_MS, and an annotation of POINT_MS or less is read back as a point."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import defusedxml
import defusedxml.ElementTree as DET

from vib.interop.formats.model import ExportedClip, ExportedMoment, FormatError, ImportedRow, ParsedFile, _

POINT_MS = 1
CODE_TYPE = "vib-code"
TEXT_TYPE = "vib-text"
NOTE_SUFFIX = " note"
TAGS_SUFFIX = " tags"
NOTE_TIERS = ("note", "notes", "comment", "comments", "notitie", "notities", "opmerking", "opmerkingen")
DURATION_PROPERTY = "vib:media_duration_ms"
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # characters XML 1.0 cannot hold
LANGUAGES = (
    ("nld", "Dutch (nld)", "http://cdb.iso.org/lg/CDB-00138580-001"),
    ("eng", "English (eng)", "http://cdb.iso.org/lg/CDB-00138502-001"),
)
CONSTRAINTS = (
    ("Time_Subdivision", "Time subdivision of parent annotation's time interval, no time gaps allowed within this interval"),
    ("Symbolic_Subdivision", "Symbolic subdivision of a parent annotation. Annotations refering to the same parent are ordered"),
    ("Symbolic_Association", "1-1 association with a parent annotation"),
    ("Included_In", "Time alignable annotations within the parent annotation's time interval, gaps are allowed"),
)


def lanes(moments: list[ExportedMoment]) -> dict[str, list[ExportedMoment]]:
    """The moments by tier: per actor, each moment in the first lane where it overlaps nothing."""
    tiers: dict[str, list[ExportedMoment]] = {}
    ends: dict[str, list[int]] = {}
    for moment in sorted(moments, key=lambda m: (m.start_ms, _end(m))):
        actor_ends = ends.setdefault(moment.actor, [])
        lane = next((i for i, end in enumerate(actor_ends) if end <= moment.start_ms), None)
        if lane is None:
            lane = len(actor_ends)
            actor_ends.append(0)
        actor_ends[lane] = _end(moment)
        tiers.setdefault(moment.actor if lane == 0 else f"{moment.actor} {lane + 1}", []).append(moment)
    return tiers


def _end(moment: ExportedMoment) -> int:
    return moment.start_ms + POINT_MS if moment.end_ms is None else moment.end_ms


def write(clip: ExportedClip, moments: list[ExportedMoment]) -> bytes:
    root = ET.Element(
        "ANNOTATION_DOCUMENT",
        {
            "AUTHOR": "vib",
            "DATE": datetime.now(UTC).replace(microsecond=0).isoformat(),
            "FORMAT": "3.0",
            "VERSION": "3.0",
            "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
            "xsi:noNamespaceSchemaLocation": "http://www.mpi.nl/tools/elan/EAFv3.0.xsd",
        },
    )
    header = ET.SubElement(root, "HEADER", {"MEDIA_FILE": "", "TIME_UNITS": "milliseconds"})
    ET.SubElement(
        header,
        "MEDIA_DESCRIPTOR",
        {"MEDIA_URL": f"file:///{clip.media_file}", "MIME_TYPE": "video/mp4", "RELATIVE_MEDIA_URL": f"./{clip.media_file}"},
    )
    ET.SubElement(header, "PROPERTY", {"NAME": DURATION_PROPERTY}).text = str(clip.duration_ms)
    by_tier = lanes(moments)
    # Time slots in time order, two per annotation; annotation ids in tier order.
    times = sorted((t, i) for i, t in enumerate(t for ms in by_tier.values() for m in ms for t in (m.start_ms, _end(m))))
    slot_of = {index: f"ts{n + 1}" for n, (_t, index) in enumerate(times)}
    order = ET.SubElement(root, "TIME_ORDER")
    for n, (t, _index) in enumerate(times):
        ET.SubElement(order, "TIME_SLOT", {"TIME_SLOT_ID": f"ts{n + 1}", "TIME_VALUE": str(t)})
    counter = 0
    slot_index = 0
    for tier_id, tier_moments in by_tier.items():
        tier = ET.SubElement(root, "TIER", {"LINGUISTIC_TYPE_REF": CODE_TYPE, "TIER_ID": tier_id})
        notes = ET.Element("TIER", {"LINGUISTIC_TYPE_REF": TEXT_TYPE, "PARENT_REF": tier_id, "TIER_ID": tier_id + NOTE_SUFFIX})
        tags = ET.Element("TIER", {"LINGUISTIC_TYPE_REF": TEXT_TYPE, "PARENT_REF": tier_id, "TIER_ID": tier_id + TAGS_SUFFIX})
        for moment in tier_moments:
            counter += 1
            annotation_id = f"a{counter}"
            aligned = ET.SubElement(
                ET.SubElement(tier, "ANNOTATION"),
                "ALIGNABLE_ANNOTATION",
                {
                    "ANNOTATION_ID": annotation_id,
                    "CVE_REF": moment.code,
                    "TIME_SLOT_REF1": slot_of[slot_index],
                    "TIME_SLOT_REF2": slot_of[slot_index + 1],
                },
            )
            slot_index += 2
            ET.SubElement(aligned, "ANNOTATION_VALUE").text = moment.code
            for dependent, text in ((notes, NOT_IN_XML.sub("", moment.note)), (tags, " ".join(moment.tags))):
                if text:
                    counter += 1
                    ref = ET.SubElement(
                        ET.SubElement(dependent, "ANNOTATION"),
                        "REF_ANNOTATION",
                        {"ANNOTATION_ID": f"a{counter}", "ANNOTATION_REF": annotation_id},
                    )
                    ET.SubElement(ref, "ANNOTATION_VALUE").text = text
        root.append(notes)
        root.append(tags)
    ET.SubElement(header, "PROPERTY", {"NAME": "lastUsedAnnotationId"}).text = str(counter)
    ET.SubElement(
        root,
        "LINGUISTIC_TYPE",
        {
            "CONTROLLED_VOCABULARY_REF": clip.scheme_id,
            "GRAPHIC_REFERENCES": "false",
            "LINGUISTIC_TYPE_ID": CODE_TYPE,
            "TIME_ALIGNABLE": "true",
        },
    )
    ET.SubElement(
        root,
        "LINGUISTIC_TYPE",
        {"CONSTRAINTS": "Symbolic_Association", "GRAPHIC_REFERENCES": "false", "LINGUISTIC_TYPE_ID": TEXT_TYPE, "TIME_ALIGNABLE": "false"},
    )
    for lang_id, label, definition in LANGUAGES:
        ET.SubElement(root, "LANGUAGE", {"LANG_DEF": definition, "LANG_ID": lang_id, "LANG_LABEL": label})
    for stereotype, description in CONSTRAINTS:
        ET.SubElement(root, "CONSTRAINT", {"DESCRIPTION": description, "STEREOTYPE": stereotype})
    vocabulary = ET.SubElement(root, "CONTROLLED_VOCABULARY", {"CV_ID": clip.scheme_id})
    ET.SubElement(vocabulary, "DESCRIPTION", {"LANG_REF": "eng"}).text = clip.scheme_label
    for code in clip.codes:
        entry = ET.SubElement(vocabulary, "CV_ENTRY_ML", {"CVE_ID": code.id})
        for lang_id, label, description in (("nld", code.label_nl, code.description_nl), ("eng", code.label_en, code.description_en)):
            ET.SubElement(entry, "CVE_VALUE", {"DESCRIPTION": description, "LANG_REF": lang_id}).text = label
    ET.indent(root)
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True)


# -- reading ---------------------------------------------------------------------------------------


def parse_xml(data: bytes):
    """The XML's root element, refusing entity declarations and external references."""
    try:
        return DET.fromstring(data)
    except (defusedxml.EntitiesForbidden, defusedxml.DTDForbidden, defusedxml.ExternalReferenceForbidden):
        raise FormatError(_("The XML declares entities or refers to outside files; vib refuses such XML for safety.")) from None
    except ET.ParseError as error:
        line, column = error.position
        raise FormatError(_("The XML is broken (%(detail)s)."), f"line {line}", detail=str(error).split(":")[0]) from None


def read(data: bytes) -> ParsedFile:
    root = parse_xml(data)
    if root.tag != "ANNOTATION_DOCUMENT":
        raise FormatError(
            _("This XML is not an ELAN file: its root element is %(tag)s, not ANNOTATION_DOCUMENT."), f"element {root.tag}", tag=root.tag
        )
    parsed = ParsedFile("eaf")
    for prop in root.iterfind("HEADER/PROPERTY"):
        if prop.get("NAME") == DURATION_PROPERTY and (prop.text or "").strip().isdigit():
            parsed.media_duration_ms = int(prop.text.strip())
    slots: dict[str, int | None] = {}
    for slot in root.iterfind("TIME_ORDER/TIME_SLOT"):
        value = slot.get("TIME_VALUE")
        if slot.get("TIME_SLOT_ID") is None or (value is not None and not value.strip().isdigit()):
            raise FormatError(
                _("A time slot needs an id and a time in whole ms."), f"element TIME_SLOT {slot.get('TIME_SLOT_ID') or ''}".strip()
            )
        slots[slot.get("TIME_SLOT_ID")] = int(value) if value is not None else None
    rows: dict[str, ImportedRow] = {}
    dependents: list[tuple[str, str, str, str]] = []  # (tier id, annotation id, referred id, value)
    known: set[str] = set()  # every annotation id, also those that were not read (a broken time)
    for tier in root.iterfind("TIER"):
        tier_id = tier.get("TIER_ID") or ""
        participant = tier.get("PARTICIPANT") or ""
        for annotation in tier.iterfind("ANNOTATION/*"):
            annotation_id = annotation.get("ANNOTATION_ID") or "?"
            value = (annotation.findtext("ANNOTATION_VALUE") or "").strip()
            where = f"annotation {annotation_id}"
            known.add(annotation_id)
            if annotation.tag == "REF_ANNOTATION":
                dependents.append((tier_id, annotation_id, annotation.get("ANNOTATION_REF") or "", value))
                continue
            if annotation.tag != "ALIGNABLE_ANNOTATION":
                continue
            times = []
            for ref in (annotation.get("TIME_SLOT_REF1"), annotation.get("TIME_SLOT_REF2")):
                if ref not in slots:
                    parsed.error(where, _("It refers to time slot %(slot)s, which does not exist."), slot=ref or "-")
                elif slots[ref] is None:  # an unaligned slot (a subdivision ELAN times by itself): no moment
                    parsed.skip(where, _("Its time slot %(slot)s has no time: skipped."), slot=ref)
                else:
                    times.append(slots[ref])
            if len(times) < 2:
                continue
            start, end = times
            if end < start:
                parsed.error(where, _("It ends before it starts."))
                continue
            code_values = [v for v in (value, annotation.get("CVE_REF"), tier_id) if v]
            actor_values = [v for v in (participant, tier_id, tier.get("PARENT_REF")) if v]
            rows[annotation_id] = ImportedRow(where, start, None if end - start <= POINT_MS else end, code_values, actor_values)
    for tier_id, annotation_id, referred, value in dependents:
        row = rows.get(referred)
        if row is None:
            if referred not in known:
                parsed.error(
                    f"annotation {annotation_id}", _("It refers to annotation %(ref)s, which does not exist."), ref=referred or "-"
                )
            continue
        if not value:
            continue
        kind = tier_id.strip().rsplit(" ", 1)[-1].casefold()
        if kind == TAGS_SUFFIX.strip():
            row.tags.extend(value.replace(",", " ").split())
        elif kind in NOTE_TIERS:  # other dependent tiers (a translation, a gloss) are not moments' notes
            row.note = f"{row.note}\n{value}" if row.note else value
    parsed.rows = sorted(rows.values(), key=lambda r: (r.start_ms, r.where))
    return parsed
