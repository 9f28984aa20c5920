"""A filmstrip: one sprite of evenly spaced, frame-exact thumbnails, and its index."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from vib.media.frames import map_frames
from vib.media.thumbs import encode_jpeg, resize_to_width, upright

TILE_WIDTH = 160
MAX_TILES = 200
COLUMNS = 10


@dataclass(frozen=True)
class FilmstripIndex:
    times_ms: list[int]
    tile_width: int
    tile_height: int
    columns: int

    def as_dict(self) -> dict:
        return asdict(self)


def tile_times(duration_ms: int, max_tiles: int = MAX_TILES) -> list[int]:
    """About one tile a second, at most `max_tiles`, evenly spread from the start."""
    count = max(1, min(max_tiles, math.ceil(duration_ms / 1000)))
    return [duration_ms * i // count for i in range(count)]


def make_filmstrip(path: str, duration_ms: int, tile_width: int = TILE_WIDTH) -> tuple[bytes, FilmstripIndex]:
    """The sprite (JPEG, tiles left to right, top to bottom) and its index."""
    times = tile_times(duration_ms)
    by_time = map_frames(path, times, lambda frame: resize_to_width(upright(frame), tile_width))
    tiles = [by_time[t] for t in times]
    tile_h, tile_w = tiles[0].shape[:2]
    columns = min(COLUMNS, len(tiles))
    rows = math.ceil(len(tiles) / columns)
    sprite = np.zeros((rows * tile_h, columns * tile_w, 3), dtype=np.uint8)
    for i, tile in enumerate(tiles):
        r, c = divmod(i, columns)
        sprite[r * tile_h : r * tile_h + tile.shape[0], c * tile_w : c * tile_w + tile.shape[1]] = tile
    return encode_jpeg(sprite, quality=75), FilmstripIndex(times, tile_w, tile_h, columns)
