"""A synthetic two-person conversation with known truth, for the speech analysis (vib.analysis.speech).

Two espeak-ng voices that differ as a worker and a young client might: a low, slower male Dutch voice
("A", speaks first) and a high, quicker female one ("B"). Utterances follow a script of gaps: long
silences (>= 1.5 s: pauses), short ones (< 1.5 s: not pauses, whether the voice changes or not), a
speaker going on after a short breath, and one overlap where B starts before A has finished. The mix
gets brown-ish room noise at a set signal-to-noise ratio (speech RMS over noise RMS, speech measured
where someone speaks).

The truth JSON holds, in ms from the start:
  speech    every utterance [start, end) with its voice, as heard (espeak's own lead-in and tail
            silence trimmed at -40 dB below the utterance's peak, 10 ms frames)
  pauses    silences between speech of at least min_pause_ms, with the voice before and after
  turns     where a turn starts: after a pause ("after_pause") or where the voice changes with less
            silence than a pause between ("voice_change")
  overlaps  the stretches where both voices sound

    PYTHONPATH=. python bench/make_conversation.py out.ogg out.json [--minutes 4] [--seed 1] [--snr 18]
    PYTHONPATH=. python bench/make_conversation.py tests/data/conversation.ogg tests/data/conversation.json --short

Needs espeak-ng on PATH. The tests use the committed short one and never call espeak-ng.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import soxr

RATE = 16000
MIN_PAUSE_MS = 1500
# espeak-ng voice, pitch (0-99) and words per minute for each voice.
VOICES = {"A": ("nl+m3", 22, 145), "B": ("nl+f4", 85, 175)}
LOUDNESS_DB = {"A": 0.0, "B": -3.0}  # the client sits further from the camera
SENTENCES = {
    "A": [
        "Hoe was het vandaag op school?",
        "Dat klinkt als een drukke dag.",
        "Wat hebben jullie toen gedaan?",
        "Ik zie dat je daar goed over nadenkt.",
        "Zullen we samen kijken wat er gebeurde?",
        "Kijk, hier wacht je even op haar.",
        "Wat voelde je op dat moment?",
        "Dat heb je heel mooi gezegd.",
        "En wat deed je moeder toen?",
        "Vertel eens wat meer over je vriendin.",
        "Daar wil ik graag meer over weten.",
        "Je keek heel blij op dat moment.",
    ],
    "B": [
        "Ik heb met Sara gespeeld.",
        "We gingen naar de speeltuin en daarna naar huis.",
        "Ja, dat was echt heel leuk.",
        "Ik weet het niet zo goed.",
        "Mama zei dat ik moest opruimen.",
        "Toen ging ik tekenen op mijn kamer.",
        "Nee, de juf was er niet.",
        "Ik vond het een beetje spannend.",
        "We hebben een hut gebouwd van dozen.",
        "Mag ik nu buiten spelen?",
        "Sara is mijn beste vriendin.",
        "Ik wilde eerst niet, maar toen wel.",
    ],
}


@dataclass(frozen=True)
class Line:
    """One utterance: who speaks, what, and the silence before it (negative: it starts that early)."""

    voice: str
    text: str
    gap_s: float


# The short conversation for the tests (~35 s): every kind of gap once or more.
SHORT_SCRIPT = [
    Line("A", "Hoe was het vandaag op school?", 0.8),
    Line("B", "Ik heb met Sara gespeeld.", 0.6),  # a quick answer: a voice change, no pause
    Line("A", "Wat hebben jullie toen gedaan?", 2.2),  # a pause, then the other voice
    Line("B", "We gingen naar de speeltuin en daarna naar huis.", 1.8),
    Line("B", "Ja, dat was echt heel leuk.", 0.5),  # the same voice goes on after a breath: no turn
    Line("A", "Dat klinkt als een drukke dag.", 1.0),
    Line("B", "Ik weet het niet zo goed.", -0.6),  # B starts before A has finished: an overlap
    Line("A", "Zullen we samen kijken wat er gebeurde?", 2.6),
    Line("A", "Kijk, hier wacht je even op haar.", 1.7),  # a pause with the same voice on both sides
    Line("B", "Toen ging ik tekenen op mijn kamer.", 1.2),
    Line("A", "Wat voelde je op dat moment?", 3.0),
    Line("B", "Ik vond het een beetje spannend.", 0.4),
]


def random_script(minutes: float, seed: int) -> list[Line]:
    """Alternating turns with a realistic mix of gaps, a few same-voice continuations and overlaps."""
    rng = random.Random(seed)
    lines, voice, heard = [], "A", 0.0
    while heard < minutes * 60:
        kind = rng.random()
        if not lines:
            gap = 0.8
        elif kind < 0.35:
            gap = rng.uniform(1.7, 4.0)  # a pause
        elif kind < 0.45 and lines[-1].voice != voice:
            gap = -rng.uniform(0.4, 0.9)  # the other starts before the first has finished
        else:
            gap = rng.uniform(0.25, 1.2)  # a quick answer
        lines.append(Line(voice, rng.choice(SENTENCES[voice]), gap))
        heard += max(gap, 0) + 2.2
        if rng.random() < 0.2:  # the same voice goes on after a breath
            lines.append(Line(voice, rng.choice(SENTENCES[voice]), rng.uniform(0.3, 0.9)))
            heard += 2.2
        voice = "B" if voice == "A" else "A"
    return lines


def speak(voice: str, text: str, voices: dict | None = None) -> np.ndarray:
    """espeak-ng's utterance at 16 kHz, its silent lead-in and tail trimmed."""
    name, pitch, speed = (voices or VOICES)[voice]
    with tempfile.NamedTemporaryFile(suffix=".wav") as temp:
        subprocess.run(["espeak-ng", "-v", name, "-p", str(pitch), "-s", str(speed), "-w", temp.name, text], check=True)
        with wave.open(temp.name) as w:
            rate = w.getframerate()
            samples = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float32) / 32768
    samples = soxr.resample(samples, rate, RATE)
    frame = RATE // 100
    count = len(samples) // frame
    level = np.sqrt((samples[: count * frame].reshape(count, frame) ** 2).mean(axis=1))
    loud = np.flatnonzero(level > level.max() * 10 ** (-40 / 20))
    return samples[loud[0] * frame : (loud[-1] + 1) * frame]


