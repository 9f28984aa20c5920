"""Frame-exact fragments: the first frame is the one on screen at the start, times start at 0."""

from fractions import Fraction

import av
import numpy as np
import pytest

from tests.videos import SPECS
from vib.media.fragments import cut_fragment
from vib.media.frames import frame_times_ms
from vib.media.probe import probe
from vib.media.synth import frame_times, read_index
from vib.media.thumbs import upright


def on_screen(times: list[Fraction], t_ms: int) -> int:
    return max(i for i, start in enumerate(times) if (start - times[0]) * 1000 <= t_ms)


def shown(path) -> list[int | None]:
    with av.open(str(path)) as container:
        return [read_index(upright(frame)) for frame in container.decode(video=0)]


SPANS = [(0, 1000), (1010, 2500), (1999, 2001), (2345, 3456)]


def spans_inside(name: str) -> list[tuple[str, int, int]]:
    """The spans that end before the clip's last frame starts (rotated.mp4 lasts 2 s)."""
    times = frame_times(SPECS[name])
    return [(name, start, end) for start, end in SPANS if end <= float(times[-1] - times[0]) * 1000]


@pytest.mark.parametrize(
    "name, start_ms, end_ms", [span for name in ("cfr.mp4", "vfr.mp4", "rotated.mp4", "long_gop.mp4") for span in spans_inside(name)]
)
def test_fragment_starts_on_the_frame_on_screen_and_ends_at_the_end(videos, name, start_ms, end_ms, tmp_path):
    times = frame_times(SPECS[name])
    target = tmp_path / "fragment.mp4"
    facts = cut_fragment(str(videos[name]), str(target), start_ms, end_ms)
    first = on_screen(times, start_ms)
    expected = [i for i in range(len(times)) if i == first or start_ms < (times[i] - times[0]) * 1000 < end_ms]
    assert shown(target) == expected
    assert facts.frame_count == len(expected)
    assert facts.source_start_ms == pytest.approx(float(times[first] - times[0]) * 1000)
    after = probe(target)
    assert after.frame_count == len(expected)
    assert after.video_codec == "h264" and after.pix_fmt == "yuv420p"
    assert after.rotation == probe(videos[name]).rotation
    longest_frame_ms = max(float(b - a) for a, b in zip(times, times[1:], strict=False)) * 1000
    assert end_ms - start_ms - 1 <= after.duration_ms <= end_ms - start_ms + longest_frame_ms + 1
    assert frame_times_ms(target)[0] == 0
    # Every frame keeps its time relative to the first: the fragment's t is the source's start + t.
    got = frame_times_ms(target)
    want = [round(float(times[i] - times[first]) * 1000) for i in expected]
    assert all(abs(a - b) <= 1 for a, b in zip(got, want, strict=True))


def test_audio_is_cut_to_the_same_span(videos, tmp_path):
    target = tmp_path / "fragment.mp4"
    facts = cut_fragment(str(videos["cfr.mp4"]), str(target), 1000, 2500)
    with av.open(str(target)) as container:
        audio = container.streams.audio[0]
        assert audio.codec_context.name == "aac"
        samples = np.concatenate([f.to_ndarray()[0] for f in container.decode(audio=0)])
    seconds = len(samples) / audio.codec_context.sample_rate
    # AAC pads to whole frames of 1024 samples (21 ms at 48 kHz).
    assert abs(seconds - facts.duration_ms / 1000) < 0.05
    assert np.sqrt(np.mean(samples[4800:-4800] ** 2)) > 0.1  # the tone is there (0.2 * sin: RMS 0.14)


def test_a_span_that_is_not_one_is_refused(videos, tmp_path):
    with pytest.raises(ValueError):
        cut_fragment(str(videos["cfr.mp4"]), str(tmp_path / "f.mp4"), 2000, 2000)
    with pytest.raises(ValueError):
        cut_fragment(str(videos["cfr.mp4"]), str(tmp_path / "f.mp4"), -5, 2000)


def test_a_span_past_the_end_stops_with_the_last_frame(videos, tmp_path):
    times = frame_times(SPECS["cfr.mp4"])
    target = tmp_path / "fragment.mp4"
    facts = cut_fragment(str(videos["cfr.mp4"]), str(target), 3000, 9000)
    assert shown(target) == list(range(on_screen(times, 3000), len(times)))
    assert facts.duration_ms == pytest.approx(1000, abs=41)
