"""What higher features add to a clip (clips import none of them)."""

from vib.core.hooks import Namespace

_signals = Namespace()

clip_page_sections = _signals.signal("clip-page-sections")
"""Sent with (clip, user=...) when the clip page is shown; a receiver answers a `Section` or None."""

clip_facts = _signals.signal("clip-facts")
"""Sent with (clip) when the API describes a clip; a receiver answers a dict of fields to add or None."""

clip_ready = _signals.signal("clip-ready")
"""Sent with (clip, db=...) in the transaction that marks a clip ready to play: a receiver queues what
it makes from the playable clip (coding: the analysis of its sound)."""
