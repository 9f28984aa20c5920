"""The library's pages: the library (search, filters in the URL), a fragment (play it with its
learning points; trainers review faces, render, publish), collections (played in order)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from vib.core import access, db
from vib.core.api import int_arg
from vib.library import operations as ops
from vib.library.models import Collection, Fragment
from vib.library.serialise import card_json, collection_json, fragment_json
from vib.schemes import catalogue as schemes

bp = Blueprint("library_pages", __name__, url_prefix="/library")


@bp.app_context_processor
def _layout_helpers() -> dict:
    """For base.html: whether to show the Library link."""
    return {"may_read_library": lambda user: access.may_do(user, "read_library")}


def _visible():
    return access.visible(current_user, Fragment)


@bp.get("")
@login_required
def library_page():
    if not access.may_do(current_user, "read_library"):
        abort(404)
    filters = {name: request.args.get(name, "").strip() for name in ("q", "code", "scheme", "tag")}
    collection_id = int_arg("collection")
    found = ops.search(db.session(), ops.listed(_visible()), collection=collection_id, **{k: v or None for k, v in filters.items()})
    # Trainers: every fragment not published yet; workers: their own proposals (the access rules).
    to_review = [card_json(db.session(), f) for f in db.session().scalars(ops.unpublished(_visible()))]
    collections = list(db.session().scalars(access.visible(current_user, Collection).order_by(Collection.title)))
    return render_template(
        "library/library.html",
        cards=[card_json(db.session(), f) for f in found],
        filters=filters,
        collection_id=collection_id,
        collections=collections,
        to_review=to_review,
        schemes=[
            {**schemes.scheme_summary(s), "codes": [schemes.code_json(code) for code in s.codes]}
            for s in schemes.latest_schemes(db.session())
        ],
        may_curate=access.may_do(current_user, "curate_library"),
    )


@bp.get("/fragments/<int:fragment_id>")
@login_required
def fragment_page(fragment_id: int):
    fragment = access.get_or_404(current_user, "view", Fragment, fragment_id)
    ops.record_view(db.session(), current_user, fragment, access.role_on(current_user, fragment))
    collections = list(db.session().scalars(access.visible(current_user, Collection).order_by(Collection.title)))
    scheme = schemes.get_scheme(db.session(), fragment.scheme_id, fragment.scheme_version)
    return render_template(
        "library/fragment.html",
        fragment=fragment_json(db.session(), fragment, current_user),
        scheme_codes=[schemes.code_json(code) for code in scheme.codes] if scheme else [],
        collections=[c for c in collections if access.may(current_user, "edit", c)],
        expiry_limit=ops.expiry_limit(db.session()).isoformat(),
    )


@bp.get("/collections")
@login_required
def collections_page():
    if not access.may_do(current_user, "read_library"):
        abort(404)
    visible = ops.listed_ids(db.session(), _visible())
    collections = db.session().scalars(access.visible(current_user, Collection).order_by(Collection.title))
    return render_template(
        "library/collections.html",
        collections=[collection_json(db.session(), c, ops.shown_items(c, visible), current_user) for c in collections],
        may_curate=access.may_do(current_user, "curate_library"),
    )


@bp.get("/collections/<int:collection_id>")
@login_required
def collection_page(collection_id: int):
    collection = access.get_or_404(current_user, "view", Collection, collection_id)
    visible = ops.listed_ids(db.session(), _visible())
    return render_template(
        "library/collection.html", collection=collection_json(db.session(), collection, ops.shown_items(collection, visible), current_user)
    )
