"""The application factory: settings, infrastructure, every feature's blueprint, the access rules."""

from __future__ import annotations

import threading

from flask import Flask, redirect, url_for
from flask_login import current_user

from vib import access as access_rules
from vib.accounts.views import bp as accounts_bp
from vib.admin.views import bp as admin_bp
from vib.cases.views import bp as cases_bp
from vib.clips import metrics as clips_metrics
from vib.clips.models import UploadSession
from vib.clips.views import bp as clips_bp
from vib.coding import privacy as coding_privacy
from vib.coding.agreement_views import bp as coding_agreement_bp
from vib.coding.suggestion_views import bp as coding_suggestions_bp
from vib.coding.views import bp as coding_bp
from vib.core import access, config, db, errors, health, i18n, jobs, metrics, openapi, security, storage, throttle, uploads
from vib.core.api import IdConverter
from vib.interop import sections as interop_sections
from vib.interop.api import bp as interop_api_bp
from vib.library import privacy as library_privacy
from vib.library import sections as library_sections
from vib.library.api import bp as library_api_bp
from vib.library.exercise_views import bp as library_exercises_bp
from vib.library.pages import bp as library_pages_bp
from vib.meetings import privacy as meetings_privacy
from vib.meetings import sections as meetings_sections
from vib.meetings.api import bp as meetings_api_bp
from vib.meetings.pages import bp as meeting_pages_bp
from vib.privacy import transcripts as privacy_transcripts
from vib.privacy.views import bp as privacy_bp
from vib.supervision import privacy as supervision_privacy
from vib.supervision.api import bp as supervision_api_bp
from vib.supervision.pages import bp as supervision_bp

BLUEPRINTS = (
    accounts_bp,
    admin_bp,
    cases_bp,
    clips_bp,
    coding_bp,
    coding_agreement_bp,
    coding_suggestions_bp,
    privacy_bp,
    supervision_api_bp,
    supervision_bp,
    library_api_bp,
    library_pages_bp,
    library_exercises_bp,
    meetings_api_bp,
    meeting_pages_bp,
    interop_api_bp,
)
# Features that fill another's registry when imported: what they keep of a clip, for privacy; what
# they count, for /metrics.
REGISTERING = (
    coding_privacy,
    privacy_transcripts,
    supervision_privacy,
    library_privacy,
    library_sections,
    meetings_privacy,
    meetings_sections,
    interop_sections,
    clips_metrics,
)


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask("vib")
    app.url_map.converters["int"] = IdConverter  # before any route is added
    app.config.update(config.load_settings(test_config))
    metrics.init_app(app)
    db.init_app(app)
    storage.init_app(app)
    uploads.init_app(app)
    jobs.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    throttle.init_app(app)
    errors.init_app(app)
    health.init_app(app)
    access_rules.install()
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    app.add_url_rule("/", "index", _start_page)
    openapi.init_app(app)
    return app


def _start_page():
    """Where vib opens: an admin (who has no cases) at the accounts, a trainer at the library,
    everyone else at their cases."""
    if access.may_do(current_user, "administer") and not current_user.has_role("worker"):
        return redirect(url_for("admin.users_page"))
    if access.may_do(current_user, "curate_library") and not current_user.has_role("worker"):
        return redirect(url_for("library_pages.library_page"))
    return redirect(url_for("cases.list_page"))


def start_background_work(app: Flask) -> int:
    """Queue again the jobs a restart interrupted (processing, and the files of deleted clips), and
    delete the whole-file uploads it cut off (none is running before the server starts); an upload in
    pieces goes on after a restart. Called by `vib serve` and `vib demo` (one process)."""
    with app.app_context(), db.unit_of_work() as session:
        removed = storage.current().remove_temp_files(sparing=UploadSession.TEMP_PREFIX)  # those can go on
        if removed:
            app.logger.warning("removed %d unfinished upload(s) from media/tmp", removed)
        return jobs.resume_unfinished(session)


def purge_daily(app: Flask) -> threading.Event:
    """Queue the daily work (the purge: deletions that are due, warnings of those near) now and then
    once a day, until the returned event is set. `vib serve` starts it; with RQ the workers do."""
    return jobs.keep_time(app, with_sweep=False, every_seconds=3600)
