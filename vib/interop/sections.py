"""Exchanging data on the coding page and the review screen (coding.hooks.clip_tools): export links
per format for whoever sees the clip's moments, and the import form for whoever may code it."""

from __future__ import annotations

from flask import url_for

from vib.coding import hooks as coding_hooks
from vib.core import access
from vib.core.hooks import Section
from vib.interop import operations as ops


@coding_hooks.clip_tools.connect
def exchange_section(clip, viewer=None, **_) -> Section | None:
    if viewer is None or not access.may(viewer, "media", clip) or access.refusal(viewer, "media", clip):
        return None
    may_import = access.may(viewer, "code", clip) and access.refusal(viewer, "code", clip) is None
    return Section(
        "interop/_exchange_section.html",
        data={
            "exports": [(fmt, url_for("interop.export_clip", clip_id=clip.id, format=fmt)) for fmt in ops.FORMATS],
            "import_url": url_for("interop.import_moments", clip_id=clip.id) if may_import else None,
            "max_mb": ops.MAX_IMPORT_BYTES // (1024 * 1024),
        },
        scripts=("js/interop-import.js",) if may_import else (),
    )
