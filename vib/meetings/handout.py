"""The meeting's handout: an A4 PDF made from the print layout's template (being built)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from vib.accounts.models import User
from vib.meetings import progress
from vib.meetings.models import Meeting

KEPT_FOR = timedelta(days=1)  # a handout shows stills of client video: made on request, kept a day at most


def progress_context(db: Session, meeting: Meeting, viewer: User) -> dict:
    return progress.context(db, meeting.case, viewer)


def handout_html(db: Session, meeting: Meeting, viewer: User, for_pdf: bool) -> str:
    raise NotImplementedError("the handout is being built")


def handout_pdf(db: Session, meeting: Meeting, viewer: User) -> bytes:
    raise NotImplementedError("the handout is being built")