def brown_noise(count: int, rng: np.random.Generator) -> np.ndarray:
    """Room rumble: white noise integrated (brown), leaky so it stays put, plus a little white hiss."""
    white = rng.standard_normal(count)
    spectrum = np.fft.rfft(white)
    freqs = np.fft.rfftfreq(count, 1 / RATE)
    spectrum /= np.maximum(freqs, 40.0) ** 0.75  # between pink (0.5) and brown (1)
    noise = np.fft.irfft(spectrum, count)
    noise = noise / noise.std() + 0.1 * rng.standard_normal(count)
    return (noise / noise.std()).astype(np.float32)


def build(script: list[Line], snr_db: float, seed: int, voices: dict | None = None) -> tuple[np.ndarray, dict]:
    rng = np.random.default_rng(seed)
    placed, t = [], 0
    for line in script:
        audio = speak(line.voice, line.text, voices) * 10 ** (LOUDNESS_DB[line.voice] / 20)
        start = max(0, t + round(line.gap_s * RATE))
        placed.append((line, start, audio))
        t = max(t, start + len(audio))
    total = t + RATE  # a second of room at the end
    speech = np.zeros(total, dtype=np.float32)
    for _line, start, audio in placed:
        speech[start : start + len(audio)] += audio
    speaking = np.zeros(total, dtype=bool)
    for _line, start, audio in placed:
        speaking[start : start + len(audio)] = True
    speech_rms = np.sqrt(np.mean(speech[speaking] ** 2))
    noise = brown_noise(total, rng) * speech_rms * 10 ** (-snr_db / 20)
    mix = speech + noise
    mix *= 0.5 / np.max(np.abs(mix))
    return mix.astype(np.float32), truth(placed)


