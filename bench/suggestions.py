"""Benchmark: suggested moments from the sound (vib.analysis.speech) against a conversation with known truth.

Builds a conversation of --minutes with bench/make_conversation.py (espeak-ng, two voices, room noise at
--snr dB; cached in bench/.cache/), or takes --audio/--truth, runs the analysis and prints:

  turns      boundary precision/recall: a found turn matches a true turn start within 250 ms
             (one to one, nearest first), whatever its reason
  pauses     precision/recall/F1: a found pause matches a true one when they overlap by at least half
             of their union (intersection over union >= 0.5)
  voices     attribution accuracy per ms: of the ms where exactly one true voice speaks and the
             analysis names a voice, the share where it names the same one (A is the voice heard first
             on both sides, so no mapping is searched); coverage is the share of such ms that got a voice
  overlap    each true overlap found or not (a found overlap within 500 ms of it)
  speed      seconds of analysis per minute of audio, decoding included (median of --repeat runs; the
             model's loading, once per process, reported apart)

With --webrtc, webrtcvad (pip install webrtcvad-wheels) replaces Silero for the speech/silence step on
the same audio, for comparison.

    PYTHONPATH=. python bench/suggestions.py [--minutes 4] [--seed 1] [--snr 18] [--repeat 3] [--webrtc] [--voice-b nl+m1,40,160]
    PYTHONPATH=. python bench/suggestions.py --audio tests/data/conversation.ogg --truth tests/data/conversation.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_conversation import make, random_script, voices_with  # noqa: E402

from vib.analysis import speech  # noqa: E402
from vib.media.audio import SAMPLE_RATE, read_speech_audio  # noqa: E402

CACHE = Path(__file__).resolve().parent / ".cache"
TOLERANCE_MS = 250


def match_times(found: list[int], true: list[int], tolerance: int = TOLERANCE_MS) -> int:
    """How many found times pair one to one with true ones within tolerance (closest pairs first)."""
    pairs = sorted((abs(f - t), i, j) for i, f in enumerate(found) for j, t in enumerate(true) if abs(f - t) <= tolerance)
    used_f, used_t, matched = set(), set(), 0
    for _d, i, j in pairs:
        if i not in used_f and j not in used_t:
            used_f.add(i)
            used_t.add(j)
            matched += 1
    return matched


def iou(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union else 0.0


def ratio(a: int, b: int) -> float | None:
    return a / b if b else None


def evaluate(conversation: speech.Conversation, truth: dict, duration_ms: int) -> dict:
    true_turns = [t["at_ms"] for t in truth["turns"]]
    found_turns = [t.at_ms for t in conversation.turns]
    hits = match_times(found_turns, true_turns)
    true_pauses = [(p["start_ms"], p["end_ms"]) for p in truth["pauses"]]
    found_pauses = [(p.start_ms, p.end_ms) for p in conversation.pauses]
    pause_hits = sum(1 for f in found_pauses if any(iou(f, t) >= 0.5 for t in true_pauses))
    pause_found = sum(1 for t in true_pauses if any(iou(f, t) >= 0.5 for f in found_pauses))
    step = 10
    cells = duration_ms // step + 1
    true_grid = np.zeros((cells, 2), dtype=bool)
    for span in truth["speech"]:
        true_grid[span["start_ms"] // step : span["end_ms"] // step, "AB".index(span["voice"])] = True
    found_grid = np.full(cells, -1)
    for span in conversation.speech:
        if span.voice is not None:
            found_grid[span.start_ms // step : span.end_ms // step] = "AB".index(span.voice)
    single = true_grid.sum(axis=1) == 1
    true_voice = true_grid.argmax(axis=1)
    named = single & (found_grid >= 0)
    accuracy = float(np.mean(found_grid[named] == true_voice[named])) if named.any() else None
    overlaps_found = [
        any(o[0] - 500 <= t["end_ms"] and t["start_ms"] <= o[1] + 500 for o in conversation.overlaps) for t in truth["overlaps"]
    ]
    precision = ratio(pause_hits, len(found_pauses))
    recall = ratio(pause_found, len(true_pauses))
    f1 = 2 * precision * recall / (precision + recall) if precision and recall else 0.0
    by_reason = {}
    for reason in ("after_pause", "voice_change"):
        true_r = [t["at_ms"] for t in truth["turns"] if t["reason"] == reason]
        by_reason[reason] = (match_times(found_turns, true_r), len(true_r))
    return {
        "turns_true": len(true_turns),
        "turns_found": len(found_turns),
        "turn_precision": ratio(hits, len(found_turns)),
        "turn_recall": ratio(hits, len(true_turns)),
        "turn_recall_by_reason": by_reason,
        "pauses_true": len(true_pauses),
        "pauses_found": len(found_pauses),
        "pause_precision": precision,
        "pause_recall": recall,
        "pause_f1": f1,
        "voice_accuracy": accuracy,
        "voice_coverage": float(named.sum() / single.sum()) if single.any() else None,
        "overlaps_true": len(truth["overlaps"]),
        "overlaps_found": len(conversation.overlaps),
        "true_overlaps_found": overlaps_found,
        "voices": conversation.voices,
    }


def webrtc_probabilities(samples: np.ndarray, aggressiveness: int = 3) -> np.ndarray:
    """webrtcvad's speech/not-speech per 32 ms chunk (the share of its three 10 ms frames... rounded
    to the chunk grid), so that the rest of the analysis is unchanged."""
    import webrtcvad  # noqa: PLC0415 - optional, for the comparison only

    vad = webrtcvad.Vad(aggressiveness)
    pcm = (np.clip(samples, -1, 1) * 32767).astype(np.int16)
    frame = SAMPLE_RATE // 100
    flags = np.array([vad.is_speech(pcm[i : i + frame].tobytes(), SAMPLE_RATE) for i in range(0, len(pcm) - frame + 1, frame)], dtype=float)
    times = np.arange(len(flags)) * 10
    count = -(-len(samples) // speech.CHUNK)
    chunk_index = np.minimum(times // speech.CHUNK_MS, count - 1)
    sums = np.bincount(chunk_index, weights=flags, minlength=count)
    counts = np.maximum(np.bincount(chunk_index, minlength=count), 1)
    return (sums / counts).astype(np.float32)


def show(name: str, figures: dict) -> None:
    def f(x):
        return "-" if x is None else f"{x:.2f}"

    print(f"\n{name}")
    print(
        f"  turns   {figures['turns_found']} found / {figures['turns_true']} true: precision {f(figures['turn_precision'])}, "
        f"recall {f(figures['turn_recall'])} (within {TOLERANCE_MS} ms); by reason (hits/true): {figures['turn_recall_by_reason']}"
    )
    print(
        f"  pauses  {figures['pauses_found']} found / {figures['pauses_true']} true: precision {f(figures['pause_precision'])}, "
        f"recall {f(figures['pause_recall'])}, F1 {f(figures['pause_f1'])}"
    )
    print(
        f"  voices  {figures['voices']} voices; attribution accuracy {f(figures['voice_accuracy'])} per ms (coverage {f(figures['voice_coverage'])})"
    )
    print(f"  overlap {figures['overlaps_found']} found; true overlaps found: {figures['true_overlaps_found']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=4.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--snr", type=float, default=18.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--audio", type=Path)
    parser.add_argument("--truth", type=Path)
    parser.add_argument("--webrtc", action="store_true")
    parser.add_argument("--voice-b", help="B's espeak-ng voice as NAME,PITCH,SPEED (default nl+f4,85,175): try voices nearer A's")
    args = parser.parse_args()
    if args.audio:
        audio, truth = args.audio, json.loads(args.truth.read_text())
    else:
        CACHE.mkdir(exist_ok=True)
        other = "-" + args.voice_b.replace(",", "_").replace("+", "") if args.voice_b else ""
        audio = CACHE / f"conversation-{args.minutes}m-s{args.seed}-snr{args.snr}{other}.ogg"
        truth_path = audio.with_suffix(".json")
        if not audio.exists() or not truth_path.exists():
            make(audio, truth_path, random_script(args.minutes, args.seed), args.snr, args.seed, voices_with(args.voice_b))
        truth = json.loads(truth_path.read_text())
    started = time.perf_counter()
    speech._vad_session()
    loading = time.perf_counter() - started
    times, conversation, samples = [], None, None
    for _ in range(args.repeat):
        started = time.perf_counter()
        samples = read_speech_audio(audio)
        conversation = speech.analyse(samples)
        times.append(time.perf_counter() - started)
    minutes = len(samples) / SAMPLE_RATE / 60
    print(f"{audio}: {minutes * 60:.1f} s of audio, SNR {truth.get('snr_db')} dB")
    print(f"model loading {loading:.2f} s (once per process)")
    print(f"analysis {statistics.median(times) / minutes:.2f} s per minute of audio (median of {args.repeat}, decoding included)")
    show("Silero VAD", evaluate(conversation, truth, len(samples) * 1000 // SAMPLE_RATE))
    if args.webrtc:
        original = speech.speech_probabilities
        speech.speech_probabilities = webrtc_probabilities
        try:
            started = time.perf_counter()
            other = speech.analyse(samples)
            took = time.perf_counter() - started
        finally:
            speech.speech_probabilities = original
        print(f"\nwebrtcvad analysis {took / minutes:.2f} s per minute (decoding excluded)")
        show("webrtcvad (aggressiveness 3)", evaluate(other, truth, len(samples) * 1000 // SAMPLE_RATE))


if __name__ == "__main__":
    main()
