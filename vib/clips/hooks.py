"""What higher features add to a clip (clips import none of them)."""

from vib.core.hooks import Namespace

_signals = Namespace()

clip_page_sections = _signals.signal("clip-page-sections")
"""Sent with (clip, user=...) when the clip page is shown; a receiver answers a `Section` or None."""
