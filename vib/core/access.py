"""The door to the access rules: every view and operation asks here who may do what.

The rules themselves live in `vib/access.py`, above every feature (they read cases, clips, reviews,
...), one module to read. This door knows no feature: `vib/access.py` installs one policy per kind
of object when the app is made, and the questions below find the policy by the object's class.

A refusal for an object the user may not see is answered as "not found" (404), so nobody learns that
someone else's case or clip exists; a refusal for an object they may see but not use now (consent was
withdrawn) is a UserError with the reason (403).
"""

from __future__ import annotations

from typing import Any, Protocol

from flask import abort
from sqlalchemy import Select

from vib.core.db import session
from vib.core.errors import UserError


class Policy(Protocol):
    """The rules for one kind of object."""

    actions: tuple[str, ...]

    def may(self, user, action: str, obj) -> bool:
        """Whether `user` may do `action` to `obj` at all (otherwise it is "not found" for them)."""

    def refusal(self, user, action: str, obj) -> str | None:
        """Why `user` may not do `action` now although they may see `obj` (None: nothing stops it)."""

    def visible(self, user) -> Select:
        """A query for the objects of this kind that `user` may view."""

    def shown(self, user, objects: list) -> list:
        """Those of `objects` that `user` sees."""

    def role_on(self, user, obj) -> str:
        """The role in which `user` acts on `obj`, for the audit log."""


_policies: dict[type, Policy] = {}
_abilities: dict[str, Any] = {}  # what a user may do regardless of any object: "administer", ...


def install(policies: dict[type, Policy], abilities: dict[str, Any]) -> None:
    """Called once by the app factory with the rules of vib/access.py."""
    _policies.update(policies)
    _abilities.update(abilities)


def _policy(kind: type, action: str | None = None) -> Policy:
    policy = _policies.get(kind)
    if policy is None:
        raise LookupError(f"no access policy for {kind.__name__}")
    if action is not None and action not in policy.actions:
        raise ValueError(f"{action!r} is not an action on {kind.__name__}: {policy.actions}")
    return policy


def may(user, action: str, obj) -> bool:
    return user.is_authenticated and _policy(type(obj), action).may(user, action, obj)


def may_do(user, ability: str) -> bool:
    """What `user` may do regardless of any object ("administer", "create_case")."""
    if ability not in _abilities:
        raise ValueError(f"unknown ability {ability!r}")
    return user.is_authenticated and _abilities[ability](user)


def refusal(user, action: str, obj) -> str | None:
    return _policy(type(obj), action).refusal(user, action, obj)


def get_or_404(user, action: str, kind: type, object_id: int):
    """The object, when `user` may do `action` to it now: 404 when they may not (or it does not
    exist), 403 with the reason when only consent stops it."""
    obj = session().get(kind, object_id)
    if obj is None or not may(user, action, obj):
        abort(404)
    reason = refusal(user, action, obj)
    if reason:
        raise UserError(reason, status=403)
    return obj


def visible(user, kind: type) -> Select:
    return _policy(kind).visible(user)


def shown(user, kind: type, objects: list) -> list:
    return _policy(kind).shown(user, objects)


def role_on(user, obj) -> str:
    return _policy(type(obj)).role_on(user, obj)
