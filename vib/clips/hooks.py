"""What higher features add to a clip (clips import none of them)."""

from vib.core.hooks import Namespace

_signals = Namespace()

clip_page_sections = _signals.signal("clip-page-sections")
"""Sent with (clip, user=...) when the clip page is shown; a receiver answers a `Section` or None."""

clip_facts = _signals.signal("clip-facts")
"""Sent with (clip) when the API describes a clip; a receiver answers a dict of fields to add or None."""
