"""How far a worker's coding of a clip agrees with the trainer's (pure, standard library only).

Two codings of the same video: the *reference* (the trainer's) and the *attempt* (a worker's).

Event matching (`match`):

- A reference moment and an attempt moment *match* when they have the same code and the same actor
  and their starts differ by at most tolerance_ms (both ends inclusive). Ends are not compared.
- Matching is one-to-one and optimal per (code, actor): first as many pairs as possible, then the
  smallest total |start difference|. (Greedy in time order can pair the wrong two and lose a match.)
- precision = matched / attempt, None when the attempt has no such moment (nothing was claimed);
  recall = matched / reference, None when the reference has none (nothing to find);
  F1 = 2 * matched / (reference + attempt), which is the harmonic mean of the two when both exist,
  0.0 when only one side has moments (all of them are errors), None when neither has any.
- The overall figures add up every (code, actor) (micro average).

Agreement on a time grid (`grid_kappa`):

- [0, duration_ms) is cut into cells of grid_ms (the last one may be shorter). A span [start, end)
  covers every cell it overlaps; a point moment (end None, or end <= start) covers the cell it falls
  in. When several moments cover a cell, the one that started last labels it (a point inside a long
  span is the more specific remark), ties going to the later one in the input; no moment -> "none".
- A label is "code/actor". Cohen's kappa = (observed - expected) / (1 - expected).

Plain words (`remarks`): which sentence fits each code, as a key and counts; the page translates.
`kappa_strength` names a kappa's band in the words of Landis and Koch (1977): below 0 poor, up to
0.20 slight, 0.40 fair, 0.60 moderate, 0.80 substantial, above almost perfect (upper ends inclusive,
on the kappa rounded to two decimals as the page shows it).
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass

DEFAULT_TOLERANCE_MS = 1000
DEFAULT_GRID_MS = 500
NONE_LABEL = "none"


@dataclass(frozen=True)
class CodedMoment:
    """What the comparison needs of one coded moment."""

    start_ms: int
    end_ms: int | None  # None for a point moment
    code: str
    actor: str  # "worker", "client", "other", "both"


# --- event matching ------------------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    """Counts for one code (actor None: all actors together), one (code, actor), or all (both None)."""

    code: str | None
    actor: str | None
    reference: int  # moments the trainer marked
    attempt: int  # moments the worker marked
    matched: int

    @property
    def missed(self) -> int:
        return self.reference - self.matched

    @property
    def extra(self) -> int:
        return self.attempt - self.matched

    @property
    def precision(self) -> float | None:
        return self.matched / self.attempt if self.attempt else None

    @property
    def recall(self) -> float | None:
        return self.matched / self.reference if self.reference else None

    @property
    def f1(self) -> float | None:
        total = self.reference + self.attempt
        return 2 * self.matched / total if total else None

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "actor": self.actor,
            "reference": self.reference,
            "attempt": self.attempt,
            "matched": self.matched,
            "missed": self.missed,
            "extra": self.extra,
            "precision": _round(self.precision),
            "recall": _round(self.recall),
            "f1": _round(self.f1),
        }


@dataclass(frozen=True)
class Pair:
    reference_index: int  # index into the reference list as given
    attempt_index: int  # index into the attempt list as given
    offset_ms: int  # attempt start - reference start: positive when the worker marked it later


@dataclass(frozen=True)
class Matching:
    tolerance_ms: int
    pairs: tuple[Pair, ...]  # sorted by reference_index
    misses: tuple[int, ...]  # reference indices without a partner, ascending
    extras: tuple[int, ...]  # attempt indices without a partner, ascending
    by_code: tuple[Tally, ...]  # one per code, actor None, sorted by code
    by_code_and_actor: tuple[Tally, ...]  # one per (code, actor), sorted
    overall: Tally  # code and actor None

    def as_dict(self) -> dict:
        return {
            "tolerance_ms": self.tolerance_ms,
            "pairs": [{"reference": p.reference_index, "attempt": p.attempt_index, "offset_ms": p.offset_ms} for p in self.pairs],
            "misses": list(self.misses),
            "extras": list(self.extras),
            "by_code": [t.as_dict() for t in self.by_code],
            "by_code_and_actor": [t.as_dict() for t in self.by_code_and_actor],
            "overall": self.overall.as_dict(),
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _match_group(ref: list[tuple[int, int]], att: list[tuple[int, int]], tolerance_ms: int) -> list[tuple[int, int]]:
    """Optimal one-to-one pairs of (start_ms, index) lists sorted by start; returns index pairs.

    Some optimal matching never crosses (if r1 <= r2 were paired with a1 > a2, swapping partners keeps
    both pairs within tolerance and does not raise the total |difference|), so a dynamic programme over
    prefixes finds it, like an edit distance: V(i, j) is the best for ref[:i] against att[:j].
    V(i, j) = V(i, hi_i) for j > hi_i and V(i - 1, j) for j <= lo_i, where att[lo_i:hi_i] are the
    partners within tolerance of ref[i - 1]; so each row keeps only that band. Time and memory are
    O(n + m + number of pairs within tolerance): linear for moments spread over a clip, n * m at worst
    (every moment of the group within tolerance of every other).
    """
    n, m = len(ref), len(att)
    if not n or not m:
        return []
    # One number per value, exact in ints: more matches always beats any saving in time difference.
    weight = min(n, m) * tolerance_ms + 1
    att_starts = [s for s, _ in att]
    # Per row i (1..n): lo, values for j = lo..hi, and the move chosen (0 up, 1 left, 2 diagonal).
    los, values, moves = [0], [[0]], [[0]]
    lo = hi = 0
    for i in range(1, n + 1):
        r = ref[i - 1][0]
        while lo < m and att_starts[lo] < r - tolerance_ms:
            lo += 1
        hi = max(hi, lo)
        while hi < m and att_starts[hi] <= r + tolerance_ms:
            hi += 1
        prev_lo, prev = los[-1], values[-1]
        prev_last = len(prev) - 1

        def above(j: int, prev_lo: int = prev_lo, prev: list[int] = prev, prev_last: int = prev_last) -> int:
            return prev[min(j - prev_lo, prev_last)]

        row = [above(lo)]
        row_moves = [0]
        for j in range(lo + 1, hi + 1):
            best, move = above(j), 0
            if row[-1] > best:
                best, move = row[-1], 1
            diagonal = above(j - 1) + weight - abs(att_starts[j - 1] - r)
            if diagonal > best:
                best, move = diagonal, 2
            row.append(best)
            row_moves.append(move)
        los.append(lo)
        values.append(row)
        moves.append(row_moves)

    pairs = []
    i, j = n, m
    while i > 0 and j > 0:
        lo, last = los[i], los[i] + len(values[i]) - 1
        if j > last:
            j = last  # att[last:j] has no partner in ref[:i]
            continue
        move = moves[i][j - lo] if j > lo else 0
        if move == 2:
            pairs.append((ref[i - 1][1], att[j - 1][1]))
            i, j = i - 1, j - 1
        elif move == 1:
            j -= 1
        else:
            i -= 1
    return pairs


def _groups(moments: Sequence[CodedMoment]) -> dict[tuple[str, str], list[tuple[int, int]]]:
    groups: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for index, m in enumerate(moments):
        groups.setdefault((m.code, m.actor), []).append((m.start_ms, index))
    for group in groups.values():
        group.sort()
    return groups


def match(reference: Sequence[CodedMoment], attempt: Sequence[CodedMoment], tolerance_ms: int = DEFAULT_TOLERANCE_MS) -> Matching:
    """Pair the attempt's moments with the reference's (see the module's rules)."""
    if tolerance_ms < 0:
        raise ValueError(f"tolerance_ms must be 0 or more, got {tolerance_ms}")
    ref_groups, att_groups = _groups(reference), _groups(attempt)
    pairs: list[Pair] = []
    by_code_and_actor = []
    for key in sorted(ref_groups.keys() | att_groups.keys()):
        ref, att = ref_groups.get(key, []), att_groups.get(key, [])
        group_pairs = _match_group(ref, att, tolerance_ms)
        pairs += (Pair(r, a, attempt[a].start_ms - reference[r].start_ms) for r, a in group_pairs)
        by_code_and_actor.append(Tally(key[0], key[1], len(ref), len(att), len(group_pairs)))

    by_code: dict[str, Tally] = {}
    for t in by_code_and_actor:
        old = by_code.get(t.code) or Tally(t.code, None, 0, 0, 0)
        by_code[t.code] = Tally(t.code, None, old.reference + t.reference, old.attempt + t.attempt, old.matched + t.matched)

    pairs.sort(key=lambda p: p.reference_index)
    matched_ref = {p.reference_index for p in pairs}
    matched_att = {p.attempt_index for p in pairs}
    return Matching(
        tolerance_ms=tolerance_ms,
        pairs=tuple(pairs),
        misses=tuple(i for i in range(len(reference)) if i not in matched_ref),
        extras=tuple(i for i in range(len(attempt)) if i not in matched_att),
        by_code=tuple(by_code[code] for code in sorted(by_code)),
        by_code_and_actor=tuple(by_code_and_actor),
        overall=Tally(None, None, len(reference), len(attempt), len(pairs)),
    )


# --- Cohen's kappa on a time grid ----------------------------------------------------------


@dataclass(frozen=True)
class GridAgreement:
    grid_ms: int
    labels: tuple[str, ...]  # NONE_LABEL first, then the others sorted
    confusion: tuple[tuple[int, ...], ...]  # [reference label][attempt label], in the order of labels
    observed: float  # share of cells with the same label
    expected: float  # share expected by chance from each coding's own label shares
    kappa: float
    reference_cells: tuple[str, ...]  # the label of every cell
    attempt_cells: tuple[str, ...]

    def as_dict(self) -> dict:
        return {
            "grid_ms": self.grid_ms,
            "labels": list(self.labels),
            "confusion": [list(row) for row in self.confusion],
            "observed": round(self.observed, 3),
            "expected": round(self.expected, 3),
            "kappa": round(self.kappa, 3),
        }


def label(moment: CodedMoment) -> str:
    return f"{moment.code}/{moment.actor}"


def grid_labels(moments: Sequence[CodedMoment], duration_ms: int, grid_ms: int = DEFAULT_GRID_MS) -> list[str]:
    """The label of every cell of [0, duration_ms): the covering moment that started last, else "none".

    A sweep over the cells with a heap of the moments covering them (the latest start on top; those
    already ended leave when they reach the top): O((cells + moments) log moments), however long the spans.
    """
    if grid_ms <= 0:
        raise ValueError(f"grid_ms must be more than 0, got {grid_ms}")
    if duration_ms <= 0:
        raise ValueError(f"duration_ms must be more than 0, got {duration_ms}")
    cells = -(-duration_ms // grid_ms)
    covering = []  # (first cell, last cell, start, index), only for moments inside the clip
    for index, m in enumerate(moments):
        end = m.end_ms if m.end_ms is not None and m.end_ms > m.start_ms else m.start_ms + 1
        first, last = max(0, m.start_ms) // grid_ms, min(end - 1, duration_ms - 1) // grid_ms
        if end > 0 and m.start_ms < duration_ms:
            covering.append((first, last, m.start_ms, index))
    covering.sort()

    result, active, next_moment = [], [], 0
    for cell in range(cells):
        while next_moment < len(covering) and covering[next_moment][0] == cell:
            first, last, start, index = covering[next_moment]
            heapq.heappush(active, (-start, -index, last))
            next_moment += 1
        while active and active[0][2] < cell:
            heapq.heappop(active)
        result.append(label(moments[-active[0][1]]) if active else NONE_LABEL)
    return result


def grid_kappa(
    reference: Sequence[CodedMoment], attempt: Sequence[CodedMoment], duration_ms: int, grid_ms: int = DEFAULT_GRID_MS
) -> GridAgreement:
    """Cohen's kappa between the two codings' cell labels (see the module's rules)."""
    ref_cells, att_cells = grid_labels(reference, duration_ms, grid_ms), grid_labels(attempt, duration_ms, grid_ms)
    labels = [NONE_LABEL] + sorted((set(ref_cells) | set(att_cells)) - {NONE_LABEL})
    position = {name: i for i, name in enumerate(labels)}
    confusion = [[0] * len(labels) for _ in labels]
    for r, a in zip(ref_cells, att_cells, strict=True):
        confusion[position[r]][position[a]] += 1

    n = len(ref_cells)
    agreeing = sum(confusion[k][k] for k in range(len(labels)))
    # In whole numbers, so that "expected is exactly 1" is an exact test.
    chance = sum(sum(confusion[k]) * sum(row[k] for row in confusion) for k in range(len(labels)))
    observed, expected = agreeing / n, chance / (n * n)
    if chance == n * n:
        # Both codings give every cell one and the same label (both left the clip empty, say), so the
        # cells agree all through (observed is 1 too) and chance has nothing to correct: full agreement,
        # rather than an undefined figure on the page. (sklearn answers nan here.)
        kappa = 1.0
    else:
        kappa = (agreeing * n - chance) / (n * n - chance)
    return GridAgreement(
        grid_ms=grid_ms,
        labels=tuple(labels),
        confusion=tuple(tuple(row) for row in confusion),
        observed=observed,
        expected=expected,
        kappa=kappa,
        reference_cells=tuple(ref_cells),
        attempt_cells=tuple(att_cells),
    )


# --- plain words ---------------------------------------------------------------------------

# The sentence keys; the page holds the translated text. English, for tests and the shell:
ENGLISH = {
    "found_all": "You found all {of} {code} moments the trainer marked.",
    "found_some": "You found {count} of the {of} {code} moments the trainer marked.",
    "found_none": "You found none of the {of} {code} moments the trainer marked.",
    "extra": "You marked {count} more {code} moments that the trainer did not mark.",
}


@dataclass(frozen=True)
class Remark:
    key: str  # one of ENGLISH's keys
    code: str
    actor: str | None  # None when the remark is about every actor of the code
    count: int  # found, or extra
    of: int  # what the trainer marked (0 for "extra")

    def in_english(self) -> str:
        return ENGLISH[self.key].format(count=self.count, of=self.of, code=self.code)


def remarks(tallies: Sequence[Tally]) -> list[Remark]:
    """What to tell the worker per code: what they found of the trainer's moments, then any extras."""
    said = []
    for t in tallies:
        if t.code is None:
            continue
        if t.reference:
            key = "found_all" if t.matched == t.reference else "found_some" if t.matched else "found_none"
            said.append(Remark(key, t.code, t.actor, t.matched, t.reference))
        if t.extra:
            said.append(Remark("extra", t.code, t.actor, t.extra, 0))
    return said


# Landis and Koch's bands, by their upper end (inclusive); above the last: "almost_perfect".
KAPPA_BANDS = ((0.20, "slight"), (0.40, "fair"), (0.60, "moderate"), (0.80, "substantial"))


def kappa_strength(kappa: float) -> str:
    """The band a kappa falls in, as a key (the page translates): poor, slight, fair, moderate,
    substantial or almost_perfect."""
    shown = round(kappa, 2)
    if shown < 0:
        return "poor"
    return next((name for upper, name in KAPPA_BANDS if shown <= upper), "almost_perfect")
