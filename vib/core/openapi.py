"""An OpenAPI 3.1 description of the JSON API, made from the code: every `/api/` route with its
methods and path parameters, and the JSON body each view declares (`core.api.accepts`) as the
JSON Schema of its model. Served at /api/openapi.json; the test suite fuzzes the API with it
(schemathesis) and requires that no request, however malformed, answers 5xx."""

from __future__ import annotations

import re

from flask import Flask, current_app, jsonify
from werkzeug.routing import Rule

ERROR = {"type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]}
SKIPPED_METHODS = {"HEAD", "OPTIONS"}
# Bodies that are not JSON: a whole file (multipart) or a piece of one (bytes, tus).
RAW_BODIES = {
    "clips.api_upload": {"multipart/form-data": {"schema": {"type": "object", "properties": {
        "case_id": {"type": "integer"}, "title": {"type": "string"}, "file": {"type": "string", "format": "binary"}}}}},
    "clips.api_transcript_upload": {"multipart/form-data": {"schema": {"type": "object", "properties": {
        "language": {"type": "string"}, "speakers": {"type": "string"}, "file": {"type": "string", "format": "binary"}}}}},
    "clips.tus.tus_send": {"application/offset+octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    "interop.import_moments": {"multipart/form-data": {"schema": {"type": "object", "properties": {
        "file": {"type": "string", "format": "binary"}}}}},
}  # fmt: skip
# Query parameters a view reads (besides the path's).
QUERIES = {
    "interop.export_clip": [{"name": "format", "in": "query", "required": True, "schema": {"enum": ["eaf", "boris", "csv", "vtt"]}}],
    "interop.import_moments": [{"name": "dry_run", "in": "query", "required": False, "schema": {"enum": ["1", "0"]}}],
}
# Uploads in pieces speak tus 1.0 (docs/api.md): what they need is in headers, not in a JSON body.
# (HEAD, where an upload stands, and OPTIONS, what the server speaks, are left out with all the others.)
TUS_VERSION = {"name": "Tus-Resumable", "in": "header", "required": True, "schema": {"const": "1.0.0"}}
BYTES = {"type": "integer", "minimum": 0}
HEADERS = {
    "clips.tus.tus_create": [
        TUS_VERSION,
        {"name": "Upload-Length", "in": "header", "required": True, "schema": BYTES},
        {"name": "Upload-Metadata", "in": "header", "required": True, "schema": {"type": "string"},
         "description": "case_id and title, each a key and its value in base64, separated by commas"},
    ],
    "clips.tus.tus_send": [
        TUS_VERSION,
        {"name": "Upload-Offset", "in": "header", "required": True, "schema": BYTES},
        {"name": "Upload-Checksum", "in": "header", "required": False, "schema": {"type": "string"}},
    ],
    "clips.tus.tus_end": [TUS_VERSION],
}  # fmt: skip


def document(app: Flask) -> dict:
    paths: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith("/api/") or rule.endpoint == "openapi":
            continue
        view = app.view_functions[rule.endpoint]
        path, parameters = _path(rule)
        for method in sorted((rule.methods or set()) - SKIPPED_METHODS):
            operation = {
                "operationId": f"{rule.endpoint}.{method.lower()}",
                "summary": (view.__doc__ or rule.endpoint).strip().splitlines()[0],
                "parameters": parameters + HEADERS.get(rule.endpoint, []) + QUERIES.get(rule.endpoint, []),
                "responses": {
                    "2XX": {"description": "done"},
                    "4XX": {"description": "refused, with the reason", "content": {"application/json": {"schema": ERROR}}},
                },
                "security": [{"token": []}],
            }
            body = _body(rule.endpoint, view)
            if body is not None:
                operation["requestBody"] = {"content": body}
            paths.setdefault(path, {})[method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "vib API", "version": "1", "description": "Video Interaction Guidance: see docs/api.md."},
        "paths": paths,
        "components": {"securitySchemes": {"token": {"type": "http", "scheme": "bearer"}}},
    }


PLACEHOLDER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def _path(rule: Rule) -> tuple[str, list[dict]]:
    """/api/clips/<int:clip_id> → /api/clips/{clip_id}, with its parameter described."""
    parameters = []
    for converter, name in PLACEHOLDER.findall(rule.rule):
        kind = {"type": "integer", "minimum": 0} if converter == "int" else {"type": "string"}
        parameters.append({"name": name, "in": "path", "required": True, "schema": kind})
    return PLACEHOLDER.sub(lambda match: "{" + match.group(2) + "}", rule.rule), parameters


def _body(endpoint: str, view) -> dict | None:
    if endpoint in RAW_BODIES:
        return RAW_BODIES[endpoint]
    model = getattr(view, "vib_body", None)
    return {"application/json": {"schema": model.model_json_schema()}} if model is not None else None


def _serve():
    return jsonify(document(current_app))


def init_app(app: Flask) -> None:
    app.add_url_rule("/api/openapi.json", "openapi", _serve)
