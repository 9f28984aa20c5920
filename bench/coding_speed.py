"""Key presses to code the demo clip's moments frame-exactly, without and with the suggestions from the
sound (bench/coding_speed.md says how to read the figures).

The demo clip is made (vib.media.demo_clip), its sound analysed as the job does (vib.coding.suggestions
`listen`), and the demo's first coding (vib.demo.demo_moments) is the target. Counted, not timed: the
presses of a coder who knows where each moment is and takes the cheapest way there.

Without suggestions, from the frame on screen: Shift+←/→ per second and ←/→ per frame to the moment's
start, then the code key (a point), or Shift+code key, the way to the end, and the code key (a span).
With suggestions: N (and Shift+N) walk the open suggestions in order; a code key accepts one whose kind
fits (a speech span or a pause for a span, a turn for a point), and Alt+←/→ (a frame) and Alt+PageUp/
PageDown (a second) move its start and end to the moment's frames. Per moment the coder takes the
cheaper of the two ways.

    PYTHONPATH=. python bench/coding_speed.py
"""

from __future__ import annotations

import argparse
import bisect
import tempfile
from dataclasses import dataclass
from pathlib import Path

from vib.analysis import speech
from vib.clips.operations import frame_on_screen, span_on_frames
from vib.coding.suggestions import listen
from vib.demo import demo_moments
from vib.media.demo_clip import make_demo_clip
from vib.media.frames import frame_times_ms


@dataclass(frozen=True)
class Target:
    start_ms: int
    end_ms: int | None


def steps(times: list[int], from_ms: int, to_ms: int) -> int:
    """Presses from one frame to another: whole seconds (Shift+arrow), then single frames (arrow)."""
    a, b = bisect.bisect_left(times, from_ms), bisect.bisect_left(times, to_ms)  # the clip's end: after the last frame
    frames_per_second = max(1, round(1000 / (times[1] - times[0])))
    seconds, frames = divmod(abs(b - a), frames_per_second)
    if frames > frames_per_second // 2:  # a second too far, then frames back
        seconds, frames = seconds + 1, frames_per_second - frames
    return seconds + frames


def by_hand(times: list[int], at_ms: int, target: Target) -> int:
    presses = steps(times, at_ms, target.start_ms) + 1
    if target.end_ms is not None:
        presses += steps(times, target.start_ms, target.end_ms) + 1
    return presses


def adjust(times: list[int], suggested: Target, target: Target) -> int | None:
    """Alt+arrow presses that turn an accepted suggestion into the target, or None if its kind differs."""
    if (suggested.end_ms is None) != (target.end_ms is None):
        return None
    presses = steps(times, suggested.start_ms, target.start_ms)
    if target.end_ms is not None:
        presses += steps(times, suggested.end_ms, target.end_ms)
    return presses


def suggestion_targets(conversation: speech.Conversation, times: list[int], duration: int) -> list[Target]:
    """The suggestions in the order the coding page walks them, as the moments they would become."""
    rows = [(s.start_ms, 0, s.end_ms) for s in conversation.speech]
    rows += [(p.start_ms, 1, p.end_ms) for p in conversation.pauses]
    rows += [(t.at_ms, 2, None) for t in conversation.turns]
    return [Target(*span_on_frames(times, duration, start, end)) for start, _kind, end in sorted(rows, key=lambda r: (r[0], r[1]))]


def count(times: list[int], duration: int, targets: list[Target], suggestions: list[Target]) -> tuple[int, int, int]:
    """Presses without and with suggestions, and how many moments came from a suggestion."""
    plain = 0
    at = times[0]
    for target in targets:
        plain += by_hand(times, at, target)
        at = target.end_ms if target.end_ms is not None else target.start_ms
    # With suggestions: N goes from the frame on screen to the next open suggestion, one press each.
    helped, used, at = 0, 0, times[0]
    taken: set[int] = set()
    for target in targets:
        best, choice, walk = by_hand(times, at, target), None, 0
        for i, suggested in enumerate(suggestions):
            if i in taken or suggested.start_ms <= at:
                continue
            walk += 1
            fix = adjust(times, suggested, target)
            if fix is not None and walk + 1 + fix < best:  # N presses, the code key, Alt+arrows
                best, choice = walk + 1 + fix, i
        helped += best
        if choice is None:
            at = target.end_ms if target.end_ms is not None else target.start_ms
            continue
        used += 1
        taken.add(choice)
        # Alt+arrows on the end leave the video at the end; otherwise it stands at the start.
        moved_end = target.end_ms is not None and suggestions[choice].end_ms != target.end_ms
        at = target.end_ms if moved_end else target.start_ms
    return plain, helped, used


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "demo.mp4"
        make_demo_clip(path)
        times = frame_times_ms(str(path))
        _envelope, conversation = listen(str(path), speech.Settings())
    duration = times[-1] + (times[-1] - times[-2])
    targets = [Target(*span_on_frames(times, duration, m["start_ms"], m.get("end_ms"))) for m in demo_moments()]
    for target in targets:
        assert target.start_ms == frame_on_screen(times, target.start_ms)
    suggestions = suggestion_targets(conversation, times, duration)
    plain, helped, used = count(times, duration, targets, suggestions)
    print(f"demo clip: {len(times)} frames, {len(targets)} moments, {len(suggestions)} suggestions")
    print(f"  ({len(conversation.speech)} speech spans, {len(conversation.pauses)} pauses, {len(conversation.turns)} turns)")
    print(f"key presses without suggestions: {plain}")
    print(f"key presses with suggestions:    {helped}  ({used} of {len(targets)} moments from a suggestion)")
    print(f"ratio: {helped / plain:.2f}")


if __name__ == "__main__":
    main()
