"""Suggested moments from the sound, checked on a conversation whose truth is known.

tests/data/conversation.ogg was made by bench/make_conversation.py --short (espeak-ng: a low male
voice "A" who speaks first and a high female voice "B", room noise at 18 dB SNR, Opus at 20 kbit/s);
conversation.json holds where each voice spoke, the pauses, the turns and the overlap. The thresholds
below are the figures measured on it (see each test) less a margin; bench/suggestions.py measures the
same on a longer conversation.
"""

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from vib.analysis import speech
from vib.analysis.speech import (
    CHUNK_MS,
    Conversation,
    Pause,
    Settings,
    SpeechSpan,
    Turn,
    analyse,
    conversation_figures,
    speech_probabilities,
)
from vib.media.audio import SAMPLE_RATE, read_speech_audio
from vib.media.demo_clip import _schedule as demo_schedule
from vib.media.demo_clip import make_demo_clip

DATA = Path(__file__).resolve().parent.parent / "data"
TOLERANCE_MS = 250


@pytest.fixture(scope="module")
def recording():
    return read_speech_audio(DATA / "conversation.ogg")


@pytest.fixture(scope="module")
def truth():
    return json.loads((DATA / "conversation.json").read_text())


@pytest.fixture(scope="module")
def heard(recording):
    return analyse(recording)


def matched(found: list[int], true: list[int], tolerance: int = TOLERANCE_MS) -> int:
    """Found times paired one to one with true ones within tolerance, closest pairs first."""
    pairs = sorted((abs(f - t), i, j) for i, f in enumerate(found) for j, t in enumerate(true) if abs(f - t) <= tolerance)
    used_found, used_true = set(), set()
    for _distance, i, j in pairs:
        if i not in used_found and j not in used_true:
            used_found.add(i)
            used_true.add(j)
    return len(used_found)


def overlap_share(a: tuple[int, int], b: tuple[int, int]) -> float:
    """Intersection over union of two intervals."""
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    return inter / (max(a[1], b[1]) - min(a[0], b[0]))


# --- speech -------------------------------------------------------------------------------------


def test_the_analysis_hears_at_the_rate_the_sound_is_read_at():
    assert speech.SAMPLE_RATE == SAMPLE_RATE == 16000


