"""Moments through the JSON API: what a coding page and a script can rely on."""

from __future__ import annotations

import json

import pytest

from tests.conftest import wait_for_jobs
from tests.days import organisation_today
from vib.clips.models import Clip
from vib.core import db, storage


@pytest.fixture
def worker(api):
    return api("worker")


def moments_url(clip):
    return f"/api/clips/{clip['id']}/moments"


def add(worker, clip, **fields):
    response = worker.post(moments_url(clip), json=fields)
    assert response.status_code == 201, response.json
    return response.json


def test_a_point_moment_takes_its_actor_from_the_code_and_comes_back_with_id_and_version(worker, ready_clip):
    moment = add(worker, ready_clip, start_ms=1200, code="bc.initiatief")
    assert moment["id"] and moment["version"] == 1
    assert moment["end_ms"] is None and moment["actor"] == "client"
    assert moment["scheme"] == "vib-basiscommunicatie" and moment["scheme_version"] == 2
    assert moment["code_label"] == "Initiative" and moment["colour"].startswith("#")
    assert moment["author"]["name"] == "Worker" and moment["tags"] == [] and moment["note"] == ""


def test_a_span_with_actor_note_and_tags_is_listed_in_time_order(worker, ready_clip):
    add(worker, ready_clip, start_ms=2000, code="bc.ontvangen")
    span = add(
        worker,
        ready_clip,
        start_ms=500,
        end_ms=1500,
        code="bc.beurt.jij",
        actor="other",
        note="The boy answers.",
        tags=["still", "better_than_usual", "still"],
    )
    assert span["actor"] == "other" and span["tags"] == ["better_than_usual", "still"]
    listed = worker.get(moments_url(ready_clip)).json
    assert [m["start_ms"] for m in listed] == [500, 2000]
    assert listed[0] == span


def test_the_compact_list_says_the_same_moments_with_each_label_once_and_no_nulls(worker, ready_clip):
    add(worker, ready_clip, start_ms=1200, code="bc.initiatief")
    add(worker, ready_clip, start_ms=2000, end_ms=2600, code="bc.ontvangen", note="Knikt.", tags=["still"])
    add(worker, ready_clip, start_ms=3000, code="bc.initiatief", actor="other")
    full = worker.get(moments_url(ready_clip)).json
    response = worker.get(moments_url(ready_clip), query_string={"compact": "1"})
    compact = response.json

    def expanded(m):
        code = compact["codes"][m["code"]]
        return {
            "id": m["id"], "start_ms": m["start_ms"], "end_ms": m.get("end_ms"), "code": m["code"], "actor": m["actor"],
            "note": m.get("note", ""), "tags": m.get("tags", []), "version": m["version"], "editable": m.get("editable", False),
            "code_label": m.get("code_label", code["label"]), "colour": code["colour"], "analysis_only": code.get("analysis_only", False),
            "author": {"id": m["author"], "name": compact["authors"][str(m["author"])]},
        }  # fmt: skip

    assert [expanded(m) for m in compact["moments"]] == [{key: m[key] for key in expanded(compact["moments"][0])} for m in full]
    text = response.get_data(as_text=True)
    assert "null" not in text and text.count('"Initiative"') == 1
    assert len(text) < len(worker.get(moments_url(ready_clip)).get_data(as_text=True)) / 2


