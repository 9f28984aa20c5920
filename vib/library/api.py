"""The library's JSON API: fragments, the library search, collections (docs/api.md)."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, request
from flask_login import current_user, login_required

from vib.clips.models import Clip
from vib.core import access, db, storage
from vib.core.api import accepts, int_arg, json_body
from vib.library import operations as ops
from vib.library.models import Collection, CollectionItem, Fragment
from vib.library.schemas import CollectionFields, FragmentChange, FragmentProposal, ItemChange, ItemFields, RenderChoices
from vib.library.serialise import card_json, collection_json, fragment_json, item_json

bp = Blueprint("library", __name__, url_prefix="/api")


def _fragment(fragment_id: int, action: str = "view") -> Fragment:
    return access.get_or_404(current_user, action, Fragment, fragment_id)


def _role(fragment: Fragment) -> str:
    return access.role_on(current_user, fragment)


# -- fragments ----------------------------------------------------------------------------------------


@bp.post("/clips/<int:clip_id>/fragments")
@login_required
@accepts(FragmentProposal)
def propose(clip_id: int):
    clip = access.get_or_404(current_user, "own", Clip, clip_id)  # from one's own clips
    fragment = ops.propose(db.session(), clip, current_user, json_body())
    return jsonify(fragment_json(db.session(), fragment, current_user)), 201


@bp.get("/fragments")
@login_required
def list_fragments():
    """The fragments the caller curates or proposed that are not published yet (trainers: all)."""
    proposals = db.session().scalars(ops.unpublished(access.visible(current_user, Fragment)))
    return jsonify([card_json(db.session(), f) for f in proposals])


@bp.get("/fragments/<int:fragment_id>")
@login_required
def get_fragment(fragment_id: int):
    fragment = _fragment(fragment_id)
    return jsonify(fragment_json(db.session(), fragment, current_user))


@bp.patch("/fragments/<int:fragment_id>")
@login_required
@accepts(FragmentChange)
def update_fragment(fragment_id: int):
    fragment = ops.update(db.session(), _fragment(fragment_id, "curate"), current_user, json_body())
    return jsonify(fragment_json(db.session(), fragment, current_user))


@bp.delete("/fragments/<int:fragment_id>")
@login_required
def delete_fragment(fragment_id: int):
    fragment = access.get_or_404(current_user, "discard", Fragment, fragment_id)
    ops.discard(db.session(), fragment, current_user, _role(fragment), "deleted")
    return "", 204


@bp.post("/fragments/<int:fragment_id>/render")
@login_required
@accepts(RenderChoices)
def render(fragment_id: int):
    fragment = ops.start_render(db.session(), _fragment(fragment_id, "curate"), current_user, json_body())
    return jsonify(fragment_json(db.session(), fragment, current_user)), 202


@bp.post("/fragments/<int:fragment_id>/publish")
@login_required
def publish(fragment_id: int):
    fragment = ops.publish(db.session(), _fragment(fragment_id, "curate"), current_user)
    return jsonify(fragment_json(db.session(), fragment, current_user))


@bp.post("/fragments/<int:fragment_id>/unpublish")
@login_required
def unpublish(fragment_id: int):
    fragment = ops.unpublish(db.session(), _fragment(fragment_id, "curate"), current_user)
    return jsonify(fragment_json(db.session(), fragment, current_user))


@bp.get("/fragments/<int:fragment_id>/media")
@login_required
def api_fragment_media(fragment_id: int):
    fragment = _fragment(fragment_id)
    key = ops.video_key(fragment)
    if key == fragment.cut_key and not access.may(current_user, "curate", fragment) and fragment.proposed_by_id != current_user.id:
        abort(404)  # faces not yet blurred: for its curators and its proposer only
    ops.record_stream(db.session(), current_user, fragment, _role(fragment))
    return storage.current().send(key, "video/mp4")  # answers Range requests; private, never cached


@bp.get("/fragments/<int:fragment_id>/poster")
@login_required
def api_fragment_poster(fragment_id: int):
    fragment = _fragment(fragment_id)
    if not storage.current().exists(fragment.poster_key):
        abort(404)
    return storage.current().send(fragment.poster_key, "image/jpeg")


@bp.get("/fragments/<int:fragment_id>/frames")
@login_required
def api_fragment_frames(fragment_id: int):
    """When each frame starts (ms), for frame stepping on the fragment's player and coding page."""
    return jsonify(times_ms=ops.frame_times(_fragment(fragment_id)))


