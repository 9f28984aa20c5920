"""What higher features add to the coding page and the review screen (coding imports none of them)."""

from vib.core.hooks import Namespace

_signals = Namespace()

clip_feedback = _signals.signal("clip-feedback")
"""Sent with (clip, viewer=...): a receiver answers the feedback `viewer` sees on the clip's timeline,
as {"items": [feedback item JSON, ...], "kind_labels": {kind: label}}, or None."""

clip_links = _signals.signal("clip-links")
"""Sent with (clip, viewer=...): a receiver answers a list of {"url", "text"} links for the coding
page's header (a review of the clip), or None."""
