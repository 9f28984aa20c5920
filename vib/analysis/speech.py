"""Who speaks when, from a clip's sound: speech, pauses, turns and overlaps, as suggested moments.

A worker looking for moments in a Video Interaction Guidance clip often starts where the talk turns:
the client speaking after a silence, the worker waiting before answering. This finds them without any
downloaded diarization model (pure: numpy, onnxruntime and scikit-learn; times are int ms from the
start of the audio, every list is in time order).

How:

1. Speech: Silero VAD (the ONNX model shipped with the silero-vad wheel, run with onnxruntime; torch
   is never imported) gives the probability of speech for every 32 ms. Speech starts where it reaches
   `threshold` and ends where it stays under `threshold - 0.15` for `min_silence_ms` (hysteresis, as
   Silero's own get_speech_timestamps does); spans shorter than `min_speech_ms` are dropped.
2. Voices: every speech span is cut into windows (`window_ms`, every `hop_ms`). Each window is
   described by its pitch (autocorrelation, in numpy) and its mean MFCCs (numpy too: librosa's first
   MFCC call in a process costs 1.5 s with warm numba caches and ~18 s cold, more than the whole
   analysis). The descriptions are standardised and split into two groups (k-means); there are two
   voices only when the groups are well apart (silhouette >= `min_separation`) and the smaller holds at
   least `min_voice_share` of the windows; otherwise every voice is None. Labels are smoothed (a
   majority over `smooth_windows`), and a span is split where another voice holds for at least
   `min_voice_run_ms`. "A" is the voice heard first.
3. A pause is a silence between speech of at least `min_pause_ms`. A turn starts at the first speech
   after a pause ("after_pause") or where the voice changes with a shorter silence ("voice_change").
4. Overlap, honestly: one channel cannot say for sure that two people speak at once; what it can say
   is that the voice changed without any silence between (inside one speech span). That is an overlap
   or a latched turn (no gap at all); both are "the second did not wait". Such a change is moved back
   to where the new voice's pitch is first heard (frame by frame, the pitch of an overlap jumps
   between the two voices), and the overlap reported runs from there to where the new voice took
   over the windows: a lower bound of the true overlap, not its measured length.

Pitch is the lag of the highest autocorrelation peak, or rather the shortest lag whose peak comes
within 85 % of it: taking two or three periods for one halves or thirds a high voice's pitch, which
then sounds like the low voice.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from statistics import median

import numpy as np
import onnxruntime
import scipy.fft
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import StandardScaler

# The rate Silero VAD is trained at; vib.media.audio.read_speech_audio decodes to it. (Defined here
# again, not imported: the layers contract keeps vib.analysis and vib.media independent; a test checks
# that the two agree.)
SAMPLE_RATE = 16000
CHUNK = 512  # samples Silero VAD judges at a time at 16 kHz: 32 ms
CHUNK_MS = CHUNK * 1000 // SAMPLE_RATE
_CONTEXT = 64  # samples of the previous chunk the model sees before each chunk
_PITCH_RANGE_HZ = (70.0, 450.0)  # from a low man's voice to a child's
_PEAK_SHARE = 0.85
_FRAME = 400  # 25 ms analysis frames for pitch and MFCCs
_FRAME_HOP = 160  # every 10 ms
_MEL_BANDS = 40
_MFCCS = 13  # the first (overall loudness) is dropped: distance from the microphone is not a voice
_HANNING = np.hanning(_FRAME).astype(np.float32)
_HAMMING = np.hamming(_FRAME).astype(np.float32)
# The window shrinks the autocorrelation with the lag: dividing by the window's own undoes it, so that
# longer lags (lower voices) are not penalised.
_TAPER = np.fft.irfft(np.abs(np.fft.rfft(np.hanning(_FRAME), n=1024)) ** 2)[: _FRAME // 2]
_TAPER = _TAPER / _TAPER[0]


@dataclass(frozen=True)
class Settings:
    """The analysis' knobs. The threshold is Silero's own default; the others were checked on
    bench/suggestions.py's conversations (4 minutes, seeds 1-3 at 18 dB SNR and seed 1 at 5 dB): moving
    any one of them (threshold 0.4/0.6, min_silence_ms 200/300, window_ms 300/500, min_voice_run_ms
    400/800, smooth_windows 3/7) changed the mean turn precision and recall by at most 0.015."""

    min_pause_ms: int = 1500  # a silence between speech at least this long is a pause
    threshold: float = 0.5  # speech probability at which speech starts (Silero's default)
    min_silence_ms: int = 100  # a silence shorter than this does not end a speech span
    min_speech_ms: int = 250  # shorter speech is a click or a cough
    speech_pad_ms: int = 0  # added to both ends of every span
    window_ms: int = 400  # one voice description
    hop_ms: int = 100
    smooth_windows: int = 5  # majority over this many windows
    min_voice_run_ms: int = 600  # another voice must hold this long to split a span
    # Silhouette of the two voice groups below which it is one voice. Measured (bench conversations and
    # the tests' one): two voices 0.49-0.51, the demo clip's (165 and 240 Hz) 0.43; one voice alone split
    # in two 0.19-0.29 (0.64-0.83 when the split is a small odd group, which min_voice_share refuses);
    # two men's voices (espeak-ng pitch 22 and 45) 0.21: taken for one.
    min_separation: float = 0.38
    min_voice_share: float = 0.1  # the second voice must hold at least this share of the windows


@dataclass(frozen=True)
class SpeechSpan:
    start_ms: int
    end_ms: int
    voice: str | None  # "A" (heard first) or "B"; None with one voice only, or undecided
    confidence: float  # mean speech probability over the span


@dataclass(frozen=True)
class Pause:
    start_ms: int
    end_ms: int
    before: str | None  # the voice that stopped
    after: str | None  # the voice that broke the silence
    confidence: float  # 1 - the highest speech probability inside the silence


@dataclass(frozen=True)
class Turn:
    at_ms: int
    voice: str | None
    reason: str  # "after_pause" or "voice_change"
    # After a pause: the speech's confidence. At a voice change: the share of the new voice's windows that
    # were heard as that voice, times the square root of how far apart the voices are (silhouette).
    confidence: float


@dataclass(frozen=True)
class Conversation:
    speech: list[SpeechSpan] = field(default_factory=list)
    pauses: list[Pause] = field(default_factory=list)
    turns: list[Turn] = field(default_factory=list)
    overlaps: list[tuple[int, int]] = field(default_factory=list)  # voices meeting without silence (see the module)
    voices: int = 0  # 0 (no speech), 1 or 2


# --- speech -------------------------------------------------------------------------------------

_session: onnxruntime.InferenceSession | None = None
_session_lock = threading.Lock()


def model_path() -> Path:
    """Silero VAD's ONNX file inside the silero-vad wheel, found without importing the package (its
    __init__ imports torch)."""
    spec = find_spec("silero_vad")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the silero-vad package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "silero_vad.onnx"


def _vad_session() -> onnxruntime.InferenceSession:
    """One session per process, made on first use: loading takes a while and the model is small."""
    global _session
    with _session_lock:
        if _session is None:
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = 1  # chunks are tiny: more threads only wait on each other
            options.inter_op_num_threads = 1
            _session = onnxruntime.InferenceSession(str(model_path()), sess_options=options, providers=["CPUExecutionProvider"])
        return _session


def speech_probabilities(samples: np.ndarray) -> np.ndarray:
    """Silero VAD's probability of speech for every 32 ms chunk of 16 kHz mono audio (the last chunk
    padded with silence). The model is recurrent: chunks go through in order, each with the 64
    samples before it, as the silero-vad package feeds it."""
    session = _vad_session()
    count = -(-len(samples) // CHUNK)
    padded = np.zeros(_CONTEXT + count * CHUNK, dtype=np.float32)
    padded[_CONTEXT : _CONTEXT + len(samples)] = samples
    state = np.zeros((2, 1, 128), dtype=np.float32)
    rate = np.array(SAMPLE_RATE, dtype=np.int64)
    probabilities = np.empty(count, dtype=np.float32)
    for i in range(count):
        window = padded[i * CHUNK : i * CHUNK + _CONTEXT + CHUNK][None, :]
        out, state = session.run(None, {"input": window, "state": state, "sr": rate})
        probabilities[i] = out[0, 0]
    return probabilities


def _speech_spans(probabilities: np.ndarray, settings: Settings, duration_ms: int) -> list[tuple[int, int]]:
    """[start, end) in ms of speech, by hysteresis on the chunk probabilities."""
    low = settings.threshold - 0.15
    spans: list[tuple[int, int]] = []
    start = None
    quiet_since = None
    for i, p in enumerate(probabilities):
        t = i * CHUNK_MS
        if start is None:
            if p >= settings.threshold:
                start, quiet_since = t, None
            continue
        if p >= low:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = t
        elif t + CHUNK_MS - quiet_since >= settings.min_silence_ms:
            spans.append((start, quiet_since))
            start, quiet_since = None, None
    if start is not None:
        spans.append((start, quiet_since if quiet_since is not None else len(probabilities) * CHUNK_MS))
    padded = [(max(0, s - settings.speech_pad_ms), min(duration_ms, e + settings.speech_pad_ms)) for s, e in spans]
    merged: list[tuple[int, int]] = []
    for s, e in padded:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return [(s, e) for s, e in merged if e - s >= settings.min_speech_ms]


# --- voices -------------------------------------------------------------------------------------


def _frames(samples: np.ndarray) -> np.ndarray:
    count = max(0, 1 + (len(samples) - _FRAME) // _FRAME_HOP)
    if count == 0:
        return np.zeros((0, _FRAME), dtype=np.float32)
    return np.lib.stride_tricks.sliding_window_view(samples, _FRAME)[::_FRAME_HOP][:count]


def _pitch(frames: np.ndarray) -> np.ndarray:
    """Fundamental frequency per frame (Hz) by normalised autocorrelation; NaN where unvoiced."""
    if len(frames) == 0:
        return np.zeros(0)
    centred = frames - frames.mean(axis=1, keepdims=True)
    spectrum = scipy.fft.rfft(centred * _HANNING, n=1024, axis=1, workers=1)
    autocorrelation = scipy.fft.irfft(np.abs(spectrum) ** 2, axis=1, workers=1)[:, : _FRAME // 2]
    energy = autocorrelation[:, :1]
    lo, hi = int(SAMPLE_RATE / _PITCH_RANGE_HZ[1]), int(SAMPLE_RATE / _PITCH_RANGE_HZ[0])
    lags = np.arange(lo, hi)
    normalised = autocorrelation[:, lo:hi] / np.maximum(energy, 1e-12) / _TAPER[lo:hi]
    # The shortest lag that is a peak nearly as high as the highest: a periodic sound correlates as well
    # at two or three periods as at one, and taking those gives a half or a third of the pitch.
    highest = normalised.max(axis=1, keepdims=True)
    peak = np.zeros_like(normalised, dtype=bool)
    peak[:, 1:-1] = (normalised[:, 1:-1] >= normalised[:, :-2]) & (normalised[:, 1:-1] >= normalised[:, 2:])
    candidates = peak & (normalised >= _PEAK_SHARE * highest)
    best = np.where(candidates.any(axis=1), candidates.argmax(axis=1), normalised.argmax(axis=1))
    strength = normalised[np.arange(len(frames)), best]
    f0 = SAMPLE_RATE / lags[best].astype(float)
    f0[(strength < 0.5) | (energy[:, 0] < 1e-6)] = np.nan
    return f0


@cache
def _mel_filters() -> np.ndarray:
    """Triangular filters on the mel scale (HTK formula) over a 512-point spectrum, 60 Hz to 7.6 kHz."""
    mel = np.linspace(2595 * np.log10(1 + 60 / 700), 2595 * np.log10(1 + 7600 / 700), _MEL_BANDS + 2)
    hz = 700 * (10 ** (mel / 2595) - 1)
    bins = np.fft.rfftfreq(512, 1 / SAMPLE_RATE)
    filters = np.zeros((_MEL_BANDS, len(bins)))
    for band in range(_MEL_BANDS):
        left, centre, right = hz[band : band + 3]
        rising = (bins - left) / (centre - left)
        falling = (right - bins) / (right - centre)
        filters[band] = np.maximum(0, np.minimum(rising, falling))
    return filters


def _mfccs(frames: np.ndarray) -> np.ndarray:
    """MFCCs 1..12 per frame (the 0th, loudness, left out)."""
    if len(frames) == 0:
        return np.zeros((0, _MFCCS - 1))
    power = np.abs(scipy.fft.rfft(frames * _HAMMING, n=512, axis=1, workers=1)) ** 2
    bands = np.log(power @ _mel_filters().T + 1e-10)
    return scipy.fft.dct(bands, type=2, norm="ortho", axis=1)[:, 1:_MFCCS]


@dataclass(frozen=True)
class _Window:
    span: int  # index of the speech span
    start_ms: int
    end_ms: int


def _windows(spans: list[tuple[int, int]], settings: Settings) -> list[_Window]:
    windows = []
    for index, (start, end) in enumerate(spans):
        length = end - start
        if length <= settings.window_ms:
            windows.append(_Window(index, start, end))
            continue
        t = start
        while t + settings.window_ms <= end:
            windows.append(_Window(index, t, t + settings.window_ms))
            t += settings.hop_ms
        if windows[-1].end_ms < end - settings.hop_ms // 2:
            windows.append(_Window(index, end - settings.window_ms, end))
    return windows


def _describe(samples: np.ndarray, windows: list[_Window]) -> tuple[np.ndarray, np.ndarray]:
    """One row per window: log pitch (median of its voiced frames) and its mean MFCCs; and the pitch of
    every 10 ms frame (NaN where unvoiced or not speech). Only the frames inside speech are analysed:
    in a conversation with pauses that is half the work or less."""
    frames = _frames(samples)
    frame_ms = _FRAME_HOP * 1000 / SAMPLE_RATE
    reach = []
    for window in windows:
        a = int(window.start_ms / frame_ms)
        b = min(len(frames), max(a + 1, int((window.end_ms - _FRAME * 1000 / SAMPLE_RATE) / frame_ms) + 1))
        reach.append((a, b))
    needed = np.zeros(len(frames), dtype=bool)
    for a, b in reach:
        needed[a:b] = True
    pitch = np.full(len(frames), np.nan)
    mfcc = np.full((len(frames), _MFCCS - 1), np.nan)
    pitch[needed] = _pitch(frames[needed])
    mfcc[needed] = _mfccs(frames[needed])
    rows = np.full((len(windows), 1 + mfcc.shape[1]), np.nan)
    for i, (a, b) in enumerate(reach):
        voiced = pitch[a:b][~np.isnan(pitch[a:b])]
        if len(voiced) >= 3:
            rows[i, 0] = np.log(np.median(voiced))
        if a < b:
            rows[i, 1:] = mfcc[a:b].mean(axis=0)
    for column in range(rows.shape[1]):  # a window without voiced frames takes the usual pitch
        missing = np.isnan(rows[:, column])
        if missing.all():
            rows[:, column] = 0.0
        elif missing.any():
            rows[missing, column] = np.nanmedian(rows[:, column])
    return rows, pitch


def _cluster(rows: np.ndarray, settings: Settings) -> tuple[np.ndarray, float] | None:
    """Two groups of windows and their silhouette, or None when they are not two voices."""
    if len(rows) < 10:
        return None
    scaled = StandardScaler().fit_transform(rows)
    scaled[:, 0] *= 3.0  # pitch tells a man from a woman or a child best: weigh it like three MFCCs
    labels = KMeans(n_clusters=2, n_init=4, random_state=0).fit_predict(scaled)
    share = min(labels.mean(), 1 - labels.mean())
    if share < settings.min_voice_share:
        return None
    sample = np.random.default_rng(0).choice(len(rows), size=min(len(rows), 1500), replace=False)
    if len(set(labels[sample])) < 2:
        return None
    separation = float(silhouette_score(scaled[sample], labels[sample]))
    if separation < settings.min_separation:
        return None
    return labels, separation


def _smooth(labels: np.ndarray, width: int) -> np.ndarray:
    if width <= 1 or len(labels) < 3:
        return labels
    half = width // 2
    padded = np.pad(labels.astype(float), half, mode="edge")
    means = np.convolve(padded, np.ones(width) / width, mode="valid")
    return (means > 0.5).astype(int)


@dataclass(frozen=True)
class _Part:
    start_ms: int
    end_ms: int
    label: int | None
    agreement: float  # share of the part's windows that carried its label before smoothing
    split: bool  # starts inside a speech span: the voices met without silence


def _parts(spans: list[tuple[int, int]], windows: list[_Window], raw: np.ndarray | None, settings: Settings) -> list[_Part]:
    """Speech spans, split where another voice holds long enough."""
    if raw is None:
        return [_Part(s, e, None, 0.0, False) for s, e in spans]
    parts: list[_Part] = []
    by_span: dict[int, list[int]] = {}
    for i, window in enumerate(windows):
        by_span.setdefault(window.span, []).append(i)
    for index, (start, end) in enumerate(spans):
        members = by_span.get(index, [])
        if not members:
            parts.append(_Part(start, end, None, 0.0, False))
            continue
        labels = _smooth(raw[members], settings.smooth_windows)
        centres = [(windows[i].start_ms + windows[i].end_ms) // 2 for i in members]
        # Runs of one label: (first member, last member, label)
        runs: list[list[int]] = []
        for k, label in enumerate(labels):
            if runs and runs[-1][2] == label:
                runs[-1][1] = k
            else:
                runs.append([k, k, int(label)])
        # A run shorter than min_voice_run_ms goes to the longer neighbour (ties: the one before).
        changed = True
        while changed and len(runs) > 1:
            changed = False
            lengths = [(centres[r[1]] - centres[r[0]]) + settings.hop_ms for r in runs]
            shortest = int(np.argmin(lengths))
            if lengths[shortest] < settings.min_voice_run_ms:
                if shortest == 0:
                    runs[1][0] = runs[0][0]
                    runs.pop(0)
                else:
                    runs[shortest - 1][1] = runs[shortest][1]
                    runs.pop(shortest)
                merged = []
                for run in runs:  # neighbours of the same label join up
                    if merged and merged[-1][2] == run[2]:
                        merged[-1][1] = run[1]
                    else:
                        merged.append(run)
                runs = merged
                changed = True
        bounds = [start]
        for before, after in zip(runs, runs[1:], strict=False):
            bounds.append((centres[before[1]] + centres[after[0]]) // 2)
        bounds.append(end)
        for n, run in enumerate(runs):
            own = raw[members][run[0] : run[1] + 1]
            agreement = float(np.mean(own == run[2]))
            parts.append(_Part(bounds[n], bounds[n + 1], run[2], agreement, n > 0))
    return parts


_NEAR_PITCH = 0.3  # a frame sounds like a voice when its pitch is within this (log; about +-35 %) of the voice's usual
_HEARD_FRAMES = 4  # ... and like the new voice from where this many such frames come within _HEARD_MS
_HEARD_MS = 200
_LOOK_BACK_MS = 1500
_OCTAVE_SLIP = 0.2  # how near (log) to an octave of the other voice a frame is taken for that voice


def _near(log_pitch: np.ndarray, usual: float, within: float = _NEAR_PITCH) -> np.ndarray:
    return np.abs(log_pitch - usual) < within


def _where_voices_meet(
    parts: list[_Part], pitch: np.ndarray, window_pitch: np.ndarray, labels: np.ndarray
) -> tuple[list[_Part], dict[int, int]]:
    """Where one voice follows another inside a speech span, move the change back to where the new
    voice's pitch is first heard: the windows' majority only turns once the new voice dominates, which
    in an overlap is when the first voice stops (measured: 370 ms late on the tests' conversation).

    In an overlap, frame by frame the pitch jumps between the two voices (whichever is stronger in that
    10 ms). A frame sounds like the new voice when its pitch is near that voice's usual pitch (the
    median of its windows) and not an octave off the earlier voice's; the new voice is heard from the
    first such frame followed by enough others. Returns the parts with the moved boundaries and, per
    moved part, where the windows had turned (the new voice had taken over).
    """
    usual = {label: float(np.median(window_pitch[labels == label])) for label in (0, 1)}
    frame_ms = _FRAME_HOP * 1000 / SAMPLE_RATE
    reach = round(_HEARD_MS / frame_ms)
    with np.errstate(invalid="ignore"):
        log_pitch = np.log(pitch)
    parts = list(parts)
    met: dict[int, int] = {}
    for i in range(1, len(parts)):
        before, part = parts[i - 1], parts[i]
        if not part.split or before.label is None or part.label is None or before.label == part.label:
            continue
        with np.errstate(invalid="ignore"):  # a frame an octave off the earlier voice is that voice, misheard
            octaves = _near(log_pitch, usual[before.label] + np.log(2), _OCTAVE_SLIP) | _near(
                log_pitch, usual[before.label] - np.log(2), _OCTAVE_SLIP
            )
            new = _near(log_pitch, usual[part.label]) & ~octaves
        ahead = np.convolve(new, np.ones(reach, dtype=int), mode="full")[reach - 1 :]  # new frames in [f, f + reach)
        first = int(max(before.start_ms, part.start_ms - _LOOK_BACK_MS) / frame_ms)
        boundary = int(part.start_ms / frame_ms)
        heard = [f for f in range(first, min(boundary + reach, len(new))) if new[f] and ahead[f] >= _HEARD_FRAMES]
        if not heard:
            continue
        start_ms = max(before.start_ms + 1, min(part.start_ms, round(heard[0] * frame_ms)))
        met[i] = part.start_ms  # where the windows turned: the new voice had taken over
        parts[i - 1] = _Part(before.start_ms, start_ms, before.label, before.agreement, before.split)
        parts[i] = _Part(start_ms, part.end_ms, part.label, part.agreement, True)
    return parts, met


# --- the conversation ---------------------------------------------------------------------------


def analyse(samples: np.ndarray, settings: Settings | None = None) -> Conversation:
    """Speech, pauses, turns and overlaps of 16 kHz mono audio (vib.media.audio.read_speech_audio)."""
    settings = settings or Settings()
    samples = np.asarray(samples, dtype=np.float32)
    duration_ms = len(samples) * 1000 // SAMPLE_RATE
    if len(samples) < CHUNK:
        return Conversation()
    probabilities = speech_probabilities(samples)
    spans = _speech_spans(probabilities, settings, duration_ms)
    if not spans:
        return Conversation()
    windows = _windows(spans, settings)
    rows, pitch = _describe(samples, windows) if windows else (np.zeros((0, _MFCCS)), np.zeros(0))
    clustered = _cluster(rows, settings) if windows else None
    parts = _parts(spans, windows, clustered[0] if clustered else None, settings)
    met: dict[int, int] = {}  # part index -> where the earlier voice was last heard over the new one
    if clustered:
        parts, met = _where_voices_meet(parts, pitch, rows[:, 0], clustered[0])
    names: dict[int, str] = {}
    for part in parts:  # A is the voice heard first
        if part.label is not None and part.label not in names:
            names[part.label] = "AB"[len(names)]

    def mean_probability(start: int, end: int) -> float:
        chunk = probabilities[start // CHUNK_MS : max(start // CHUNK_MS + 1, -(-end // CHUNK_MS))]
        return float(chunk.mean()) if len(chunk) else 0.0

    speech = [
        SpeechSpan(
            p.start_ms, p.end_ms, names.get(p.label) if p.label is not None else None, round(mean_probability(p.start_ms, p.end_ms), 3)
        )
        for p in parts
    ]
    pauses, turns, overlaps = [], [], []
    for previous, (span, part) in zip(speech, zip(speech[1:], parts[1:], strict=True), strict=False):
        silence = span.start_ms - previous.end_ms
        if silence >= settings.min_pause_ms:
            inside = probabilities[previous.end_ms // CHUNK_MS : span.start_ms // CHUNK_MS]
            certainty = 1.0 - float(inside.max()) if len(inside) else 1.0
            pauses.append(Pause(previous.end_ms, span.start_ms, previous.voice, span.voice, round(certainty, 3)))
            turns.append(Turn(span.start_ms, span.voice, "after_pause", span.confidence))
        elif span.voice is not None and previous.voice is not None and span.voice != previous.voice:
            confidence = part.agreement * (clustered[1] if clustered else 0.0) ** 0.5
            turns.append(Turn(span.start_ms, span.voice, "voice_change", round(confidence, 3)))
            if part.split:  # the voices met without silence
                index = len(parts) - len(speech) + speech.index(span)
                half = settings.window_ms // 2
                overlaps.append((span.start_ms, met[index]) if index in met else (span.start_ms - half, span.start_ms + half))
    return Conversation(speech, pauses, turns, overlaps, voices=2 if clustered else 1)


def conversation_figures(conversation: Conversation, voices: dict[str, str]) -> dict:
    """Talk time per voice, the worker's share of talk against the client's, pauses, waiting, overlaps.

    `voices` maps "A" and "B" to "worker", "client" or "other". talk_ratio (worker ms / client ms) and
    waiting_ms (the median pause after the client stopped and before the worker spoke: the time the
    worker left the client) are None unless A and B are one worker and one client.
    """
    talk = {"A": 0, "B": 0}
    for span in conversation.speech:
        if span.voice in talk:
            talk[span.voice] += span.end_ms - span.start_ms
    roles = {voices.get("A"), voices.get("B")}
    mapped = roles == {"worker", "client"}
    ratio = None
    waiting = None
    if mapped:
        worker = "A" if voices["A"] == "worker" else "B"
        client = "B" if worker == "A" else "A"
        ratio = talk[worker] / talk[client] if talk[client] else None
        waits = [p.end_ms - p.start_ms for p in conversation.pauses if p.before == client and p.after == worker]
        waiting = round(median(waits)) if waits else None
    return {
        "talk_ms": talk,
        "talk_ratio": ratio,
        "pauses": len(conversation.pauses),
        "waiting_ms": waiting,
        "overlaps": len(conversation.overlaps),
    }
