"""Lists the user puts in an order (a collection's fragments, a meeting's items)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from flask_babel import lazy_gettext as _l

from vib.core.errors import FieldError


class Positioned(Protocol):
    position: int


def move(items: Sequence[Positioned], item: Positioned, position) -> None:
    """Put `item` (one of `items`) at `position` (0 = first; None = where it is), the others keeping
    their order; every item's position is renumbered from 0."""
    others = [i for i in sorted(items, key=lambda i: i.position) if i is not item]
    if position is None:
        position = item.position
    if not isinstance(position, int) or isinstance(position, bool) or not 0 <= position <= len(others):
        raise FieldError(_l("position is a whole number from 0 to %(n)d.", n=len(others)), "position")
    others.insert(position, item)
    renumber(others)


def renumber(items: Sequence[Positioned]) -> None:
    for index, item in enumerate(items):
        item.position = index
