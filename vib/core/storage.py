"""Where media bytes live. One small interface; a local folder implements it today.

Keys are relative names such as "clips/12/original"; nothing outside this module holds a file path.
Media code that needs a real file (PyAV decodes and encodes files) asks for one: `local_path(key)` to
read, `writing(key)` to write. Views answer with `send(key, mimetype)`. An object store would download
to, or upload from, a temporary file there, and answer `send` with a presigned URL.

Every method refuses a key that is empty, absolute or climbs with "..", and reading a key that holds
nothing raises FileNotFoundError.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path, PurePosixPath
from typing import IO, BinaryIO
from urllib.parse import quote

from flask import Response, current_app, send_file


class Storage(ABC):
    """The contract every backend keeps; tests/core/test_storage.py checks it for each backend."""

    @abstractmethod
    def save(self, key: str, data: bytes | BinaryIO) -> None:
        """Store bytes, or everything a readable binary file gives, as `key`, replacing it whole."""

    @abstractmethod
    def read_bytes(self, key: str) -> bytes: ...

    @abstractmethod
    def open(self, key: str) -> BinaryIO:
        """A readable binary file object; the caller closes it."""

    @abstractmethod
    def exists(self, key: str) -> bool: ...

    @abstractmethod
    def size(self, key: str) -> int:
        """The number of bytes stored as `key`."""

    @abstractmethod
    def send(self, key: str, mimetype: str) -> Response:
        """The response serving `key` to the current request: whole (200), a Range (206), or 304 when
        the browser's If-None-Match / If-Modified-Since still holds; If-Range is honoured. Everything
        stored shows families, so the response is private, never stored by the browser, and inline
        (no file name). With a front server that sends files itself (VIB_MEDIA_ACCEL), an empty
        answer naming the file in X-Accel-Redirect, with those same headers."""

    @abstractmethod
    def local_path(self, key: str) -> AbstractContextManager[Path]:
        """A local file holding `key`'s bytes while the block runs, for media code that needs a file.
        Read it only: on the local backend it is the stored file itself."""

    @abstractmethod
    def writing(self, key: str) -> AbstractContextManager[Path]:
        """A local temporary path to write (an encoder's output); it becomes `key` only when the block
        finishes without error, replacing what was there at once. On error nothing is left."""

    @abstractmethod
    def discard_unfinished(self, key: str) -> None:
        """Remove what a `writing(key)` block left when the process stopped inside it."""

    @abstractmethod
    def new_temp_file(self, prefix: str = "upload-", suffix: str = "") -> IO[bytes]:
        """An open, named local temporary file (`.name` is its path) for an upload to stream into;
        the caller deletes it unless `move_in` took it."""

    @abstractmethod
    def remove_temp_files(self, unchanged_for: float = 0.0, sparing: str | None = None) -> int:
        """Delete temporary files (uploads being received) not written for `unchanged_for` seconds:
        what a crash left behind; names starting with `sparing` stay. Returns how many."""

    @abstractmethod
    def append_temp(self, name: str, data: bytes | Iterable[bytes]) -> int:
        """Add `data` (bytes, or the chunks of a request body as they are read) to the temporary file
        `name` (made when missing); returns its size now."""

    @abstractmethod
    def truncate_temp(self, name: str, size: int) -> None:
        """Cut the temporary file `name` back to `size` bytes (a piece refused half-way is not kept)."""

    @abstractmethod
    def lock_temp(self, name: str) -> TempLock | None:
        """Hold the temporary file `name` for one writer (made when missing), or None when another
        holds it: two requests must never append to one upload at once. The caller releases it."""

    @abstractmethod
    def temp_size(self, name: str) -> int:
        """How many bytes the temporary file `name` holds (0 when there is none)."""

    @abstractmethod
    def temp_path(self, name: str) -> Path:
        """Where the temporary file `name` is (for `move_in` and the media code)."""

    @abstractmethod
    def move_in(self, source: Path, key: str) -> None:
        """Store a local file (one from `new_temp_file`) as `key`; the file is gone afterwards."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove one key; a key holding nothing is fine."""

    @abstractmethod
    def keys(self, prefix: str) -> list[str]:
        """Every key below the folder `prefix`, sorted (none when it holds nothing)."""

    @abstractmethod
    def delete_prefix(self, prefix: str) -> None:
        """Remove every key below `prefix` ("clips/12" removes "clips/12/..." but not "clips/123")."""

    @staticmethod
    def check_key(key: str) -> str:
        parts = PurePosixPath(key).parts
        if not parts or key.startswith("/") or ".." in parts:
            raise ValueError(f"not a storage key: {key!r}")
        return key


class TempLock:
    """A temporary file held for one writer until `release()` (which may be called more than once)."""

    def __init__(self, file: IO[bytes]) -> None:
        self.file = file

    def release(self) -> None:
        if not self.file.closed:
            self.file.close()  # closing drops the lock


class LocalStorage(Storage):
    """Keys are files below a folder. Uploads stream into its tmp/ folder, so moving one into place is a
    rename, and `writing` writes beside the target, so finishing is an atomic rename too."""

    def __init__(self, root: Path, accel_prefix: str = "") -> None:
        self.root = Path(root)
        self.accel_prefix = _accel_prefix(accel_prefix)
        self.tmp_dir = self.root / "tmp"
        self.tmp_dir.mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o700)  # families' video: for vib's own account only

    def _path(self, key: str) -> Path:
        path = (self.root / self.check_key(key)).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"storage key outside the media folder: {key!r}")
        return path

    def _file(self, key: str) -> Path:
        path = self._path(key)
        if not path.is_file():
            raise FileNotFoundError(f"nothing stored as {key!r}")
        return path

    def save(self, key: str, data: bytes | BinaryIO) -> None:
        with self.writing(key) as tmp:
            if isinstance(data, bytes | bytearray | memoryview):
                tmp.write_bytes(data)
            else:
                with tmp.open("wb") as out:
                    shutil.copyfileobj(data, out)

    def read_bytes(self, key: str) -> bytes:
        return self._file(key).read_bytes()

    def open(self, key: str) -> BinaryIO:
        return self._file(key).open("rb")

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def size(self, key: str) -> int:
        return self._file(key).stat().st_size

    def send(self, key: str, mimetype: str) -> Response:
        path = self._file(key)
        if self.accel_prefix:
            # The front server sends the file (Range and ETag included) from its internal location
            # aliasing this folder; vib has checked access already. It keeps these headers.
            response = Response(status=200, mimetype=mimetype)
            response.headers["X-Accel-Redirect"] = self.accel_prefix + quote(key)
        else:
            # A path, not an open file: only then does Werkzeug answer Range, If-Range and ETag requests.
            response = send_file(path, mimetype=mimetype, conditional=True, max_age=0)
        response.headers["Cache-Control"] = "private, no-store"
        response.headers["Content-Disposition"] = "inline"
        return response

    @contextmanager
    def local_path(self, key: str) -> Iterator[Path]:
        yield self._file(key)

    @contextmanager
    def writing(self, key: str) -> Iterator[Path]:
        target = self._path(key)
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
        target = self._path(key)
        for leftover in target.parent.glob(f".{target.name}.*"):
            leftover.unlink(missing_ok=True)

    def new_temp_file(self, prefix: str = "upload-", suffix: str = "") -> IO[bytes]:
        return tempfile.NamedTemporaryFile(dir=self.tmp_dir, prefix=prefix, suffix=suffix, delete=False)

    def remove_temp_files(self, unchanged_for: float = 0.0, sparing: str | None = None) -> int:
        now = time.time()
        stale = [
            path
            for path in self.tmp_dir.iterdir()
            if path.is_file() and now - path.stat().st_mtime >= unchanged_for and not (sparing and path.name.startswith(sparing))
        ]
        for path in stale:
            path.unlink(missing_ok=True)
        return len(stale)

    def temp_size(self, name: str) -> int:
        path = self.temp_path(name)
        return path.stat().st_size if path.exists() else 0

    def append_temp(self, name: str, data: bytes | Iterable[bytes]) -> int:
        path = self.temp_path(name)
        with open(path, "ab") as target:
            for chunk in [data] if isinstance(data, bytes | bytearray | memoryview) else data:
                target.write(chunk)
            return target.tell()

    def truncate_temp(self, name: str, size: int) -> None:
        os.truncate(self.temp_path(name), size)

    def lock_temp(self, name: str) -> TempLock | None:
        # flock holds across threads and processes of this machine, which is where this folder is.
        file = open(self.temp_path(name), "ab")  # noqa: SIM115 (the lock holds it open until released)
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.close()
            return None
        return TempLock(file)

    def temp_path(self, name: str) -> Path:
        if "/" in name or name.startswith("."):
            raise ValueError(f"not a temporary file name: {name!r}")
        return self.tmp_dir / name

    def move_in(self, source: Path, key: str) -> None:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)

    def delete(self, key: str) -> None:
        path = self._path(key)
        if path.is_dir():  # an object store would delete nothing here: fail, so the mistake shows
            raise IsADirectoryError(f"{key!r} is a prefix: use delete_prefix")
        path.unlink(missing_ok=True)

    def keys(self, prefix: str) -> list[str]:
        folder = self._path(prefix.rstrip("/"))
        if not folder.is_dir():
            return []
        return sorted(f"{prefix.rstrip('/')}/{path.relative_to(folder).as_posix()}" for path in folder.rglob("*") if path.is_file())

    def delete_prefix(self, prefix: str) -> None:
        path = self._path(prefix.rstrip("/"))
        if path.is_dir():
            shutil.rmtree(path)


def _accel_prefix(prefix: str) -> str:
    """The front server's internal location for X-Accel-Redirect ("/protected-media/"), or "" for none."""
    if not prefix:
        return ""
    if not prefix.startswith("/"):
        raise ValueError(f"VIB_MEDIA_ACCEL must be a path starting with '/', not {prefix!r}")
    return prefix if prefix.endswith("/") else prefix + "/"


def init_app(app) -> None:
    app.extensions["vib.storage"] = LocalStorage(app.config["VIB_MEDIA_DIR"], app.config.get("VIB_MEDIA_ACCEL", ""))


def current() -> Storage:
    return current_app.extensions["vib.storage"]
