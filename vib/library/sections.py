"""The library's part of the coding page and the review screen (coding.hooks.clip_tools): "Propose for
the library", for the clip's owner only."""

from __future__ import annotations

from flask import url_for

from vib.clips import operations as clip_ops
from vib.coding import hooks as coding_hooks
from vib.core import access, db
from vib.core.hooks import Section
from vib.library import operations as ops
from vib.schemes import catalogue as schemes


@coding_hooks.clip_tools.connect
def propose_section(clip, viewer=None, **_) -> Section | None:
    if viewer is None or not access.may(viewer, "own", clip):
        return None
    scheme = clip_ops.scheme_for_clip(db.session(), clip)
    return Section(
        "library/_propose_section.html",
        data={
            "propose_url": url_for("library.propose", clip_id=clip.id),
            "moments_url": url_for("coding.api_list_moments", clip_id=clip.id),
            "duration_ms": clip.duration_ms or 0,
            "refusal": ops.consent_refusal(clip.case, ops.TRAINING, may_see_case=True),
            "codes": [schemes.code_json(code) for code in scheme.codes],
            "min_ms": ops.MIN_FRAGMENT_MS,
            "max_ms": ops.MAX_FRAGMENT_MS,
        },
        scripts=("js/library-propose.js",),
    )
