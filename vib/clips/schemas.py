"""The JSON bodies the clips API takes (types only: vib.core.api.Body)."""

from __future__ import annotations

from vib.core.api import Body


class ClipChange(Body):
    title: str | None = None
    scheme: str | None = None
    recorded_on: str | None = None  # YYYY-MM-DD, not in the future
    cycle: int | None = None  # 1, 2, 3 …
