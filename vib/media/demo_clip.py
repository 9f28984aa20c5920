"""The demo clip: two drawn figures taking turns in a conversation, with speech-like babble for their voices.

Generated with PyAV and OpenCV, so no recording of a real person is ever shipped.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from vib.media.synth import write_samples

WIDTH, HEIGHT, FPS, RATE = 640, 360, 25, 48000
# (speaker, seconds): 0 is the worker on the left, 1 the parent on the right.
TURNS = [(0, 3.0), (1, 4.5), (0, 2.0), (1, 5.0), (0, 3.5), (1, 2.5), (0, 2.5), (1, 4.0), (0, 3.0), (1, 3.0)]
VOICES = (165.0, 240.0)  # Hz
COLOURS = ((170, 110, 40), (60, 140, 230))  # BGR: blue-ish worker, orange-ish parent
SKIN = (150, 180, 225)


def _background() -> np.ndarray:
    image = np.full((HEIGHT, WIDTH, 3), (235, 228, 220), dtype=np.uint8)
    image[250:, :] = (200, 205, 210)  # floor
    cv2.rectangle(image, (250, 215), (390, 232), (95, 120, 150), -1)  # table top
    cv2.rectangle(image, (262, 232), (272, 300), (80, 100, 125), -1)
    cv2.rectangle(image, (368, 232), (378, 300), (80, 100, 125), -1)
    cv2.rectangle(image, (470, 40), (600, 130), (210, 200, 185), -1)  # a window
    cv2.rectangle(image, (470, 40), (600, 130), (160, 150, 140), 3)
    return image


def _schedule() -> list[tuple[int, float, float]]:
    spans, t = [], 0.0
    for speaker, length in TURNS:
        spans.append((speaker, t, t + length))
        t += length
    return spans


def _speaker_at(spans, t: float) -> tuple[int, float]:
    for speaker, start, end in spans:
        if start <= t < end:
            return speaker, t - start
    return -1, 0.0


def _syllables(t: float) -> float:
    """Loudness of speech at t seconds into a turn: syllables at about 4 per second."""
    return max(0.0, np.sin(2 * np.pi * 4.2 * t)) * (0.6 + 0.4 * np.sin(2 * np.pi * 0.7 * t) ** 2)


def _draw_person(image, x: int, colour, speaking: bool, loudness: float, nod: float, facing: int) -> None:
    head_y = 120 + int(6 * nod)
    cv2.ellipse(image, (x, 250), (55, 85), 0, 180, 360, colour, -1)  # shoulders and body
    cv2.rectangle(image, (x - 55, 250), (x + 55, 330), colour, -1)
    cv2.circle(image, (x, head_y), 38, SKIN, -1)
    eye_x = x + 12 * facing
    cv2.circle(image, (eye_x - 8, head_y - 8), 4, (40, 40, 40), -1)
    cv2.circle(image, (eye_x + 10, head_y - 8), 4, (40, 40, 40), -1)
    mouth_h = 2 + int(10 * loudness) if speaking else 2
    cv2.ellipse(image, (x + 10 * facing, head_y + 16), (10, mouth_h), 0, 0, 360, (60, 60, 150), -1)


def make_demo_clip(path: str | Path) -> None:
    spans = _schedule()
    seconds = spans[-1][2]
    background = _background()
    with av.open(str(path), "w", options={"movflags": "+faststart"}) as out:
        video = out.add_stream("libx264", rate=FPS)
        video.width, video.height, video.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        video.options = {"preset": "veryfast", "crf": "23", "g": str(FPS * 2)}
        audio = out.add_stream("aac", rate=RATE)
        audio.layout = "mono"
        for i in range(int(seconds * FPS)):
            t = i / FPS
            speaker, into = _speaker_at(spans, t)
            image = background.copy()
            for person, x, facing in ((0, 190, 1), (1, 450, -1)):
                speaking = person == speaker
                # The listener nods now and then: receiving the other's initiative.
                nod = 0.0 if speaking else max(0.0, np.sin(2 * np.pi * 0.9 * into)) ** 8
                _draw_person(image, x, COLOURS[person], speaking, _syllables(into), nod, facing)
            frame = av.VideoFrame.from_ndarray(image, format="bgr24")
            frame.pts = i
            frame.time_base = Fraction(1, FPS)
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
        write_samples(out, audio, _voices(spans, seconds), RATE)


# Vowels as their first three formants (Hz, an adult's), and how wide each resonance is.
VOWELS = ((730, 1090, 2440), (270, 2290, 3010), (530, 1840, 2480), (570, 840, 2410), (300, 870, 2240), (660, 1720, 2410), (440, 1020, 2240))
BANDWIDTHS = (90.0, 110.0, 170.0)
FORMANT_SCALE = (1.0, 1.12)  # the parent's shorter vocal tract lifts her formants
CONSONANT = 0.06  # seconds of hiss before a vowel
TURN_END_SILENCE = 0.45  # seconds of silence at the end of every turn, so that turns are heard


def _voices(spans, seconds: float) -> np.ndarray:
    """Speech-like babble for every turn: a glottal source at the speaker's pitch through vowel formants.

    Plain tones would be ignored by a speech detector (rightly); this babble has what speech has:
    harmonics of a wandering pitch, shaped by formants that move from syllable to syllable, and
    syllables at about four a second (the loudness the drawn mouths follow, _syllables). Every turn
    starts speaking at its start and falls silent TURN_END_SILENCE before its end.
    """
    samples = np.zeros(int(seconds * RATE), dtype=np.float32)
    rng = np.random.default_rng(11)
    for speaker, start, end in spans:
        first, last = int(start * RATE), int((end - TURN_END_SILENCE) * RATE)
        local = np.arange(last - first) / RATE
        samples[first:last] = _babble(local, speaker, rng)
    return samples


def _babble(local: np.ndarray, speaker: int, rng: np.random.Generator) -> np.ndarray:
    """One turn's babble at times `local` (seconds into the turn): consonant-vowel syllables."""
    envelope = np.maximum(0, np.sin(2 * np.pi * 4.2 * local)) * (0.6 + 0.4 * np.sin(2 * np.pi * 0.7 * local) ** 2)  # as _syllables
    syllable = np.floor(local * 4.2).astype(int)
    count = syllable[-1] + 2
    # Pitch: the speaker's own, a target per syllable (stressed ones higher), gliding, falling towards
    # the end of the phrase, with a little jitter.
    targets = VOICES[speaker] * (1 + 0.08 * rng.standard_normal(count)) * np.where(rng.random(count) < 0.25, 1.15, 1.0)
    into = local * 4.2 - syllable
    pitch = targets[syllable] * (1 - into) + targets[syllable + 1] * into
    pitch *= (1 - 0.12 * local / max(local[-1], 1e-3)) * (1 + 0.01 * rng.standard_normal(len(local)))
    phase = 2 * np.pi * np.cumsum(pitch) / RATE
    # Formants glide from one vowel to the next at every syllable.
    vowels = np.array(VOWELS, dtype=float)[rng.integers(0, len(VOWELS), count)] * FORMANT_SCALE[speaker]
    formants = vowels[syllable] * (1 - into[:, None]) + vowels[syllable + 1] * into[:, None]
    voiced = np.zeros_like(local)
    for harmonic in range(1, int(4500 / VOICES[speaker]) + 1):
        frequency = harmonic * pitch
        gain = 1.0 / harmonic  # the glottal source, lips included: about -6 dB an octave
        for formant, bandwidth in zip(formants.T, BANDWIDTHS, strict=True):  # second-order resonances
            gain = gain * formant**2 / np.sqrt((formant**2 - frequency**2) ** 2 + (frequency * bandwidth) ** 2)
        voiced += gain * np.sin(harmonic * phase)
    voiced *= envelope / max(np.abs(voiced).max(), 1e-9)
    # Consonants: a hiss (above 2.5 kHz) in the 60 ms before each vowel, for most syllables.
    spectrum = np.fft.rfft(rng.standard_normal(len(local)))
    spectrum[np.fft.rfftfreq(len(local), 1 / RATE) < 2500] = 0
    hiss = np.fft.irfft(spectrum, len(local))
    hiss /= max(np.abs(hiss).max(), 1e-9)
    before_vowel = (1 - into) / 4.2  # seconds until the next syllable's vowel starts
    gate = (before_vowel < CONSONANT) & (rng.random(count) < 0.7)[syllable + 1]
    consonant = np.where(gate, np.sin(np.pi * before_vowel / CONSONANT), 0.0)  # rises and falls within CONSONANT
    sound = voiced + 0.25 * consonant * hiss
    return (0.3 * sound / max(np.abs(sound).max(), 1e-9)).astype(np.float32)