@bp.get("/fragments/<int:fragment_id>/tracks/<int:track_id>/still")
@login_required
def api_track_still(fragment_id: int, track_id: int):
    fragment = _fragment(fragment_id, "curate")
    return storage.current().send(ops.still_key(fragment, track_id), "image/jpeg")


@bp.get("/fragments/<int:fragment_id>/download")
@login_required
def download(fragment_id: int):
    fragment = _fragment(fragment_id, "download")
    key = ops.download(db.session(), fragment, current_user, _role(fragment))
    response = storage.current().send(key, "video/mp4")
    response.headers["Content-Disposition"] = f'attachment; filename="fragment-{fragment.id}.mp4"'
    return response


# -- the library -------------------------------------------------------------------------------------


@bp.get("/library")
@login_required
def library():
    """Published fragments: full text in q; filters code, scheme, tag, collection."""
    if not access.may_do(current_user, "read_library"):
        abort(404)
    found = ops.search(
        db.session(),
        ops.listed(access.visible(current_user, Fragment)),
        q=request.args.get("q"),
        code=request.args.get("code"),
        scheme=request.args.get("scheme"),
        tag=request.args.get("tag"),
        collection=int_arg("collection"),
    )
    return jsonify([card_json(db.session(), f) for f in found])


# -- collections --------------------------------------------------------------------------------------


def _collection(collection_id: int, action: str = "view") -> Collection:
    return access.get_or_404(current_user, action, Collection, collection_id)


def _visible_fragment_ids() -> set[int]:
    return ops.listed_ids(db.session(), access.visible(current_user, Fragment))


def _collection_answer(collection: Collection):
    items = ops.shown_items(collection, _visible_fragment_ids())
    return jsonify(collection_json(db.session(), collection, items, current_user))


@bp.get("/collections")
@login_required
def list_collections():
    collections = db.session().scalars(access.visible(current_user, Collection).order_by(Collection.title))
    visible = _visible_fragment_ids()
    return jsonify([collection_json(db.session(), c, ops.shown_items(c, visible), current_user) for c in collections])


@bp.post("/collections")
@login_required
@accepts(CollectionFields)
def create_collection():
    if not access.may_do(current_user, "curate_library"):
        abort(404)
    collection = ops.create_collection(db.session(), current_user, json_body())
    return _collection_answer(collection), 201


@bp.get("/collections/<int:collection_id>")
@login_required
def get_collection(collection_id: int):
    return _collection_answer(_collection(collection_id))


@bp.patch("/collections/<int:collection_id>")
@login_required
@accepts(CollectionFields)
def update_collection(collection_id: int):
    collection = ops.update_collection(db.session(), _collection(collection_id, "edit"), current_user, json_body())
    return _collection_answer(collection)


@bp.delete("/collections/<int:collection_id>")
@login_required
def delete_collection(collection_id: int):
    ops.delete_collection(db.session(), _collection(collection_id, "edit"), current_user)
    return "", 204


@bp.post("/collections/<int:collection_id>/items")
@login_required
@accepts(ItemFields)
def add_item(collection_id: int):
    collection = _collection(collection_id, "edit")
    body = json_body()
    fragment_id = body.pop("fragment_id", None)
    fragment = db.session().get(Fragment, fragment_id) if isinstance(fragment_id, int) and db.is_id(fragment_id) else None
    item = ops.add_item(db.session(), collection, current_user, fragment, body)
    return jsonify(item_json(db.session(), item)), 201


def _item(collection: Collection, item_id: int) -> CollectionItem:
    item = next((i for i in collection.items if i.id == item_id), None)
    if item is None:
        abort(404)
    return item


@bp.patch("/collections/<int:collection_id>/items/<int:item_id>")
@login_required
@accepts(ItemChange)
def update_item(collection_id: int, item_id: int):
    collection = _collection(collection_id, "edit")
    item = ops.update_item(db.session(), collection, _item(collection, item_id), current_user, json_body())
    return jsonify(item_json(db.session(), item))


@bp.delete("/collections/<int:collection_id>/items/<int:item_id>")
@login_required
def remove_item(collection_id: int, item_id: int):
    collection = _collection(collection_id, "edit")
    ops.remove_item(db.session(), collection, _item(collection, item_id), current_user)
    return "", 204
