"""The JSON bodies the privacy API takes (types only: vib.core.api.Body)."""

from __future__ import annotations

from vib.core.api import Body


class PolicyChange(Body):
    clip_months_after_close: int | None = None
    clip_max_months: int | None = None
    fragment_months: int | None = None
