"""What higher features add to the coding page and the review screen (coding imports none of them)."""

from vib.core.hooks import Namespace

_signals = Namespace()

clip_feedback = _signals.signal("clip-feedback")
"""Sent with (clip, viewer=...): a receiver answers the feedback `viewer` sees on the clip's timeline,
as {"items": [feedback item JSON, ...], "kind_labels": {kind: label}}, or None."""

clip_links = _signals.signal("clip-links")
"""Sent with (clip, viewer=...): a receiver answers a list of {"url", "text"} links for the coding
page's header (a review of the clip), or None."""

moment_video = _signals.signal("moment-video")
"""Sent with (moment, db=...) for a moment that is not on a clip: the feature whose video it is (the
library, for a fragment) answers its `vib.coding.video.CodedVideo`, or None."""

clip_tools = _signals.signal("clip-tools")
"""Sent with (clip, viewer=...) on the coding page and the review screen: a receiver answers a
`vib.core.hooks.Section` (a tool such as "Propose for the library"), or None. The coding page includes
its template in the side panel, the review screen under its header; both load its `scripts` as ES
modules."""
