"""The tus 1.0 protocol (https://tus.io/protocols/resumable-upload) on the web side: reading its
request headers and writing its answer headers. What an upload may do is decided in
vib.clips.operations (begin_upload, receive_piece, finish_upload, end_upload); the views in
vib.clips.views join the two.

Extensions: creation, termination, expiration and checksum. An upload's metadata (Upload-Metadata)
names its case (`case_id`) and may give a `title`; a `filename` is accepted and never kept, because file
names of recordings often name the family.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from werkzeug.http import http_date

from vib.clips.models import UploadSession
from vib.clips.operations import CHECKSUM_ALGORITHMS, Checksum
from vib.core.errors import abort_with

VERSION = "1.0.0"
EXTENSIONS = "creation,termination,expiration,checksum"
PIECE_TYPE = "application/offset+octet-stream"
READ_BYTES = 1024 * 1024  # how much of a piece is read from the request at a time


def require_version() -> None:
    """Every tus request but OPTIONS names the version it speaks (412 otherwise)."""
    if request.method != "OPTIONS" and request.headers.get("Tus-Resumable") != VERSION:
        abort_with(412, _l("This is a tus %(version)s server: send the header Tus-Resumable: %(version)s.", version=VERSION))


def answer_headers(response):
    """Every tus answer says the version; a refused version also lists the ones spoken."""
    response.headers["Tus-Resumable"] = VERSION
    if response.status_code == 412:
        response.headers["Tus-Version"] = VERSION
    return response


def capabilities() -> dict:
    """The OPTIONS answer: what this server speaks and the largest upload it takes."""
    return {
        "Tus-Version": VERSION,
        "Tus-Extension": EXTENSIONS,
        "Tus-Max-Size": str(current_app.config["VIB_MAX_UPLOAD_MB"] * 1024 * 1024),
        "Tus-Checksum-Algorithm": ",".join(CHECKSUM_ALGORITHMS),
    }


def state(upload: UploadSession) -> dict:
    """Where an upload stands (HEAD, and after every PATCH)."""
    return {"Upload-Offset": str(upload.received_bytes), "Upload-Length": str(upload.size_bytes), **expiry(upload)}


def expiry(upload: UploadSession) -> dict:
    return {"Upload-Expires": http_date(upload.expires_at)}


def byte_count(name: str) -> int:
    """A header holding a number of bytes (Upload-Length, Upload-Offset)."""
    raw = request.headers.get(name, "")
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        abort_with(400, _l("Give %(header)s as a whole number of bytes.", header=name))
    return int(raw)


def metadata() -> dict[str, str]:
    """Upload-Metadata: comma-separated pairs of a key and its value in base64 (the value may be absent)."""
    pairs = {}
    for item in request.headers.get("Upload-Metadata", "").split(","):
        if not item.strip():
            continue
        key, _, value = item.strip().partition(" ")
        try:
            pairs[key] = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            abort_with(400, _l("Upload-Metadata is not valid: the value of %(key)s is not text in base64.", key=key[:40]))
    return pairs


def case_id(pairs: dict[str, str]) -> int | None:
    raw = pairs.get("case_id", "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 10 else None


def checksum() -> Checksum | None:
    """Upload-Checksum: an algorithm and the piece's digest in base64 (400 for an algorithm not spoken)."""
    header = request.headers.get("Upload-Checksum")
    if header is None:
        return None
    algorithm, _, value = header.strip().partition(" ")
    if algorithm not in CHECKSUM_ALGORITHMS:
        abort_with(400, _l("Upload-Checksum: vib checks %(names)s.", names=", ".join(CHECKSUM_ALGORITHMS)))
    try:
        return Checksum(algorithm, base64.b64decode(value.strip(), validate=True))
    except (binascii.Error, ValueError):
        abort_with(400, _l("Upload-Checksum: the digest is not base64."))


def require_piece_type() -> None:
    if request.mimetype != PIECE_TYPE:
        abort_with(415, _l("Send the piece as %(type)s.", type=PIECE_TYPE))


def piece() -> Iterator[bytes]:
    """The request body in chunks as it is read, never whole in memory twice."""
    stream = request.stream
    while chunk := stream.read(READ_BYTES):
        yield chunk
