"""The coding page's keyboard shortcuts, stored with the user (GET/PUT /api/account/shortcuts): single-key
shortcuts can be turned off (WCAG 2.1.4) and a code's key changed; a key that could not work is refused
with the reason."""

import pytest


def test_the_defaults_then_a_change_that_follows_the_user(api, people):
    worker = api("worker")
    assert worker.get("/api/account/shortcuts").json == {"single_keys": True, "keys": {}}
    changed = worker.put("/api/account/shortcuts", json={"single_keys": False, "keys": {"bc.initiatief": "Q"}})
    assert changed.status_code == 200, changed.json
    assert changed.json == {"single_keys": False, "keys": {"bc.initiatief": "q"}}
    assert worker.get("/api/account/shortcuts").json == {"single_keys": False, "keys": {"bc.initiatief": "q"}}
    # a field left out stays as it was
    assert worker.put("/api/account/shortcuts", json={"single_keys": True}).json == {"single_keys": True, "keys": {"bc.initiatief": "q"}}
    # someone else's are their own
    assert api("other_worker").get("/api/account/shortcuts").json == {"single_keys": True, "keys": {}}


def test_two_codes_may_swap_their_keys(api, people):
    swapped = api("worker").put("/api/account/shortcuts", json={"keys": {"bc.initiatief": "o", "bc.ontvangen": "i"}})
    assert swapped.status_code == 200, swapped.json


@pytest.mark.parametrize(
    ("keys", "says"),
    [
        ({"bc.initiatief": "ab"}, "one letter or digit"),
        ({"bc.initiatief": ""}, "one letter or digit"),
        ({"bc.initiatief": " "}, "one letter or digit"),
        ({"bc.initiatief": "["}, "one letter or digit"),
        ({"bc.initiatief": "j"}, "j, k and l move the video"),
        ({"bc.initiatief": "L"}, "j, k and l move the video"),
        ({"bc.initiatief": "o"}, "cannot both have the key o"),  # bc.ontvangen has o in the scheme
        ({"bc.initiatief": "n"}, "n and x walk the suggestions"),
        ({"bc.initiatief": "X"}, "n and x walk the suggestions"),
        ({"bc.initiatief": "q", "bc.ontvangen": "q"}, "cannot both have the key q"),
        ({"no.such.code": "q"}, "There is no code no.such.code"),
    ],
)
def test_a_key_that_cannot_work_is_refused_with_the_reason(api, people, keys, says):
    refused = api("worker").put("/api/account/shortcuts", json={"keys": keys})
    assert refused.status_code == 422, refused.json
    assert says in refused.json["error"]
    assert refused.json["field"] == "keys"
    assert api("worker").get("/api/account/shortcuts").json["keys"] == {}  # nothing of it was stored


@pytest.mark.parametrize("body", [{"single_keys": "no"}, {"keys": ["x"]}, {"keys": {"bc.initiatief": 1}}, {"colour": "red"}])
def test_a_body_of_the_wrong_shape_is_refused(api, people, body):
    assert api("worker").put("/api/account/shortcuts", json=body).status_code == 422


def test_a_key_stored_before_it_was_reserved_is_left_out(app, api, people):
    """n and x came with the suggestions: a user who had given a code n before keeps the other keys,
    and that code has its scheme's key again."""
    from vib.accounts.models import User
    from vib.accounts.operations import set_preference
    from vib.core import db

    with app.app_context(), db.unit_of_work() as session:
        worker = session.get(User, people["worker"].id)
        set_preference(worker, "shortcuts", {"single_keys": True, "keys": {"bc.benoemen": "n", "bc.initiatief": "q"}})
    assert api("worker").get("/api/account/shortcuts").json == {"single_keys": True, "keys": {"bc.initiatief": "q"}}
