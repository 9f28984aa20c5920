"""Where media bytes live. One small interface; a local folder implements it today.

Keys are relative paths such as "clips/12/original". `path(key)` is a local file that decoders and
send_file can use; an object store would implement it by downloading to a temporary file.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import current_app


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.tmp_dir = self.root / "tmp"
        self.tmp_dir.mkdir(parents=True, exist_ok=True)

    def path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"storage key outside the media folder: {key!r}")
        return path

    def new_temp_file(self, prefix: str = "upload-", suffix: str = ""):
        """An open temporary file inside the media folder, so moving it into place is a rename."""
        return tempfile.NamedTemporaryFile(dir=self.tmp_dir, prefix=prefix, suffix=suffix, delete=False)

    def move_in(self, source: Path, key: str) -> None:
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)

    @contextmanager
    def writing(self, key: str) -> Iterator[Path]:
        """A temporary path to write; it becomes `key` only when the block finishes without error."""
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=target.suffix)
        os.close(fd)
        try:
            yield Path(tmp)
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    def discard_unfinished(self, key: str) -> None:
        """Remove what a `writing(key)` block left when the process stopped inside it."""
        target = self.path(key)
        for leftover in target.parent.glob(f".{target.name}.*"):
            leftover.unlink(missing_ok=True)

    def write_bytes(self, key: str, data: bytes) -> None:
        with self.writing(key) as tmp:
            tmp.write_bytes(data)

    def read_bytes(self, key: str) -> bytes:
        return self.path(key).read_bytes()

    def delete(self, key: str) -> None:
        """Remove a file, or a folder with everything below it."""
        path = self.path(key)
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def init_app(app) -> None:
    app.extensions["vib.storage"] = LocalStorage(app.config["VIB_MEDIA_DIR"])


def current() -> LocalStorage:
    return current_app.extensions["vib.storage"]
