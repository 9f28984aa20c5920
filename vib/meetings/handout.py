"""The meeting's handout: one template (meetings/handout.html) for the browser's print page and for an
A4 PDF made by WeasyPrint.

The PDF shows stills of client video, so it is a derivative of it: made on request, stored for at most
KEPT_FOR and registered with the privacy registry (vib/meetings/privacy.py: a clip's deletion, a
withdrawal of analysis and the daily purge delete it). The stored file is named by the fingerprint of
the HTML it was made from: any change (items, moments, feedback, the language) makes a new one.

No person labels of the case's consent records and no user names are shown; the case code appears
only in the first page's header (file names and the PDF's metadata travel, so they never carry it).
"""

from __future__ import annotations

import base64
import hashlib
import logging
from datetime import timedelta
from pathlib import Path

from flask import current_app, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy.orm import Session

from vib.accounts.models import User
from vib.clips import operations as clip_ops
from vib.coding.serialise import moment_json
from vib.core import storage
from vib.core.db import on_rollback, utcnow
from vib.core.errors import UserError
from vib.meetings import operations as ops
from vib.meetings import progress
from vib.meetings.models import Meeting, MeetingItem
from vib.supervision.language import kind_labels

KEPT_FOR = timedelta(days=1)  # a handout shows stills of client video: made on request, kept a day at most
STILL_WIDTH = 480  # px: a third of the A4 text width at about 200 dpi
STYLESHEET = "css/handout.css"  # in vib/static: the print page links it, the PDF inlines it

log = logging.getLogger(__name__)

NO_PDF_RENDERER = _l(
    "The handout cannot be made as a PDF on this server: WeasyPrint needs the Pango library. "
    "Ask the administrator to install it (apt-get install libpango-1.0-0 libpangoft2-1.0-0). "
    "The print page can still be printed from the browser."
)


def progress_context(db: Session, meeting: Meeting, viewer: User) -> dict:
    return progress.context(db, meeting.case, viewer)


def handout_html(db: Session, meeting: Meeting, viewer: User, for_pdf: bool) -> str:
    """The handout as HTML: for WeasyPrint (`for_pdf`: pictures as data: URIs, the stylesheet and the
    translated page numbers inline, nothing to fetch) or for the browser (pictures and stylesheet as
    URLs, a Print button and the PDF's link)."""
    d = progress_context(db, meeting, viewer)
    if for_pdf:
        d["chart_src"] = _data_uri("image/svg+xml", progress.chart_svg(d["rows"]).encode("utf-8"))
    return render_template(
        "meetings/handout.html",
        meeting=meeting,
        d=d,
        cycles=_cycle_goals(d),
        items=[_item(db, item, viewer, d["labels"], for_pdf) for item in meeting.items],
        for_pdf=for_pdf,
        stylesheet=Markup(_stylesheet()) if for_pdf else None,
        page_numbers=Markup(_page_numbers_css()) if for_pdf else None,
    )


def handout_pdf(db: Session, meeting: Meeting, viewer: User) -> bytes:
    """The handout as a PDF: the stored one while it is younger than KEPT_FOR and made from the same
    HTML, else a new one (stored, replacing the previous; the request's commit keeps the change)."""
    html = handout_html(db, meeting, viewer, for_pdf=True)
    fingerprint = hashlib.sha256(html.encode("utf-8")).hexdigest()
    key = f"{meeting.folder}/handout-{fingerprint[:16]}.pdf"
    media = storage.current()
    now = utcnow()
    fresh = meeting.handout_made_at is not None and meeting.handout_made_at > now - KEPT_FOR
    if meeting.handout_key == key and fresh and media.exists(key):
        return media.read_bytes(key)
    pdf = render_pdf(html)
    if meeting.handout_key != key:
        ops.forget_handout(db, meeting)  # the previous file goes once this commits
    media.save(key, pdf)
    on_rollback(db, lambda: media.delete(key))  # no row names it then: it must not stay
    meeting.handout_key, meeting.handout_made_at = key, now
    db.flush()
    return pdf


