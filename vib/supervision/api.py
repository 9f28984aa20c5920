from __future__ import annotations

from flask import Blueprint

bp = Blueprint("supervision_api", __name__)
