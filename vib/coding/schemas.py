"""The JSON bodies the moments API takes (types only: vib.core.api.Body)."""

from __future__ import annotations

from vib.core.api import Body


class MomentFields(Body):
    start_ms: int | None = None
    end_ms: int | None = None
    code: str | None = None
    actor: str | None = None
    note: str | None = None
    tags: list[str] | None = None


class MomentChange(MomentFields):
    version: int | None = None


class ShortcutSettings(Body):
    single_keys: bool | None = None
    keys: dict[str, str] | None = None


class SuggestionAcceptance(Body):
    code: str | None = None
    actor: str | None = None


class VoiceRoles(Body):
    A: str | None = None
    B: str | None = None