def render_pdf(html: str) -> bytes:
    """WeasyPrint's PDF of the handout's HTML. Everything it shows is inside it (data: URIs), so its
    URL fetcher fetches nothing else: no file of the server, no address on the network."""
    try:
        # Imported here, not at the top: without Pango the import fails, and only the PDF needs it.
        import weasyprint  # noqa: PLC0415
    except (ImportError, OSError):
        log.exception("WeasyPrint cannot be loaded: the handout PDF cannot be made")
        raise UserError(NO_PDF_RENDERER, status=503) from None
    return weasyprint.HTML(string=html, url_fetcher=weasyprint.URLFetcher(allowed_protocols={"data"})).write_pdf()


def _item(db: Session, item: MeetingItem, viewer: User, labels: dict[int, str], for_pdf: bool) -> dict:
    """What the handout shows of an item: stills, code, when, talking point and the feedback (its
    kind and text, never its author)."""
    times = ops.stills_ms(item)
    if for_pdf:
        media = storage.current()
        keys = clip_ops.thumbnails(item.clip, times, clip_ops.thumbnail_width(STILL_WIDTH, item.clip))
        stills = [{"t_ms": t, "src": _data_uri("image/jpeg", media.read_bytes(keys[t]))} for t in times]
    else:
        stills = [{"t_ms": t, "src": url_for("clips.api_thumbnail", clip_id=item.clip_id, t=t, w=STILL_WIDTH)} for t in times]
    moment = moment_json(db, item.moment, viewer) if item.moment is not None else None
    kinds = kind_labels()
    return {
        "stills": stills,
        "code_label": moment["code_label"] if moment else None,
        "cycle": _capitalised(labels.get(item.clip_id) or _("cycle %(n)d", n=item.clip.cycle)),
        "clip_title": item.clip.title,
        "start_ms": item.start_ms,
        "end_ms": item.end_ms,
        "talking_point": item.talking_point,
        "feedback": [{"kind": f.kind, "kind_label": kinds[f.kind], "text": f.text} for f in ops.item_feedback(db, item, viewer)],
    }


def _cycle_goals(d: dict) -> list[dict]:
    """Each cycle (each clip, when a cycle has more) with the learning goal that held then."""
    seen, out = set(), []
    for row in d["rows"]:
        entry = (d["labels"][row.clip.id], row.goal)
        if entry not in seen:
            seen.add(entry)
            out.append({"label": _capitalised(entry[0]), "goal": entry[1]})
    return out


def _capitalised(label: str) -> str:
    """ "Cycle 2" at the start of a line (progress.cycle_label is written for inside a sentence)."""
    return label[:1].upper() + label[1:]


def _data_uri(mimetype: str, data: bytes) -> str:
    return f"data:{mimetype};base64,{base64.b64encode(data).decode('ascii')}"


def _stylesheet() -> str:
    return (Path(current_app.static_folder) / STYLESHEET).read_text(encoding="utf-8")


def _page_numbers_css() -> str:
    """The PDF's page numbers, "page 2 of 3" in the user's language, as CSS for the page's footer."""
    page, pages = "\x00page\x00", "\x00pages\x00"
    words = _("page %(page)s of %(pages)s", page=page, pages=pages)
    parts = []
    for index, part in enumerate(words.split("\x00")):
        if index % 2:
            parts.append("counter(page)" if part == "page" else "counter(pages)")
        elif part:
            parts.append(_css_string(part))
    return f"@page {{ @bottom-center {{ content: {' '.join(parts)}; }} }}"


def _css_string(text: str) -> str:
    """A CSS string literal for any text (quotes, backslashes, line breaks and "<" escaped)."""
    escaped = "".join(ch if ch.isalnum() or ch in " .,:;-()/'" else f"\\{ord(ch):x} " for ch in text)
    return f'"{escaped}"'
