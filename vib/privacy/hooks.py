"""What the privacy feature tells higher features (it imports none of them)."""

from vib.core.hooks import Namespace

_signals = Namespace()

deletion_approaching = _signals.signal("deletion-approaching")
"""Sent with (clip, on=date) when a clip will be deleted within WARNING_DAYS and its owner has not
been warned of that date yet: a receiver tells the owner (supervision's notifications do)."""
