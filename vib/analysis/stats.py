"""Per-clip interaction figures computed from coded moments.

Pure functions over plain facts (standard library only). The figures are descriptive and
serve the worker's own analysis; they are never a score of the client.

Rules:

- An *initiative* is a moment with stats_role "initiative" whose actor is not "worker"
  (client, other participant or both), or any moment with stats_role "missed_initiative"
  (whatever its actor; it counts in the denominator and is never received).
- A *reception* is a moment with stats_role "reception" whose actor is "worker" or "both".
- An initiative is *received* when a reception starts in
  [initiative.start, (initiative.end or initiative.start) + window_ms], both ends inclusive.
  Matching is one-to-one: initiatives in time order (sorted by (start, end or start), stable
  by input order) each take the earliest unused reception in their window.
- Latency = reception.start - initiative.start; the median of all latencies is rounded to
  the nearest int (statistics.median, then round).
- initiatives_per_10min = initiatives / (duration_ms / 600000); None when duration_ms <= 0.
- by_code counts every moment, whatever its role; total_ms sums span durations (points add 0).
- 0 <= window_ms <= 60000, otherwise ValueError.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass

ACTORS = ("worker", "client", "other", "both")
DEFAULT_WINDOW_MS = 3000
MAX_WINDOW_MS = 60000
TEN_MINUTES_MS = 600_000

INITIATIVE = "initiative"
RECEPTION = "reception"
MISSED_INITIATIVE = "missed_initiative"
STRENGTH_TAG = "better_than_usual"
LEARNING_QUESTION_TAG = "learning_question"


@dataclass(frozen=True)
class MomentFacts:
    """What the stats need of one coded moment."""

    start_ms: int
    end_ms: int | None  # None for a point moment
    code: str
    actor: str  # one of ACTORS
    stats_role: str | None  # "initiative" | "reception" | "missed_initiative" | None
    tags: frozenset[str] = frozenset()


@dataclass(frozen=True)
class CodeCount:
    code: str
    actor: str
    count: int
    total_ms: int


@dataclass(frozen=True)
class ClipStats:
    by_code: list[CodeCount]
    initiatives: int
    received_initiatives: int
    reception_ratio: float | None
    initiatives_per_10min: float | None
    median_reception_latency_ms: int | None
    strength_moments: int
    learning_question_moments: int
    window_ms: int

    def as_dict(self) -> dict:
        return {
            "by_code": [{"code": c.code, "actor": c.actor, "count": c.count, "total_ms": c.total_ms} for c in self.by_code],
            "reception_ratio": _round(self.reception_ratio, 3),
            "initiatives_per_10min": _round(self.initiatives_per_10min, 2),
            "median_reception_latency_ms": self.median_reception_latency_ms,
            "strength_moments": self.strength_moments,
            "learning_question_moments": self.learning_question_moments,
            "initiatives": self.initiatives,
            "received_initiatives": self.received_initiatives,
            "window_ms": self.window_ms,
        }


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _last_ms(m: MomentFacts) -> int:
    """End of a span, start of a point."""
    return m.start_ms if m.end_ms is None else m.end_ms


def _is_initiative(m: MomentFacts) -> bool:
    return (m.stats_role == INITIATIVE and m.actor != "worker") or m.stats_role == MISSED_INITIATIVE


def _is_reception(m: MomentFacts) -> bool:
    return m.stats_role == RECEPTION and m.actor in ("worker", "both")


def _latencies(initiatives: list[MomentFacts], receptions: list[MomentFacts], window_ms: int) -> list[int]:
    """Match initiatives to receptions one-to-one in time order; return the latencies."""
    unused = list(receptions)  # sorted by start
    latencies = []
    for ini in initiatives:
        if ini.stats_role == MISSED_INITIATIVE:
            continue
        limit = _last_ms(ini) + window_ms
        for i, rec in enumerate(unused):
            if rec.start_ms > limit:
                break
            if rec.start_ms >= ini.start_ms:
                latencies.append(rec.start_ms - ini.start_ms)
                del unused[i]
                break
    return latencies


def _by_code(moments: list[MomentFacts]) -> list[CodeCount]:
    counts: dict[tuple[str, str], list[int]] = {}
    for m in moments:
        entry = counts.setdefault((m.code, m.actor), [0, 0])
        entry[0] += 1
        entry[1] += max(0, _last_ms(m) - m.start_ms)
    return [CodeCount(code, actor, n, ms) for (code, actor), (n, ms) in sorted(counts.items())]


def clip_stats(moments: Iterable[MomentFacts], duration_ms: int, window_ms: int = DEFAULT_WINDOW_MS) -> ClipStats:
    """Figures for one clip of duration_ms from its coded moments."""
    if not 0 <= window_ms <= MAX_WINDOW_MS:
        raise ValueError(f"window_ms must be between 0 and {MAX_WINDOW_MS} ms, got {window_ms}")
    ordered = sorted(moments, key=lambda m: (m.start_ms, _last_ms(m)))
    initiatives = [m for m in ordered if _is_initiative(m)]
    receptions = [m for m in ordered if _is_reception(m)]
    latencies = _latencies(initiatives, receptions, window_ms)

    n = len(initiatives)
    return ClipStats(
        by_code=_by_code(ordered),
        initiatives=n,
        received_initiatives=len(latencies),
        reception_ratio=len(latencies) / n if n else None,
        initiatives_per_10min=n / (duration_ms / TEN_MINUTES_MS) if duration_ms > 0 else None,
        median_reception_latency_ms=round(statistics.median(latencies)) if latencies else None,
        strength_moments=sum(STRENGTH_TAG in m.tags for m in ordered),
        learning_question_moments=sum(LEARNING_QUESTION_TAG in m.tags for m in ordered),
        window_ms=window_ms,
    )
