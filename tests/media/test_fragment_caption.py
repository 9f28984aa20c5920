"""A downloaded fragment carries a burnt-in line (organisation, user, date) in its bottom-left corner."""

import av
import cv2
import numpy as np
import pytest

from vib.media.fragments import burn_caption, caption_ascii
from vib.media.frames import frame_times_ms
from vib.media.probe import probe
from vib.media.synth import ClipSpec, MovingPictureSpec, make_clip, make_moving_picture_clip
from vib.media.thumbs import upright

CAPTION = "Jeugdzorg Noord · Eva Bakker · 2026-12-02"


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    folder = tmp_path_factory.mktemp("caption")
    paths = {}
    # Dark: the synthetic index grid (its bottom-left cell is black), with a tone.
    paths["dark"] = folder / "dark.mp4"
    make_clip(paths["dark"], ClipSpec(seconds=2, audio=True, gop=25))
    # Light: a bright, textured picture filling the frame, with a tone.
    paths["light"] = folder / "light.mp4"
    light = np.random.default_rng(5).integers(190, 256, (240, 320, 3), dtype=np.uint8)
    make_moving_picture_clip(paths["light"], light, MovingPictureSpec(seconds=2, picture_height=1.0))
    # Portrait, stored on its side, without sound.
    paths["rotated"] = folder / "rotated.mp4"
    make_clip(paths["rotated"], ClipSpec(seconds=1, rotation=-90))
    return paths


def grey_pictures(path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [cv2.cvtColor(upright(f), cv2.COLOR_BGR2GRAY) for f in container.decode(video=0)]


def corner(image: np.ndarray) -> np.ndarray:
    h, w = image.shape
    return image[int(h * 0.93) : int(h * 0.97), int(w * 0.03) : int(w * 0.45)]


def samples(path) -> int | None:
    with av.open(str(path)) as container:
        if not container.streams.audio:
            return None
        return sum(f.samples for f in container.decode(audio=0))


def audio_packets(path) -> list[bytes]:
    with av.open(str(path)) as container:
        return [bytes(p) for p in container.demux(audio=0) if p.size]


@pytest.mark.parametrize("name", ["dark", "light", "rotated"])
def test_the_caption_is_in_the_corner_of_every_frame_and_the_rest_is_untouched(sources, name, tmp_path):
    source, target = sources[name], tmp_path / "download.mp4"
    facts = burn_caption(str(source), str(target), CAPTION)
    before, after = grey_pictures(source), grey_pictures(target)
    assert len(after) == len(before) == facts.frame_count
    for i, (src, out) in enumerate(zip(before, after, strict=True)):
        box = corner(out)
        assert np.abs(box.astype(int) - corner(src).astype(int)).mean() > 10, f"frame {i}: corner unchanged"
        assert (box < 90).mean() > 0.5, f"frame {i}: no dark box"
        assert (box > 190).mean() > 0.02, f"frame {i}: no bright letters"
        # Away from the corner (the bottom 15 % of the left 90 % holds the box), the picture is as it was.
        h, w = src.shape
        rest = np.ones(src.shape, bool)
        rest[int(h * 0.85) :, : int(w * 0.9)] = False
        assert np.abs(out[rest].astype(int) - src[rest].astype(int)).mean() < 3, f"frame {i}: picture changed"


@pytest.mark.parametrize("name", ["dark", "light", "rotated"])
def test_frames_timing_and_audio_are_the_sources(sources, name, tmp_path):
    source, target = sources[name], tmp_path / "download.mp4"
    burn_caption(str(source), str(target), CAPTION)
    before, after = probe(source), probe(target)
    assert after.frame_count == before.frame_count
    assert abs(after.duration_ms - before.duration_ms) <= 40  # one frame at 25 fps
    assert after.rotation == before.rotation
    assert (after.width, after.height) == (before.width, before.height)
    assert frame_times_ms(target) == frame_times_ms(source)
    assert samples(target) == samples(source)
    if name != "rotated":
        assert samples(source) and after.audio_codec == "aac"
        assert audio_packets(target) == audio_packets(source)  # copied, not re-encoded


def test_characters_a_hershey_font_lacks_are_transliterated_or_dropped(sources, tmp_path):
    assert caption_ascii(CAPTION) == "Jeugdzorg Noord - Eva Bakker - 2026-12-02"
    assert caption_ascii("Zoë Müller-Straße — Ærø") == "Zoe Muller-Strasse - AEro"
    assert caption_ascii("日本 ok 🙂\n2026") == "ok 2026"
    facts = burn_caption(str(sources["rotated"]), str(tmp_path / "d.mp4"), "Zoë 日本 · Noël")
    assert facts.frame_count == 25