def test_the_speech_probability_comes_every_32_ms_and_is_high_in_speech_and_low_in_pauses(recording, truth):
    probabilities = speech_probabilities(recording)
    assert len(probabilities) == -(-len(recording) // 512)
    assert 0 <= probabilities.min() and probabilities.max() <= 1
    chunk = np.arange(len(probabilities)) * CHUNK_MS
    speaking = np.zeros(len(probabilities), dtype=bool)
    for span in truth["speech"]:
        speaking |= (chunk >= span["start_ms"]) & (chunk < span["end_ms"])
    in_pauses = np.zeros(len(probabilities), dtype=bool)
    for pause in truth["pauses"]:
        in_pauses |= (chunk >= pause["start_ms"] + 300) & (chunk < pause["end_ms"] - 300)
    assert probabilities[speaking].mean() > 0.85  # measured 0.95
    assert probabilities[in_pauses].max() < 0.25  # measured 0.05


def test_the_model_is_found_without_importing_its_package_which_needs_torch(heard):
    assert speech.model_path().name == "silero_vad.onnx" and speech.model_path().is_file()
    assert "silero_vad" not in sys.modules and "torch" not in sys.modules


def test_time_is_in_whole_ms_and_every_list_is_in_time_order(heard):
    starts = [s.start_ms for s in heard.speech]
    assert starts == sorted(starts) and all(s.start_ms < s.end_ms for s in heard.speech)
    assert all(a.end_ms <= b.start_ms for a, b in zip(heard.speech, heard.speech[1:], strict=False))
    assert [p.start_ms for p in heard.pauses] == sorted(p.start_ms for p in heard.pauses)
    assert [t.at_ms for t in heard.turns] == sorted(t.at_ms for t in heard.turns)
    assert all(isinstance(v, int) for s in heard.speech for v in (s.start_ms, s.end_ms))


# --- turns and pauses ---------------------------------------------------------------------------


def test_turns_are_found_where_they_start_within_250_ms(heard, truth):
    found = [t.at_ms for t in heard.turns]
    true = [t["at_ms"] for t in truth["turns"]]
    hits = matched(found, true)
    # Measured: 10 of 10 found, 10 of 10 right (before the voice change inside one speech span was moved
    # back to where the new voice's pitch is first heard, the overlap's turn came 370 ms late).
    assert hits / len(found) >= 0.8
    assert hits / len(true) >= 0.8
    after_pause = [t["at_ms"] for t in truth["turns"] if t["reason"] == "after_pause"]
    assert matched([t.at_ms for t in heard.turns if t.reason == "after_pause"], after_pause) == len(after_pause)  # measured 5 of 5


def test_pauses_are_the_silences_of_at_least_one_and_a_half_seconds(heard, truth):
    true = [(p["start_ms"], p["end_ms"]) for p in truth["pauses"]]
    found = [(p.start_ms, p.end_ms) for p in heard.pauses]
    precision = sum(any(overlap_share(f, t) >= 0.5 for t in true) for f in found) / len(found)
    recall = sum(any(overlap_share(f, t) >= 0.5 for f in found) for t in true) / len(true)
    assert 2 * precision * recall / (precision + recall) >= 0.8  # measured F1 1.0 (5 of 5)
    assert all(p.end_ms - p.start_ms >= 1500 for p in heard.pauses)
    assert all(0 <= p.confidence <= 1 for p in heard.pauses)


def test_a_pause_knows_who_fell_silent_and_who_broke_the_silence(heard, truth):
    for pause in truth["pauses"]:
        found = [p for p in heard.pauses if overlap_share((p.start_ms, p.end_ms), (pause["start_ms"], pause["end_ms"])) >= 0.5]
        assert [(p.before, p.after) for p in found] == [(pause["before"], pause["after"])]


def test_speech_after_a_pause_is_a_turn_even_when_the_same_voice_goes_on(heard, truth):
    same_voice = [p for p in truth["pauses"] if p["before"] == p["after"]]
    assert same_voice  # the script has one: A pauses, then A again
    for pause in same_voice:
        turns = [t for t in heard.turns if abs(t.at_ms - pause["end_ms"]) <= TOLERANCE_MS]
        assert [(t.reason, t.voice) for t in turns] == [("after_pause", pause["after"])]


def test_a_breath_within_one_voice_is_neither_a_pause_nor_a_turn(heard, truth):
    speech = truth["speech"]
    breaths = [
        (a["end_ms"], b["start_ms"])
        for a, b in zip(speech, speech[1:], strict=False)
        if a["voice"] == b["voice"] and 0 < b["start_ms"] - a["end_ms"] < 1500
    ]
    assert breaths
    for end, start in breaths:
        assert not [t for t in heard.turns if end - TOLERANCE_MS <= t.at_ms <= start + TOLERANCE_MS]
        assert not [p for p in heard.pauses if p.start_ms < start and p.end_ms > end]


def test_a_longer_minimum_pause_leaves_only_the_longer_silences(recording, truth):
    patient = analyse(recording, Settings(min_pause_ms=2500))
    assert len(patient.pauses) == sum(p["end_ms"] - p["start_ms"] >= 2500 for p in truth["pauses"])  # 2 of the 5
    assert all(p.end_ms - p.start_ms >= 2500 for p in patient.pauses)


# --- voices -------------------------------------------------------------------------------------


def test_two_voices_are_told_apart_and_a_is_the_one_heard_first(heard, truth, recording):
    assert heard.voices == 2
    assert heard.speech[0].voice == "A" == truth["speech"][0]["voice"]
    step = 10
    cells = len(recording) * 1000 // SAMPLE_RATE // step + 1
    true = np.zeros((cells, 2), dtype=bool)
    for span in truth["speech"]:
        true[span["start_ms"] // step : span["end_ms"] // step, "AB".index(span["voice"])] = True
    found = np.full(cells, -1)
    for span in heard.speech:
        found[span.start_ms // step : span.end_ms // step] = "AB".index(span.voice)
    one_voice = true.sum(axis=1) == 1
    named = one_voice & (found >= 0)
    assert np.mean(found[named] == true.argmax(axis=1)[named]) >= 0.95  # measured 1.00
    assert named.sum() / one_voice.sum() >= 0.9  # measured 0.96 of the speech got a voice


def test_a_voice_change_without_a_pause_is_a_turn(heard, truth):
    changes = [t for t in truth["turns"] if t["reason"] == "voice_change"]
    found = [t for t in heard.turns if t.reason == "voice_change"]
    assert matched([t.at_ms for t in found], [t["at_ms"] for t in changes]) >= len(changes) - 1  # measured 5 of 5
    assert all(t.voice in ("A", "B") and 0 <= t.confidence <= 1 for t in found)


def test_the_second_voice_starting_before_the_first_has_finished_is_an_overlap(heard, truth):
    (true,) = truth["overlaps"]  # 18310-18910
    # Measured: one overlap, 18460-18478 (from where B's pitch is first heard to where B took over).
    (found,) = heard.overlaps
    assert abs(found[0] - true["start_ms"]) <= TOLERANCE_MS
    assert found[0] <= found[1] <= true["end_ms"] + TOLERANCE_MS


@pytest.mark.parametrize("voice", ["A", "B"])
def test_one_voice_alone_is_not_split_in_two(recording, truth, voice):
    room = recording[: int(0.7 * SAMPLE_RATE)]  # before anyone speaks
    alone = recording.copy()
    for span in truth["speech"]:
        if span["voice"] != voice:
            a, b = span["start_ms"] * SAMPLE_RATE // 1000, span["end_ms"] * SAMPLE_RATE // 1000
            alone[a:b] = np.resize(room, b - a)
    for span in truth["speech"]:  # where they overlapped, the voice is put back
        if span["voice"] == voice:
            a, b = span["start_ms"] * SAMPLE_RATE // 1000, span["end_ms"] * SAMPLE_RATE // 1000
            alone[a:b] = recording[a:b]
    heard = analyse(alone)
    assert heard.voices == 1
    assert {s.voice for s in heard.speech} == {None}
    assert {t.reason for t in heard.turns} == {"after_pause"}


# --- not speech ---------------------------------------------------------------------------------

SECONDS = 20
_t = np.arange(SECONDS * SAMPLE_RATE) / SAMPLE_RATE
_scale = np.repeat([262, 294, 330, 349, 392, 440, 494, 523] * 5, len(_t) // 40 + 1)[: len(_t)]
NOT_SPEECH = {
    "silence": np.zeros(len(_t)),
    "a pure tone": 0.3 * np.sin(2 * np.pi * 440 * _t),
    "white noise": 0.1 * np.random.default_rng(0).standard_normal(len(_t)),
    "a chord played twice a second": sum(0.1 * np.sin(2 * np.pi * f * _t) for f in (261.6, 329.6, 392.0))
    * (np.sin(2 * np.pi * 2 * _t) > 0),
    "a melody": 0.2 * np.sin(2 * np.pi * np.cumsum(_scale) / SAMPLE_RATE),
}


@pytest.mark.parametrize("name", NOT_SPEECH)
def test_sound_that_is_not_speech_suggests_nothing(name):
    heard = analyse(NOT_SPEECH[name].astype(np.float32))
    # Measured: no speech at all in any of them (the highest speech probability 0.41, in the melody).
    assert sum(s.end_ms - s.start_ms for s in heard.speech) < 1000
    assert len(heard.turns) <= 1


def test_too_little_sound_is_an_empty_conversation():
    assert analyse(np.zeros(100, dtype=np.float32)) == Conversation()
    assert analyse(np.zeros(0, dtype=np.float32)) == Conversation()


# --- figures ------------------------------------------------------------------------------------

# Worker A asks, client B answers after 2 s of thought, A waits 3 s and 1 s, then B talks over A.
TALK = Conversation(
    speech=[
        SpeechSpan(0, 2_000, "A", 0.9),
        SpeechSpan(4_000, 9_000, "B", 0.9),
        SpeechSpan(12_000, 13_000, "A", 0.9),
        SpeechSpan(15_000, 17_000, "B", 0.9),
        SpeechSpan(19_000, 20_000, "A", 0.9),
        SpeechSpan(20_000, 23_000, "B", 0.8),
    ],
    pauses=[
        Pause(2_000, 4_000, "A", "B", 1.0),
        Pause(9_000, 12_000, "B", "A", 1.0),
        Pause(13_000, 15_000, "A", "B", 1.0),
        Pause(17_000, 19_000, "B", "A", 1.0),
    ],
    turns=[
        Turn(4_000, "B", "after_pause", 0.9),
        Turn(12_000, "A", "after_pause", 0.9),
        Turn(15_000, "B", "after_pause", 0.9),
        Turn(19_000, "A", "after_pause", 0.9),
        Turn(20_000, "B", "voice_change", 0.7),
    ],
    overlaps=[(19_800, 20_200)],
    voices=2,
)


def test_figures_for_a_worker_and_a_client():
    figures = conversation_figures(TALK, {"A": "worker", "B": "client"})
    assert figures == {
        "talk_ms": {"A": 4_000, "B": 10_000},
        "talk_ratio": 0.4,  # the worker spoke 4 s to the client's 10 s
        "pauses": 4,
        "waiting_ms": 2_500,  # the worker waited 3 s and 2 s after the client stopped
        "overlaps": 1,
    }
    assert conversation_figures(TALK, {"A": "client", "B": "worker"})["talk_ratio"] == 2.5
    assert conversation_figures(TALK, {"A": "client", "B": "worker"})["waiting_ms"] == 2_000  # after A (now the client)


def test_without_a_worker_and_a_client_there_is_no_ratio_and_no_waiting():
    for voices in ({}, {"A": "worker"}, {"A": "worker", "B": "other"}, {"A": "worker", "B": "worker"}):
        figures = conversation_figures(TALK, voices)
        assert (figures["talk_ratio"], figures["waiting_ms"]) == (None, None)
        assert figures["talk_ms"] == {"A": 4_000, "B": 10_000}


def test_figures_of_silence():
    figures = conversation_figures(Conversation(), {"A": "worker", "B": "client"})
    assert figures == {"talk_ms": {"A": 0, "B": 0}, "talk_ratio": None, "pauses": 0, "waiting_ms": None, "overlaps": 0}


# --- the demo -----------------------------------------------------------------------------------


def test_every_turn_of_the_demo_clip_is_suggested_where_it_starts(tmp_path):
    path = tmp_path / "demo.mp4"
    make_demo_clip(path)
    heard = analyse(read_speech_audio(path))
    starts = [round(start * 1000) for _speaker, start, _end in demo_schedule()][1:]  # the first starts the clip
    assert heard.voices == 2
    assert matched([t.at_ms for t in heard.turns], starts) == len(starts)  # measured 9 of 9, all within 30 ms
    assert len(heard.turns) == len(starts)
    assert [t.voice for t in heard.turns] == ["B", "A"] * 4 + ["B"]  # A is the worker, who opens the clip
