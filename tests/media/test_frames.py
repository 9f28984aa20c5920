"""The frame on screen at t: the last frame whose presentation time is at or before t."""

from __future__ import annotations

import random
from fractions import Fraction

import numpy as np
import pytest

from tests.videos import SPECS
from vib.media.frames import FrameReader, frame_times_ms, frames_at, map_frames
from vib.media.synth import frame_times, read_index
from vib.media.thumbs import upright


def expected_index(times: list[Fraction], t_ms: int) -> int:
    """Reference answer from the frame times the generator wrote."""
    shown = [i for i, start in enumerate(times) if (start - times[0]) * 1000 <= t_ms]
    return shown[-1] if shown else 0


def shown_index(frame) -> int | None:
    return read_index(upright(frame))


@pytest.mark.parametrize(
    "name", ["cfr.mp4", "vfr.mp4", "rotated.mp4", "hevc.mov", "vp9.webm", "mjpeg.avi", "long_gop.mp4", "camcorder.ts", "flash.flv"]
)
def test_every_extracted_frame_is_the_one_on_screen(videos, name, tmp_path):

    times = frame_times(SPECS[name])
    end_ms = int((times[-1] - times[0]) * 1000)
    rng = random.Random(name)
    targets = [rng.randint(0, end_ms) for _ in range(40)]
    # Exactly on a frame's start, one ms before it, the very start and the very end.
    targets += [int(times[7] * 1000), int(times[7] * 1000) - 1, 0, end_ms, end_ms + 500]
    results = dict(frames_at(str(videos[name]), targets))
    wrong = {t: (shown_index(f), expected_index(times, t)) for t, f in results.items() if shown_index(f) != expected_index(times, t)}
    assert not wrong, f"t -> (shown, expected): {wrong}"


def test_variable_frame_rate_frames_are_exact_at_each_frame_boundary(videos):

    times = frame_times(SPECS["vfr.mp4"])
    boundaries = [int(np.ceil(float(t * 1000))) for t in times[1:40]]
    for t, frame in frames_at(str(videos["vfr.mp4"]), boundaries):
        assert shown_index(frame) == expected_index(times, t)


class CountingReader(FrameReader):
    seeks = 0

    def _seek_to_keyframe_before(self, target):
        CountingReader.seeks += 1
        super()._seek_to_keyframe_before(target)


def test_times_in_one_keyframe_interval_share_one_seek(videos):
    # long_gop.mp4 has a keyframe every 50 frames (2 s); these 12 times lie between 4 s and 5.9 s.
    CountingReader.seeks = 0
    with CountingReader(str(videos["long_gop.mp4"])) as reader:
        found = list(reader.frames_at(range(4000, 6000, 160)))
    assert len(found) == 13
    assert CountingReader.seeks == 1


def test_times_far_apart_seek_once_per_keyframe_interval_at_most(videos):
    CountingReader.seeks = 0
    with CountingReader(str(videos["long_gop.mp4"])) as reader:
        list(reader.frames_at([500, 2500, 2600, 6500, 6600, 6700, 10500]))
    assert CountingReader.seeks <= 4


def test_unsorted_and_repeated_times_come_back_sorted_once_each(videos):
    got = [t for t, _ in frames_at(str(videos["cfr.mp4"]), [3000, 100, 3000, 0])]
    assert got == [0, 100, 3000]


@pytest.mark.parametrize("readers", [1, 2, 3])
def test_batches_split_over_parallel_readers_give_the_same_frames(videos, readers):
    times = frame_times(SPECS["long_gop.mp4"])
    targets = list(range(0, 12000, 370))
    shown = map_frames(str(videos["long_gop.mp4"]), targets, shown_index, readers=readers)
    assert shown == {t: expected_index(times, t) for t in targets}


@pytest.mark.parametrize("name", ["cfr.mp4", "vfr.mp4", "hevc.mov", "vp9.webm", "rotated.mp4", "camcorder.ts", "flash.flv"])
def test_frame_times_name_every_frame_and_each_time_shows_that_frame(videos, name):
    times = frame_times(SPECS[name])
    listed = frame_times_ms(str(videos[name]))
    assert listed == [int(np.ceil(float((t - times[0]) * 1000))) for t in times]
    sample = listed[:: max(1, len(listed) // 25)]
    for t, frame in frames_at(str(videos[name]), sample):
        assert shown_index(frame) == listed.index(t)


def test_frame_times_refuse_a_file_that_is_not_a_video(tmp_path):
    from vib.media.errors import MediaError

    path = tmp_path / "notes.txt"
    path.write_text("not a video")
    with pytest.raises(MediaError):
        frame_times_ms(str(path))


@pytest.mark.parametrize("name", ["camcorder.ts", "flash.flv", "mjpeg.avi", "long_gop.mp4"])
def test_a_single_time_far_into_the_clip_is_exact_in_every_container(videos, name):
    times = frame_times(SPECS[name])
    for t_ms in (int((times[-1] - times[0]) * 1000) - 100, int((times[len(times) // 2] - times[0]) * 1000)):
        [(t, frame)] = list(frames_at(str(videos[name]), [t_ms]))
        assert shown_index(frame) == expected_index(times, t_ms)
