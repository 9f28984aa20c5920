"""How a lower feature learns of higher ones without importing them: blinker signals.

A lower feature declares a signal in its `hooks.py` ("the clip page is being shown"); a higher
feature connects a receiver when it is imported (the app factory imports every feature), and the
lower one collects the answers. Receivers run in connection order, in the same request and
transaction as the sender.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from blinker import Namespace, Signal

__all__ = ["Namespace", "Section", "answers"]


def answers(signal: Signal, sender, **kwargs) -> list:
    """What the receivers of `signal` answered (None means: nothing to add)."""
    return [value for _receiver, value in signal.send(sender, **kwargs) if value is not None]


@dataclass
class Section:
    """A part of another feature's page: a template included there, with its own data and scripts."""

    template: str
    data: dict = field(default_factory=dict)
    scripts: tuple[str, ...] = ()  # static ES modules the section needs (paths below static/)
