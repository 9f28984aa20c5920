"""The JSON bodies the library API takes (types only: vib.core.api.Body)."""

from __future__ import annotations

from vib.core.api import Body


class FragmentTexts(Body):
    title: str | None = None
    description: str | None = None
    learning_points: str | None = None
    codes: list[str] | None = None
    tags: list[str] | None = None


class FragmentProposal(FragmentTexts):
    start_ms: int | None = None
    end_ms: int | None = None


class FragmentChange(FragmentTexts):
    expires_on: str | None = None  # YYYY-MM-DD


class RenderChoices(Body):
    blur_tracks: list[int] | str | None = None  # track ids, or "all"
    regions: list[dict] | None = None  # {x, y, w, h, start_ms?, end_ms?}, fractions of the picture
    audio: str | None = None  # keep, mute or disguise


class CollectionFields(Body):
    title: str | None = None
    description: str | None = None


class ItemFields(Body):
    fragment_id: int | None = None
    note: str | None = None
    position: int | None = None


class ItemChange(Body):
    note: str | None = None
    position: int | None = None
