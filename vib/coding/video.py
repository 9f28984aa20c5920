"""What coding needs of the video a moment is coded on: a clip, or a higher feature's video (a library
fragment), which coding knows only through this value and the `coded_video` hook."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from flask import url_for
from sqlalchemy.orm import Session

from vib.clips import operations as clip_ops
from vib.clips.models import READY, Clip
from vib.coding import hooks
from vib.coding.models import Moment
from vib.core.hooks import answers
from vib.schemes.format import SchemeDefinition

CLIP, FRAGMENT = "clip", "fragment"
KINDS = (CLIP, FRAGMENT)


@dataclass(eq=False)
class CodedVideo:
    """A video coded with moments: `kind` and `id` say which one, and where its moments attach."""

    kind: str  # "clip" or "fragment"
    id: int
    duration_ms: int | None  # None: a clip not processed yet
    ready: bool  # playable and codable (a clip processed, a fragment rendered)
    load_scheme: Callable[[], SchemeDefinition]  # what new moments are coded with (looked up when needed)
    clip: Clip | None = None  # the clip itself, when kind is "clip"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind of video: {self.kind}")

    @cached_property
    def scheme(self) -> SchemeDefinition:
        return self.load_scheme()

    @property
    def column(self):
        """The moments' column that names this video (Moment.clip_id or Moment.fragment_id)."""
        return Moment.clip_id if self.kind == CLIP else Moment.fragment_id

    @property
    def attach(self) -> dict[str, int]:
        """The fields of a new moment that put it on this video."""
        return {f"{self.kind}_id": self.id}


def of_clip(db: Session, clip: Clip) -> CodedVideo:
    return CodedVideo(CLIP, clip.id, clip.duration_ms, clip.status == READY, lambda: clip_ops.scheme_for_clip(db, clip), clip)


def coded_video(db: Session, video: Clip | CodedVideo) -> CodedVideo:
    """The video of a clip, or the video itself."""
    return video if isinstance(video, CodedVideo) else of_clip(db, video)


def video_of(db: Session, moment: Moment) -> CodedVideo:
    """The video `moment` is coded on (a fragment's, as the library answers it)."""
    if moment.clip_id is not None:
        return of_clip(db, moment.clip)
    found = answers(hooks.moment_video, moment, db=db)
    if not found:
        raise LookupError(f"no feature answers the video of moment {moment.id}")
    return found[0]


def clip_page_video(clip: Clip) -> dict:
    """What the coding page (coding/code.html) shows of a clip: its title, size and the URLs of its media,
    frames and moments. A fragment's page gives the same keys (filmstrip_api is optional)."""
    return {
        "kind": CLIP,
        "id": clip.id,
        "title": clip.title,
        "duration_ms": clip.duration_ms or 0,
        "width": clip.width,
        "ready": clip.status == READY,
        "media_url": url_for("clips.api_media", clip_id=clip.id),
        "poster_url": url_for("clips.api_thumbnail", clip_id=clip.id, t=0, w=min(clip.width or 1280, 1280)),
        "frames_url": url_for("clips.api_frames", clip_id=clip.id),
        "moments_url": url_for("coding.api_list_moments", clip_id=clip.id),
        "filmstrip_api": url_for("clips.api_filmstrip", clip_id=clip.id),
        # The sound lanes and the suggestions (vib.coding.suggestions): a clip's only.
        "sound": {
            "envelope": url_for("coding_suggestions.api_envelope", clip_id=clip.id),
            "suggestions": url_for("coding_suggestions.api_list_suggestions", clip_id=clip.id),
            "voices": url_for("coding_suggestions.api_set_voices", clip_id=clip.id),
        },
    }
