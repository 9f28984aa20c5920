"""The JSON bodies the cases API takes (types only: vib.core.api.Body)."""

from __future__ import annotations

from vib.core.api import Body


class NewCase(Body):
    code: str | None = None
    learning_question: str | None = None
    scheme: str | None = None


class Consent(Body):
    person: str | None = None
    role: str | None = None
    purposes: list[str] | None = None
    date: str | None = None


class Withdrawal(Body):
    person: str | None = None
    purposes: list[str] | None = None
    date: str | None = None


class Closing(Body):
    closed_on: str | None = None
