"""Exchanging a clip's moments: export (ELAN, BORIS, CSV, WebVTT) and import (docs/api.md)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from vib.clips.models import Clip
from vib.core import access, db
from vib.core.api import bool_arg
from vib.core.errors import FieldError, UserError
from vib.core.uploads import body_limit
from vib.interop import operations as ops

bp = Blueprint("interop", __name__, url_prefix="/api")


@bp.get("/clips/<int:clip_id>/export")
@login_required
def export_clip(clip_id: int):
    """The moments the caller sees on the clip as a file: ?format=eaf|boris|csv (a ZIP of moments.csv
    and figures.csv)|vtt."""
    clip = access.get_or_404(current_user, "media", Clip, clip_id)
    fmt = request.args.get("format", "")
    if fmt not in ops.FORMATS:
        raise FieldError(_l("Choose a format: %(formats)s.", formats=", ".join(ops.FORMATS)), "format")
    made = ops.export_clip(db.session(), clip, current_user, fmt)
    return Response(
        made.data,
        mimetype=made.mimetype,
        headers={"Content-Disposition": f'attachment; filename="{made.filename}"', "Cache-Control": "private, no-store"},
    )


@bp.post("/clips/<int:clip_id>/import")
@login_required
@body_limit(ops.MAX_IMPORT_BYTES)
def import_moments(clip_id: int):
    """Moments from an ELAN, BORIS or vib CSV file (multipart `file`), authored by the caller;
    ?dry_run=1 reports what would happen and creates nothing."""
    clip = access.get_or_404(current_user, "code", Clip, clip_id)
    upload = request.files.get("file")
    if upload is None:
        raise FieldError(_l("Send the file to import as the form field file."), "file")
    data = upload.read(ops.MAX_IMPORT_BYTES + 1)
    if len(data) > ops.MAX_IMPORT_BYTES:
        raise UserError(
            _l("The file is too large: at most %(mb)d MB can be uploaded.", mb=ops.MAX_IMPORT_BYTES // (1024 * 1024)), status=413
        )
    dry_run = bool_arg("dry_run")
    report = ops.import_moments(db.session(), clip, current_user, data, dry_run)
    return jsonify(report), 200 if dry_run else 201
