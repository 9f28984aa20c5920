import cv2
import numpy as np
import pytest

from tests.videos import SPECS
from vib.media.filmstrip import MAX_TILES, make_filmstrip, tile_times
from vib.media.frames import frames_at
from vib.media.synth import frame_times, read_index
from vib.media.thumbs import poster_jpeg, thumbnail


def decode_jpeg(data: bytes) -> np.ndarray:
    return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)


@pytest.mark.parametrize("name", ["rotated.mp4", "upside_down.mp4", "hevc.mov", "cfr.mp4"])
def test_thumbnails_are_upright_at_the_requested_width(videos, name):
    [(_, frame)] = list(frames_at(str(videos[name]), [1000]))
    image = decode_jpeg(thumbnail(frame, 160))
    assert image.shape[:2] == (120, 160)  # every test clip is 320 x 240 as displayed
    assert read_index(image) == 25, "picture is not upright or not the frame at 1 s"


def test_thumbnails_are_never_enlarged(videos):
    [(_, frame)] = list(frames_at(str(videos["cfr.mp4"]), [0]))
    assert decode_jpeg(thumbnail(frame, 1000)).shape[:2] == (240, 320)


@pytest.mark.parametrize("name", ["rotated.mp4", "cfr.mp4"])
def test_a_poster_is_the_upright_frame_on_screen_at_its_time(videos, name):
    image = decode_jpeg(poster_jpeg(str(videos[name]), 1010, 160))
    assert image.shape[:2] == (120, 160)
    assert read_index(image) == 25
    last = len(frame_times(SPECS[name])) - 1
    assert read_index(decode_jpeg(poster_jpeg(str(videos[name]), 60_000, 320))) == last  # past the end


def test_tile_times_are_about_one_a_second_and_at_most_200():
    assert tile_times(4000) == [0, 1000, 2000, 3000]
    assert len(tile_times(3_600_000)) == MAX_TILES
    assert tile_times(300) == [0]


def test_filmstrip_sprite_matches_its_index(videos):
    sprite, index = make_filmstrip(str(videos["long_gop.mp4"]), 12000)
    image = decode_jpeg(sprite)
    assert len(index.times_ms) == 12 and index.columns == 10
    assert image.shape[:2] == (2 * index.tile_height, 10 * index.tile_width)
    # Tile 11 (second row, second column) shows the frame at 11 s: index 275.
    tile = image[index.tile_height :, index.tile_width : 2 * index.tile_width]
    assert read_index(tile) == 275
