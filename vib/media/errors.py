"""The one exception media code raises for a file it cannot use."""


class MediaError(Exception):
    """A file that cannot be used as a clip.

    `reason` is a stable code (see REASONS) that the application turns into a translated message;
    `detail` is for logs only and may quote the decoder.
    """

    REASONS = (
        "empty",
        "not_video",
        "audio_only",
        "truncated",
        "undecodable",
        "too_short",
        "unsupported",
        "conversion_failed",
        "picture_too_large",
        "too_long",
        "too_many_pixels",
        "too_demanding",
        "detector_unavailable",  # the face model is not installed (vib.media.faces)
        "detector_failed",  # the face model did not load or run
    )

    def __init__(self, reason: str, detail: str = "", values: dict | None = None) -> None:
        if reason not in self.REASONS:
            raise ValueError(f"unknown media error reason {reason!r}")
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
        self.values = values or {}  # the figures a message about a limit names

    def __reduce__(self):  # media work runs in a child process: the error travels back whole
        return (MediaError, (self.reason, self.detail, self.values))
