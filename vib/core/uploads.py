"""Uploaded files stream to disk, into the media folder's tmp/, never into memory.

Whatever an upload request leaves there (a refused file, a broken connection) is deleted when the
request ends; an accepted file has been moved into place by then.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from flask import Flask, Request, current_app, g, request

from vib.core import storage


class StreamingRequest(Request):
    def _get_file_stream(self, total_content_length, content_type, filename=None, content_length=None):
        temp = storage.current().new_temp_file()
        g.setdefault("upload_temp_files", []).append(temp)
        return temp


def _remove_leftovers(_exc) -> None:
    for temp in g.pop("upload_temp_files", []):
        temp.close()
        if os.path.exists(temp.name):
            os.unlink(temp.name)


SMALL_BODY = 1024 * 1024  # every other request: forms and JSON


def upload_view(view: Callable) -> Callable:
    """Mark a view that receives uploaded files: it may get bodies of up to VIB_MAX_UPLOAD_MB."""
    view.vib_accepts_upload = True
    return view


def piece_view(view: Callable) -> Callable:
    """Mark a view that receives one piece of an upload: bodies of up to VIB_UPLOAD_PIECE_BYTES."""
    view.vib_accepts_piece = True
    return view


def body_limit(max_bytes: int, message=None) -> Callable[[Callable], Callable]:
    """Mark a view that receives one small file (an import, a transcript): a body of up to `max_bytes`
    and a little for the form around it; a larger one is refused before it is read, with `message` (a
    lazy text that may use %(mb)d) or the upload's own."""

    def mark(view: Callable) -> Callable:
        view.vib_body_limit = (max_bytes, message)
        return view

    return mark


def body_limit_of(endpoint: str | None) -> tuple[int, object] | None:
    """(max_bytes, message) of a view marked with `body_limit`."""
    view = current_app.view_functions.get(endpoint) if endpoint else None
    return getattr(view, "vib_body_limit", None)


FORM_SLACK = 64 * 1024  # the multipart boundaries and headers around a file


def accepts_upload(endpoint: str | None) -> bool:
    view = current_app.view_functions.get(endpoint) if endpoint else None
    return bool(getattr(view, "vib_accepts_upload", False))


def _limit_body() -> None:
    """Allow VIB_MAX_UPLOAD_MB on the (whole-file) upload views, a piece on the piece view; everything
    else is refused past 1 MB before it is read (registered before the CSRF check, which reads the form)."""
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    if getattr(view, "vib_body_limit", None):
        request.max_content_length = view.vib_body_limit[0] + FORM_SLACK
    elif getattr(view, "vib_accepts_piece", False):
        request.max_content_length = current_app.config["VIB_UPLOAD_PIECE_BYTES"]
    elif not getattr(view, "vib_accepts_upload", False):
        request.max_content_length = SMALL_BODY


def init_app(app: Flask) -> None:
    app.request_class = StreamingRequest
    app.before_request(_limit_body)
    app.teardown_request(_remove_leftovers)