def ms(samples: int) -> int:
    return round(samples * 1000 / RATE)


def truth(placed) -> dict:
    spans = [
        {"voice": line.voice, "start_ms": ms(start), "end_ms": ms(start + len(audio)), "text": line.text} for line, start, audio in placed
    ]
    pauses, turns, overlaps = [], [], []
    for previous, span in zip(spans, spans[1:], strict=False):
        silence = span["start_ms"] - previous["end_ms"]
        if silence >= MIN_PAUSE_MS:
            pauses.append({"start_ms": previous["end_ms"], "end_ms": span["start_ms"], "before": previous["voice"], "after": span["voice"]})
            turns.append({"at_ms": span["start_ms"], "voice": span["voice"], "reason": "after_pause"})
        elif span["voice"] != previous["voice"]:
            turns.append({"at_ms": span["start_ms"], "voice": span["voice"], "reason": "voice_change"})
        if silence < 0:
            overlaps.append({"start_ms": span["start_ms"], "end_ms": min(previous["end_ms"], span["end_ms"])})
    return {"sample_rate": RATE, "min_pause_ms": MIN_PAUSE_MS, "speech": spans, "pauses": pauses, "turns": turns, "overlaps": overlaps}


def write_opus(path: Path, samples: np.ndarray, bitrate: int = 20000) -> None:
    """Opus in Ogg through PyAV (48 kHz, as Opus wants): small enough to commit, as a phone would compress."""
    upsampled = soxr.resample(samples, RATE, 48000).astype(np.float32)
    with av.open(str(path), "w", format="ogg") as out:
        stream = out.add_stream("libopus", rate=48000)
        stream.layout = "mono"
        stream.bit_rate = bitrate
        fmt = stream.codec_context.format.name
        frame_size = stream.codec_context.frame_size or 960
        for start in range(0, len(upsampled), frame_size):
            chunk = upsampled[start : start + frame_size]
            if len(chunk) < frame_size:
                chunk = np.pad(chunk, (0, frame_size - len(chunk)))
            data = (chunk[None, :] * 32767).astype(np.int16) if fmt.startswith("s16") else chunk[None, :]
            frame = av.AudioFrame.from_ndarray(data, format=fmt, layout="mono")
            frame.sample_rate, frame.pts, frame.time_base = 48000, start, Fraction(1, 48000)
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))


def make(audio_path: Path, truth_path: Path, script: list[Line], snr_db: float = 18.0, seed: int = 1, voices: dict | None = None) -> dict:
    samples, known = build(script, snr_db, seed, voices)
    known["snr_db"] = snr_db
    known["voices"] = voices or VOICES
    if audio_path.suffix == ".wav":
        with wave.open(str(audio_path), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(RATE)
            w.writeframes((samples * 32767).astype(np.int16).tobytes())
    else:
        write_opus(audio_path, samples)
    truth_path.write_text(json.dumps(known, indent=1, ensure_ascii=False) + "\n")
    return known


def voices_with(voice_b: str | None) -> dict:
    """VOICES with B replaced by NAME,PITCH,SPEED (to try voices nearer each other)."""
    if not voice_b:
        return dict(VOICES)
    name, pitch, speed = voice_b.split(",")
    return {**VOICES, "B": (name, int(pitch), int(speed))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("audio", type=Path)
    parser.add_argument("truth", type=Path)
    parser.add_argument("--short", action="store_true", help="the fixed ~35 s script the tests use")
    parser.add_argument("--minutes", type=float, default=4.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--snr", type=float, default=18.0)
    parser.add_argument("--voice-b", help="B's espeak-ng voice as NAME,PITCH,SPEED (default nl+f4,85,175)")
    args = parser.parse_args()
    script = SHORT_SCRIPT if args.short else random_script(args.minutes, args.seed)
    known = make(args.audio, args.truth, script, args.snr, args.seed, voices_with(args.voice_b))
    print(f"{args.audio}: {known['speech'][-1]['end_ms'] / 1000:.1f} s, {len(known['turns'])} turns, {len(known['pauses'])} pauses")


if __name__ == "__main__":
    main()
