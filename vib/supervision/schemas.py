"""The JSON bodies the supervision API takes (types only: vib.core.api.Body)."""

from __future__ import annotations

from vib.core.api import Body


class ReviewRequestBody(Body):
    supervisor: str | int | None = None  # an e-mail address or a user id
    question: str | None = None


class FeedbackBody(Body):
    kind: str | None = None
    text: str | None = None
    moment_id: int | None = None
    start_ms: int | None = None
    end_ms: int | None = None


class AnswerBody(Body):
    feedback_id: int | None = None
    text: str | None = None
    next_goal: str | None = None
