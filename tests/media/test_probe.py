"""Probing checks a file by its content and tells what it holds, or why it cannot be a clip."""

import pytest

from vib.media.errors import MediaError
from vib.media.probe import probe


def test_facts_of_a_phone_like_recording(videos):
    facts = probe(videos["cfr.mp4"])
    assert facts.duration_ms == 4000
    assert (facts.width, facts.height) == (320, 240)
    assert facts.rotation == 0
    assert facts.fps == 25.0
    assert not facts.variable_frame_rate
    assert (facts.video_codec, facts.audio_codec, facts.has_audio) == ("h264", "aac", True)


def test_rotation_is_reported_and_width_height_are_as_displayed(videos):
    facts = probe(videos["rotated.mp4"])
    assert facts.rotation == 270  # -90, counter-clockwise
    assert (facts.width, facts.height) == (320, 240)
    assert probe(videos["hevc.mov"]).rotation == 90


def test_variable_frame_rate_is_detected(videos):
    assert probe(videos["vfr.mp4"]).variable_frame_rate
    assert not probe(videos["mjpeg.avi"]).variable_frame_rate


@pytest.mark.parametrize("name, codec, audio", [("hevc.mov", "hevc", None), ("vp9.webm", "vp9", "opus"), ("mjpeg.avi", "mjpeg", None)])
def test_other_formats_are_recognised(videos, name, codec, audio):
    facts = probe(videos[name])
    assert (facts.video_codec, facts.audio_codec) == (codec, audio)


def test_name_does_not_matter_only_content(videos, tmp_path):
    renamed = tmp_path / "holiday.txt"
    renamed.write_bytes(videos["cfr.mp4"].read_bytes())
    assert probe(renamed).video_codec == "h264"


@pytest.mark.parametrize(
    "name, reason",
    [
        ("empty.mp4", "empty"),
        ("random.mp4", "not_video"),
        ("letter.mp4", "not_video"),
        ("tone.m4a", "audio_only"),
        ("cut_off.mp4", "truncated"),
        ("cut_off.webm", "truncated"),
        ("cut_off_phone.mp4", "not_video"),
    ],
)
def test_bad_files_are_refused_with_a_reason(videos, name, reason):
    with pytest.raises(MediaError) as refused:
        probe(videos[name])
    assert refused.value.reason == reason
