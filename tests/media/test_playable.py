"""The playable rendition: H.264/AAC MP4 with its index first, same frames at the same times."""

import struct

import pytest

from vib.media.frames import frames_at
from vib.media.playable import make_playable, needs_transcoding, scaled_size
from vib.media.probe import probe
from vib.media.synth import read_index
from vib.media.thumbs import upright


def top_level_boxes(path) -> list[str]:
    boxes, data, offset = [], open(path, "rb").read(), 0
    while offset + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        boxes.append(kind.decode("latin-1"))
        if size == 1:
            size = struct.unpack(">Q", data[offset + 8 : offset + 16])[0]
        offset += size if size else len(data)
    return boxes


def render(videos, name, tmp_path):
    source = videos[name]
    target = tmp_path / "playable.mp4"
    progress = []
    make_playable(str(source), str(target), probe(source), progress.append)
    return source, target, progress


@pytest.mark.parametrize(
    "name, transcoded",
    [
        ("cfr.mp4", False),
        ("phone.mp4", False),
        ("vfr.mp4", False),
        ("rotated.mp4", False),
        ("hevc.mov", True),
        ("vp9.webm", True),
        ("mjpeg.avi", True),
        ("wide.mp4", True),
        ("old_phone.3gp", True),
    ],
)
def test_rendition_is_browser_playable_and_keeps_every_frame_in_time(videos, name, transcoded, tmp_path):
    assert needs_transcoding(probe(videos[name])) == transcoded
    source, target, progress = render(videos, name, tmp_path)
    before, after = probe(source), probe(target)
    assert after.video_codec == "h264" and after.pix_fmt == "yuv420p"
    assert after.audio_codec == ("aac" if before.has_audio else None)
    boxes = top_level_boxes(target)
    assert boxes.index("moov") < boxes.index("mdat"), "index must come first (faststart)"
    assert after.rotation == before.rotation
    assert after.frame_count == before.frame_count
    assert after.variable_frame_rate == before.variable_frame_rate
    times = [0, 333, 1000, 1777, before.duration_ms - 1]
    shown = lambda path: [read_index(upright(f)) for _, f in frames_at(str(path), times)]  # noqa: E731
    assert shown(target) == shown(source)
    assert progress[-1] == 1.0


def test_long_side_is_capped_and_never_enlarged(videos, tmp_path):
    _, target, _ = render(videos, "wide.mp4", tmp_path)
    facts = probe(target)
    assert (facts.width, facts.height) == (1920, 230)
    assert scaled_size(320, 240) == (320, 240)


def test_transcoding_reports_progress_as_it_goes(videos, tmp_path):
    _, _, progress = render(videos, "hevc.mov", tmp_path)
    assert len(progress) > 5
    assert progress == sorted(progress)
