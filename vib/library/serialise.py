"""Fragments and collections as the API answers them: never the case, its worker or the clip."""

from __future__ import annotations

from flask import url_for
from sqlalchemy.orm import Session

from vib.accounts.models import User
from vib.core import access
from vib.library import operations as ops
from vib.library.models import READY, Collection, CollectionItem, Fragment
from vib.schemes import catalogue as schemes


def code_details(db: Session, fragment: Fragment) -> list[dict]:
    """The fragment's codes with their labels and colours (the scheme's)."""
    scheme = schemes.get_scheme(db, fragment.scheme_id, fragment.scheme_version)
    details = []
    for code_id in fragment.codes:
        code = scheme.code(code_id) if scheme else None
        details.append(
            {"id": code_id, "label": schemes.localized(code.label) if code else code_id, "colour": code.colour if code else "#777777"}
        )
    return details


def card_json(db: Session, fragment: Fragment) -> dict:
    """What a card of the library shows."""
    return {
        "id": fragment.id,
        "title": fragment.title,
        "duration_ms": fragment.duration_ms,
        "codes": code_details(db, fragment),
        "tags": list(fragment.tags),
        "poster_url": url_for("library.api_fragment_poster", fragment_id=fragment.id) if fragment.state == READY else None,
        "page_url": url_for("library_pages.fragment_page", fragment_id=fragment.id),
        "state": fragment.state,
        "published": fragment.published,
    }


def fragment_json(db: Session, fragment: Fragment, viewer: User) -> dict:
    curator = access.may(viewer, "curate", fragment)
    consent = {purpose: ops.consents_to(fragment.case, purpose) for purpose in (ops.TRAINING, ops.PRESENTATION)}
    blurred = set(fragment.blur_tracks)
    return {
        "id": fragment.id,
        "state": fragment.state,
        "error": ops.failure_message(fragment),
        "title": fragment.title,
        "description": fragment.description,
        "learning_points": fragment.learning_points,
        "codes": list(fragment.codes),
        "code_details": code_details(db, fragment),
        "tags": list(fragment.tags),
        "scheme": fragment.scheme_id,
        "duration_ms": fragment.duration_ms,
        "width": fragment.width,
        "height": fragment.height,
        # Face stills are the family's faces: for curators only.
        "tracks": [
            {
                "id": track["id"],
                "first_ms": track["first_ms"],
                "last_ms": track["last_ms"],
                "still_url": url_for("library.api_track_still", fragment_id=fragment.id, track_id=track["id"]),
                "blurred": track["id"] in blurred,
            }
            for track in fragment.tracks
        ]
        if curator
        else [],
        "regions": list(fragment.regions) if curator else [],
        "audio": fragment.audio,
        "published_at": fragment.published_at.isoformat() if fragment.published_at else None,
        "expires_on": fragment.expires_on.isoformat() if fragment.expires_on else None,
        "case_consent": consent,
        "proposed_by_me": fragment.proposed_by_id == viewer.id,
        "may": {action: access.may(viewer, action, fragment) for action in ("curate", "download", "code", "discard")},
        "urls": {
            "page": url_for("library_pages.fragment_page", fragment_id=fragment.id),
            "media": url_for("library.api_fragment_media", fragment_id=fragment.id),
            "poster": url_for("library.api_fragment_poster", fragment_id=fragment.id) if fragment.state == READY else None,
            "frames": url_for("library.api_fragment_frames", fragment_id=fragment.id),
        },
    }


def item_json(db: Session, item: CollectionItem) -> dict:
    return {"id": item.id, "position": item.position, "note": item.note, "fragment": card_json(db, item.fragment)}


def collection_json(db: Session, collection: Collection, items: list[CollectionItem], viewer: User) -> dict:
    return {
        "id": collection.id,
        "title": collection.title,
        "description": collection.description,
        "created_by": collection.created_by.name,
        "created_at": collection.created_at.isoformat(),
        "items": [item_json(db, item) for item in items],
        "editable": access.may(viewer, "edit", collection),
        "page_url": url_for("library_pages.collection_page", collection_id=collection.id),
    }