@pytest.mark.parametrize("query", [{}, {"compact": "1"}], ids=["full", "compact"])
def test_the_list_answers_304_while_nothing_changed(worker, ready_clip, query):
    add(worker, ready_clip, start_ms=1200, code="bc.initiatief")
    first = worker.get(moments_url(ready_clip), query_string=query)
    etag = first.headers["ETag"]
    unchanged = worker.get(moments_url(ready_clip), query_string=query, headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.get_data() == b""
    add(worker, ready_clip, start_ms=2400, code="bc.ontvangen")
    changed = worker.get(moments_url(ready_clip), query_string=query, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_a_yes_or_no_parameter_must_say_yes_or_no(worker, ready_clip):
    response = worker.get(moments_url(ready_clip), query_string={"compact": "perhaps"})
    assert response.status_code == 400 and "compact" in response.json["error"]


@pytest.mark.parametrize(
    "fields, field, words",
    [
        ({"start_ms": -1, "code": "bc.initiatief"}, "start_ms", "from 0 to"),
        ({"start_ms": 10_000_000, "code": "bc.initiatief"}, "start_ms", "end of the clip"),
        ({"start_ms": 100, "end_ms": 100, "code": "bc.initiatief"}, "end_ms", "end after it starts"),
        ({"start_ms": 100, "end_ms": 99_000_000, "code": "bc.initiatief"}, "end_ms", "end of the clip"),
        ({"start_ms": "soon", "code": "bc.initiatief"}, "start_ms", "whole number"),
        ({"start_ms": 100, "code": "no.such.code"}, "code", "no code no.such.code"),
        ({"start_ms": 100, "code": "paig.attentive"}, "code", "no code"),
        ({"start_ms": 100, "code": "bc.initiatief", "actor": "judge"}, "actor", "worker, client, other, both"),
        ({"start_ms": 100, "code": "bc.initiatief", "tags": ["funny"]}, "tags", "better_than_usual"),
        ({"start_ms": 100, "code": "bc.initiatief", "note": "x" * 5001}, "note", "5000"),
        ({"start_ms": 100, "code": "bc.initiatief", "colour": "red"}, "colour", "Unknown field"),
        ({"code": "bc.initiatief"}, "start_ms", "start time"),
        ({"start_ms": 100}, "code", "code"),
    ],
)
def test_bad_moments_are_refused_with_a_clear_message_and_nothing_is_stored(worker, ready_clip, fields, field, words):
    response = worker.post(moments_url(ready_clip), json=fields)
    assert response.status_code == 422
    assert response.json["field"] == field and words in response.json["error"]
    assert worker.get(moments_url(ready_clip)).json == []


def test_a_change_names_its_version_and_raises_it(worker, ready_clip):
    moment = add(worker, ready_clip, start_ms=1000, code="bc.initiatief")
    changed = worker.patch(
        f"/api/moments/{moment['id']}", json={"version": 1, "end_ms": 1800, "code": "bc.aandacht", "note": "Looks at him."}
    )
    assert changed.status_code == 200, changed.json
    assert changed.json["version"] == 2 and changed.json["end_ms"] == 1800
    assert changed.json["code"] == "bc.aandacht" and changed.json["actor"] == "client"  # the actor stays as it was
    point = worker.patch(f"/api/moments/{moment['id']}", json={"version": 2, "end_ms": None}).json
    assert point["end_ms"] is None and point["version"] == 3


def test_a_stale_version_answers_409_with_the_current_moment_so_nobody_overwrites_silently(worker, ready_clip):
    moment = add(worker, ready_clip, start_ms=1000, code="bc.initiatief")
    assert worker.patch(f"/api/moments/{moment['id']}", json={"version": 1, "note": "mine"}).status_code == 200
    stale = worker.patch(f"/api/moments/{moment['id']}", json={"version": 1, "note": "theirs"})
    assert stale.status_code == 409 and stale.json["error"]
    assert stale.json["moment"]["note"] == "mine" and stale.json["moment"]["version"] == 2
    assert worker.delete(f"/api/moments/{moment['id']}?version=1").status_code == 409


def test_a_change_without_a_version_or_with_bad_values_is_refused_and_changes_nothing(worker, ready_clip):
    moment = add(worker, ready_clip, start_ms=1000, code="bc.initiatief")
    assert worker.patch(f"/api/moments/{moment['id']}", json={"note": "x"}).json["field"] == "version"
    refused = worker.patch(f"/api/moments/{moment['id']}", json={"version": 1, "start_ms": 50, "end_ms": 10})
    assert refused.status_code == 422
    assert worker.get(moments_url(ready_clip)).json == [moment]


def test_a_deleted_moment_is_gone(worker, ready_clip):
    moment = add(worker, ready_clip, start_ms=1000, code="bc.initiatief")
    assert worker.delete(f"/api/moments/{moment['id']}").status_code == 204
    assert worker.get(moments_url(ready_clip)).json == []
    assert worker.delete(f"/api/moments/{moment['id']}").status_code == 404


def test_the_schemes_are_listed_with_their_codes_tags_and_actors(worker):
    listed = {s["id"]: s for s in worker.get("/api/schemes").json}
    assert {"vib-basiscommunicatie", "vig-principles"} <= set(listed)
    assert listed["vib-basiscommunicatie"]["default"] is True
    scheme = worker.get("/api/schemes/vib-basiscommunicatie").json
    codes = {c["id"]: c for c in scheme["codes"]}
    assert codes["bc.initiatief"]["hotkey"] == "i" and codes["bc.gemist"]["analysis_only"] is True
    assert codes["bc.initiatief.contact"]["parent"] == "bc.initiatief"
    assert [t["id"] for t in scheme["tags"]] == ["better_than_usual", "learning_question", "still", "library_candidate"]
    assert [a["id"] for a in scheme["actors"]] == ["worker", "client", "other", "both"]
    missing = worker.get("/api/schemes/no-such-scheme")
    assert missing.status_code == 404 and "no-such-scheme" in missing.json["error"]


def test_labels_follow_the_users_language(app, browser_login):
    client = browser_login("worker")
    client.post("/language", data={"locale": "nl", "csrf_token": client.csrf}, follow_redirects=True)
    scheme = client.get("/api/schemes/vib-basiscommunicatie").get_json()
    assert {c["id"]: c["label"] for c in scheme["codes"]}["bc.initiatief"] == "Initiatief"


def test_a_case_can_choose_its_scheme_and_its_clips_are_coded_with_it(app, worker, ready_clip):
    with app.app_context():
        clip = db.session().get(Clip, ready_clip["id"])
        clip.case.scheme_id = "vig-principles"
        db.session().commit()
    moment = add(worker, ready_clip, start_ms=100, code="paig.receiving")
    assert moment["scheme"] == "vig-principles" and moment["actor"] == "worker"
    refused = worker.post(moments_url(ready_clip), json={"start_ms": 100, "code": "bc.initiatief"})
    assert refused.status_code == 422


def test_a_new_scheme_version_never_changes_what_was_coded(app, worker, ready_clip):
    from vib.schemes.catalogue import BUILTIN_DIR, import_scheme

    old = add(worker, ready_clip, start_ms=100, code="bc.initiatief")
    document = json.loads((BUILTIN_DIR / "vib-basiscommunicatie.json").read_text())
    document["version"] = 3
    document["codes"][0]["label"] = {"nl": "Initiatief (nieuw)", "en": "Initiative (new)"}
    with app.app_context(), db.unit_of_work() as session:  # operations flush; the caller commits
        import_scheme(session, json.dumps(document))
    new = add(worker, ready_clip, start_ms=200, code="bc.initiatief")
    assert new["scheme_version"] == 3 and new["code_label"] == "Initiative (new)"
    listed = {m["id"]: m for m in worker.get(moments_url(ready_clip)).json}
    assert listed[old["id"]]["scheme_version"] == 2 and listed[old["id"]]["code_label"] == "Initiative"


def test_a_version_stored_before_n_and_x_were_reserved_still_reads_without_that_key(app, worker, ready_clip):
    """An installation upgraded from before the suggestions: version 1 of basic communication gave Naming
    the key n, which now walks the suggestions. What was coded with it still lists; that version's Naming
    has no key (the page would give n to the suggestions), and no other code lost its key."""
    from vib.coding.models import Moment
    from vib.schemes.catalogue import BUILTIN_DIR
    from vib.schemes.models import CodeScheme

    document = json.loads((BUILTIN_DIR / "vib-basiscommunicatie.json").read_text())
    document["version"] = 1
    naming = next(code for code in document["codes"] if code["id"] == "bc.benoemen")
    naming["hotkey"] = "n"
    moment = add(worker, ready_clip, start_ms=100, code="bc.benoemen")
    with app.app_context(), db.unit_of_work() as session:  # as version 1 stored it, before the upgrade
        session.add(CodeScheme(scheme_id="vib-basiscommunicatie", version=1, document=document, origin="builtin"))
        session.get(Moment, moment["id"]).scheme_version = 1
    listed = worker.get(moments_url(ready_clip))
    assert listed.status_code == 200, listed.json
    assert [(m["scheme_version"], m["code_label"]) for m in listed.json] == [(1, "Naming")]
    keys = {code["id"]: code["hotkey"] for code in worker.get("/api/schemes/vib-basiscommunicatie?version=1").json["codes"]}
    assert keys["bc.benoemen"] is None and keys["bc.initiatief"] == "i"


def test_the_frames_list_gives_the_start_of_every_frame(worker, ready_clip):
    times = worker.get(f"/api/clips/{ready_clip['id']}/frames").json["times_ms"]
    assert times[0] == 0 and times == sorted(times)
    assert len(times) == round(ready_clip["duration_ms"] / 1000 * ready_clip["fps"])


def test_saving_moments_makes_their_thumbnails_in_the_background(app, worker, ready_clip):
    add(worker, ready_clip, start_ms=400, end_ms=1000, code="bc.beurt")
    wait_for_jobs(app)
    with app.app_context():
        clip = db.session().get(Clip, ready_clip["id"])
        width = min(320, clip.width)
        for t in (400, 700, 1000):
            assert storage.current().exists(clip.thumbnail_key(t, width)), t


def test_stats_count_codes_and_receptions(worker, ready_clip):
    add(worker, ready_clip, start_ms=100, code="bc.initiatief", tags=["better_than_usual", "learning_question"])
    add(worker, ready_clip, start_ms=900, code="bc.ontvangen.verbaal")
    add(worker, ready_clip, start_ms=1500, code="bc.gemist")
    stats = worker.get(f"/api/clips/{ready_clip['id']}/stats").json
    assert stats["reception_ratio"] == 0.5 and stats["median_reception_latency_ms"] == 800
    assert stats["strength_moments"] == 1 and stats["learning_question_moments"] == 1
    assert {(c["code"], c["actor"]): c["count"] for c in stats["by_code"]} == {
        ("bc.initiatief", "client"): 1,
        ("bc.ontvangen.verbaal", "worker"): 1,
        ("bc.gemist", "worker"): 1,
    }
    assert stats["initiatives_per_10min"] > 0
    narrow = worker.get(f"/api/clips/{ready_clip['id']}/stats?window_ms=500").json
    assert narrow["reception_ratio"] == 0.0 and narrow["window_ms"] == 500
    assert worker.get(f"/api/clips/{ready_clip['id']}/stats?window_ms=-5").status_code == 422


def test_withdrawn_analysis_consent_stops_coding_at_once(worker, ready_clip):
    moment = add(worker, ready_clip, start_ms=100, code="bc.initiatief")
    withdrawn = worker.post(f"/api/cases/{ready_clip['case_id']}/consents/withdraw", json={"person": "father", "purposes": ["analysis"]})
    assert withdrawn.status_code == 200
    for response in (
        worker.get(moments_url(ready_clip)),
        worker.post(moments_url(ready_clip), json={"start_ms": 5, "code": "bc.initiatief"}),
        worker.patch(f"/api/moments/{moment['id']}", json={"version": 1, "note": "x"}),
        worker.get(f"/api/clips/{ready_clip['id']}/stats"),
    ):
        assert response.status_code == 403 and "consent" in response.json["error"].lower()
    worker.post(
        f"/api/cases/{ready_clip['case_id']}/consents",
        json={"person": "father", "role": "parent", "purposes": ["analysis"], "date": organisation_today().isoformat()},
    )
    assert worker.get(moments_url(ready_clip)).status_code == 200


def test_a_case_chooses_its_scheme_when_created_and_a_clip_can_choose_another(worker, api, ready_clip):
    made = worker.post("/api/cases", json={"code": "VIG-1", "learning_question": "How do I wait?", "scheme": "vig-principles"})
    assert made.status_code == 201 and made.json["scheme_id"] == "vig-principles"
    unknown = worker.post("/api/cases", json={"code": "VIG-2", "learning_question": "How do I wait?", "scheme": "nope"})
    assert unknown.status_code == 422 and "nope" in unknown.json["error"]
    chosen = worker.patch(f"/api/clips/{ready_clip['id']}", json={"scheme": "vig-principles"})
    assert chosen.status_code == 200 and chosen.json["scheme_id"] == "vig-principles"
    assert add(worker, ready_clip, start_ms=10, code="paig.initiative")["actor"] == "client"
    assert worker.patch(f"/api/clips/{ready_clip['id']}", json={"scheme": None}).json["scheme_id"] is None
    assert add(worker, ready_clip, start_ms=10, code="bc.initiatief")["scheme"] == "vib-basiscommunicatie"
    assert api("other_worker").patch(f"/api/clips/{ready_clip['id']}", json={"scheme": None}).status_code == 404


def test_the_clip_page_lets_its_owner_choose_the_scheme_and_links_to_coding_and_review(browser_login, ready_clip):
    client = browser_login("worker")
    page = client.get(f"/clips/{ready_clip['id']}").get_data(as_text=True)
    assert f"/clips/{ready_clip['id']}/coding" in page and f"/clips/{ready_clip['id']}/review" in page
    assert "As its case (Basic communication" in page
    client.post(f"/clips/{ready_clip['id']}/scheme", data={"scheme": "vig-principles", "csrf_token": client.csrf})
    assert client.get(f"/api/clips/{ready_clip['id']}").get_json()["scheme_id"] == "vig-principles"


def test_a_new_database_gets_the_shipped_schemes_even_in_a_running_process(app, worker, ready_clip):
    from sqlalchemy import delete

    from vib.schemes.models import CodeScheme

    assert add(worker, ready_clip, start_ms=10, code="bc.initiatief")
    with app.app_context():
        db.session().execute(delete(CodeScheme))
        db.session().commit()
    assert worker.get("/api/schemes/vig-principles").status_code == 200
    assert add(worker, ready_clip, start_ms=20, code="bc.initiatief")["scheme_version"] == 2
