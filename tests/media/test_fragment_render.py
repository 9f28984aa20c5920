"""De-identified fragments: chosen faces and regions blurred in every frame, audio kept, muted or disguised."""

import av
import cv2
import numpy as np
import pytest

from tests.videos import astronaut_head
from vib.media.faces import find_faces
from vib.media.fragments import FACE_MARGIN, render_fragment
from vib.media.probe import probe
from vib.media.synth import MovingPictureSpec, make_moving_picture_clip

REGION = {"x": 0.0, "y": 0.0, "w": 0.25, "h": 0.2, "start_ms": 1000, "end_ms": 2000}


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    folder = tmp_path_factory.mktemp("render")
    path = folder / "face.mp4"
    make_moving_picture_clip(path, astronaut_head(), MovingPictureSpec(seconds=3, visible_from=0.4))
    return path, find_faces(str(path), every=3)


def pictures(path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [cv2.cvtColor(f.to_ndarray(format="bgr24"), cv2.COLOR_BGR2GRAY) for f in container.decode(video=0)]


def pixels(box, shape):
    h, w = shape
    x, y, bw, bh = box
    return slice(max(0, int(y * h)), min(h, int(np.ceil((y + bh) * h)))), slice(max(0, int(x * w)), min(w, int(np.ceil((x + bw) * w))))


def detail(image, box) -> float:
    area = image[pixels(box, image.shape)]
    return float(cv2.Laplacian(area, cv2.CV_64F).var()) if area.size else 0.0


def grown(box, margin=FACE_MARGIN):
    x, y, w, h = box
    return x - w * margin, y - h * margin, w * (1 + 2 * margin), h * (1 + 2 * margin)


def inset(box, by=0.1):
    x, y, w, h = box
    return x + w * by, y + h * by, w * (1 - 2 * by), h * (1 - 2 * by)


def test_every_face_box_and_region_loses_its_detail_and_the_rest_stays(clip, tmp_path):
    path, tracks = clip
    assert tracks, "the detector found the face"
    target = tmp_path / "blurred.mp4"
    facts = render_fragment(str(path), str(target), tracks, "all", regions=[REGION], audio="keep")
    before, after = pictures(path), pictures(target)
    assert len(after) == len(before) == facts.frame_count
    times = [i * 40 for i in range(len(before))]
    blurred_frames = 0
    for i, (src, out) in enumerate(zip(before, after, strict=True)):
        boxes = [grown(t.boxes[i]) for t in tracks if i in t.boxes]
        if REGION["start_ms"] - 40 < times[i] < REGION["end_ms"]:
            boxes.append((REGION["x"], REGION["y"], REGION["w"], REGION["h"]))
        mask = np.zeros(src.shape, bool)
        for box in boxes:
            # The edge of a blurred box meets the sharp picture; judge its inside (a block of the codec in).
            assert detail(out, inset(box)) < 30, f"frame {i}: detail left in {box}"
            assert detail(out, inset(box)) < 0.2 * detail(src, inset(box))
            mask[pixels(box, src.shape)] = True
            blurred_frames += 1
        # Outside the boxes (a margin of 16 pixels for the codec's blocks), the picture is as it was.
        outside = ~cv2.dilate(mask.astype(np.uint8), np.ones((33, 33), np.uint8)).astype(bool)
        assert np.abs(out[outside].astype(int) - src[outside].astype(int)).mean() < 3
    assert blurred_frames > len(before) * 0.8


def test_a_kept_face_is_untouched(clip, tmp_path):
    path, tracks = clip
    target = tmp_path / "kept.mp4"
    render_fragment(str(path), str(target), tracks, blur_track_ids=[], audio="keep")
    before, after = pictures(path), pictures(target)
    track = tracks[0]
    for i, box in track.boxes.items():
        assert detail(after[i], box) > 0.7 * detail(before[i], box)


def tone_of(path) -> tuple[np.ndarray, int]:
    with av.open(str(path)) as container:
        rate = container.streams.audio[0].codec_context.sample_rate
        return np.concatenate([f.to_ndarray()[0] for f in container.decode(audio=0)]), rate


def peak_hz(samples, rate) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1 / rate)[np.argmax(spectrum)])


def test_muted_audio_is_silence_of_the_same_length(clip, tmp_path):
    path, tracks = clip
    target = tmp_path / "muted.mp4"
    render_fragment(str(path), str(target), tracks, audio="mute")
    samples, rate = tone_of(target)
    assert np.sqrt(np.mean(samples**2)) < 1e-4
    assert len(samples) / rate == pytest.approx(probe(target).duration_ms / 1000, abs=0.05)


def test_a_disguised_voice_changes_pitch_and_keeps_its_length(clip, tmp_path):
    path, tracks = clip
    target = tmp_path / "disguised.mp4"
    render_fragment(str(path), str(target), tracks, audio="disguise")
    original, rate = tone_of(path)
    disguised, rate_out = tone_of(target)
    assert peak_hz(original[4800:-4800], rate) == pytest.approx(440, abs=5)
    assert peak_hz(disguised[4800:-4800], rate_out) == pytest.approx(440 * 0.8, abs=10)
    assert len(disguised) / rate_out == pytest.approx(len(original) / rate, rel=0.03)
    assert np.sqrt(np.mean(disguised[4800:-4800] ** 2)) > 0.05
