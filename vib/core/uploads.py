"""Uploaded files stream to disk, into the media folder's tmp/, never into memory.

Whatever an upload request leaves there (a refused file, a broken connection) is deleted when the
request ends; an accepted file has been moved into place by then.
"""

from __future__ import annotations

import os

from flask import Flask, Request, g, request

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


UPLOAD_ENDPOINTS = {"clips.api_upload", "clips.upload_page"}
SMALL_BODY = 1024 * 1024  # every other request: forms and JSON


def _limit_body() -> None:
    """Allow VIB_MAX_UPLOAD_MB on the upload routes only; everything else is refused past 1 MB
    before it is read (registered before the CSRF check, which reads the form)."""
    if request.endpoint not in UPLOAD_ENDPOINTS:
        request.max_content_length = SMALL_BODY


def init_app(app: Flask) -> None:
    app.request_class = StreamingRequest
    app.before_request(_limit_body)
    app.teardown_request(_remove_leftovers)
