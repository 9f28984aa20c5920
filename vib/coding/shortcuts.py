"""The coding page's keyboard shortcuts, as each user set them (stored with the user, so that they
follow the user to every device): whether a code's key alone marks a moment (`single_keys`; when off,
Alt+key does, WCAG 2.1.4) and the keys the user gave codes instead of their scheme's (`keys`,
code id -> one letter or digit). Other keys of the page (transport, undo, moving a moment) stay."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from vib.accounts.models import User
from vib.accounts.operations import preference, set_preference
from vib.core.api import EXPECTED
from vib.core.errors import FieldError
from vib.schemes import catalogue
from vib.schemes.format import RESERVED_HOTKEYS

NAME = "shortcuts"
KEY_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
MAX_KEYS = 500


def shortcuts_of(user: User) -> dict:
    """The user's shortcuts. A key stored before it was reserved (n and x came with the suggestions) is
    left out: the code has its scheme's key again, and the settings page lets the user choose another."""
    stored = preference(user, NAME) or {}
    keys = {code_id: key for code_id, key in (stored.get("keys") or {}).items() if key not in RESERVED_HOTKEYS}
    return {"single_keys": stored.get("single_keys", True), "keys": keys}


def set_shortcuts(db: Session, user: User, body: dict) -> dict:
    """Change the user's shortcuts: fields left out stay as they are. A key is one letter or digit,
    not one of RESERVED_HOTKEYS (they move the video and walk the suggestions), and no two codes of a
    scheme share one."""
    unknown = sorted(set(body) - {"single_keys", "keys"})
    if unknown:
        raise FieldError(_l("Unknown field: %(name)s.", name=unknown[0]), unknown[0])
    settings = shortcuts_of(user)
    single = body.get("single_keys")
    if single is not None:
        if not isinstance(single, bool):
            raise FieldError(_l("%(field)s must be %(expected)s.", field="single_keys", expected=EXPECTED["bool_type"]), "single_keys")
        settings["single_keys"] = single
    if body.get("keys") is not None:
        settings["keys"] = _checked_keys(db, body["keys"])
    set_preference(user, NAME, settings)
    db.flush()
    return settings


def _checked_keys(db: Session, keys) -> dict[str, str]:
    if not isinstance(keys, dict) or len(keys) > MAX_KEYS:
        raise FieldError(_l("%(field)s must be %(expected)s.", field="keys", expected=EXPECTED["dict_type"]), "keys")
    codes = {}  # code id -> the scheme (latest version) it is in
    for scheme in catalogue.latest_schemes(db):
        for code in scheme.codes:
            codes.setdefault(code.id, []).append(scheme)
    checked: dict[str, str] = {}
    for code_id, key in keys.items():
        if code_id not in codes:
            raise FieldError(_l("There is no code %(code)s.", code=code_id), "keys")
        key = key.strip().lower() if isinstance(key, str) else key
        if not isinstance(key, str) or len(key) != 1 or key not in KEY_CHARACTERS:
            raise FieldError(_l("The key of %(code)s must be one letter or digit.", code=code_id), "keys")
        if key in RESERVED_HOTKEYS:
            raise FieldError(
                _l("%(key)s cannot be a code's key: j, k and l move the video, n and x walk the suggestions.", key=key), "keys"
            )
        checked[code_id] = key
    # No two codes of one scheme with the same key, counting the scheme's own keys of the codes the
    # user left as they are.
    for scheme in {id(s): s for schemes in (codes[c] for c in checked) for s in schemes}.values():
        owners: dict[str, str] = {}
        for code in scheme.codes:
            key = checked.get(code.id, code.hotkey)
            if key is None:
                continue
            if key in owners:
                label = {c.id: catalogue.localized(c.label) for c in scheme.codes}
                raise FieldError(
                    _l(
                        "%(first)s and %(second)s cannot both have the key %(key)s.",
                        first=label[owners[key]],
                        second=label[code.id],
                        key=key,
                    ),
                    "keys",
                )
            owners[key] = code.id
    return checked
