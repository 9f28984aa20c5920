"""The JSON bodies the meetings API takes (types only: vib.core.api.Body)."""

from __future__ import annotations

from vib.core.api import Body


class MeetingFields(Body):
    date: str | None = None  # YYYY-MM-DD
    question: str | None = None
    title: str | None = None


class ItemFields(Body):
    clip_id: int | None = None
    start_ms: int | None = None
    end_ms: int | None = None
    pre_roll_ms: int | None = None
    post_roll_ms: int | None = None
    moment_id: int | None = None
    talking_point: str | None = None
    position: int | None = None


class ItemChange(Body):
    start_ms: int | None = None
    end_ms: int | None = None
    pre_roll_ms: int | None = None
    post_roll_ms: int | None = None
    talking_point: str | None = None
    position: int | None = None
