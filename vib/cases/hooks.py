"""What higher features add to a case (cases import none of them)."""

from vib.core.hooks import Namespace

_signals = Namespace()

case_page_sections = _signals.signal("case-page-sections")
"""Sent with (case, user=...) when the case page is shown; a receiver answers a `Section` or None."""

consent_withdrawn = _signals.signal("consent-withdrawn")
"""Sent with (case, person=..., purposes=[...], by=user) once a withdrawal is recorded, in its
transaction: what depended on those purposes stops or goes (the privacy feature acts on it)."""
