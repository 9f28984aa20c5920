"""vib: Video Interaction Guidance for youth-care workers. The app factory is vib.app.create_app."""

from __future__ import annotations


def create_app(test_config: dict | None = None):
    """The Flask app (see vib.app)."""
    # Imported here, not at the top: importing any part of vib (the pure vib.media, say) runs this
    # file, and must not load Flask and every feature.
    from vib.app import create_app as build  # noqa: PLC0415

    return build(test_config)
