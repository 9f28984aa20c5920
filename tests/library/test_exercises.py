"""Coding exercises on a library fragment: the trainer's reference, a worker's blind coding, and the
comparison of the two. The fragment's moments go through the same coding operations and moments API
as a clip's."""

from __future__ import annotations

import pytest

from tests.conftest import Api
from tests.library.conftest import make_fragment
from vib.accounts.operations import add_user, create_token
from vib.core import audit, db
from vib.library.models import Fragment


def moments_url(fragment_id: int) -> str:
    return f"/api/fragments/{fragment_id}/moments"


def code(client, fragment_id: int, **fields) -> dict:
    made = client.post(moments_url(fragment_id), json=fields)
    assert made.status_code == 201, made.json
    return made.json


def reference_of(app, fragment_id: int) -> int | None:
    with app.app_context():
        return db.session().get(Fragment, fragment_id).reference_by_id


# -- the reference and the blind attempt -----------------------------------------------------------


def test_the_trainer_who_codes_a_published_fragment_first_codes_its_reference(app, api, people, fragment):
    assert reference_of(app, fragment) is None
    moment = code(api("trainer"), fragment, start_ms=400, code="bc.initiatief")
    assert moment["fragment_id"] == fragment and moment["clip_id"] is None
    assert moment["actor"] == "client" and moment["code_label"] == "Initiative" and moment["editable"] is True
    assert reference_of(app, fragment) == people["trainer"].id
    with app.app_context():
        rows = list(audit.events(db.session(), action="fragment.reference"))
        assert [(r.user_id, r.object_id, r.role) for r in rows] == [(people["trainer"].id, fragment, "trainer")]
        created = list(audit.events(db.session(), action="moment.create"))
        assert [(r.object_id, r.role) for r in created] == [(moment["id"], "trainer")]


def test_a_worker_codes_blind_and_changes_only_their_own_moments(app, api, people, fragment):
    trainer, worker = api("trainer"), api("worker")
    reference = code(trainer, fragment, start_ms=400, code="bc.initiatief")
    assert worker.get(moments_url(fragment)).json == []  # the reference stays hidden
    mine = code(worker, fragment, start_ms=500, code="bc.initiatief", note="She looks up.")
    assert reference_of(app, fragment) == people["trainer"].id  # a worker never becomes the reference

    assert [m["id"] for m in worker.get(moments_url(fragment)).json] == [mine["id"]]
    assert [m["id"] for m in trainer.get(moments_url(fragment)).json] == [reference["id"]]  # not the worker's
    assert api("other_worker").get(moments_url(fragment)).json == []

    # the moments API of clips changes fragment moments too, for their author only
    assert worker.patch(f"/api/moments/{reference['id']}", json={"version": 1, "note": "x"}).status_code == 404
    assert worker.delete(f"/api/moments/{reference['id']}").status_code == 404
    assert api("other_worker").patch(f"/api/moments/{mine['id']}", json={"version": 1, "note": "x"}).status_code == 404
    changed = worker.patch(f"/api/moments/{mine['id']}", json={"version": 1, "start_ms": 600, "end_ms": 900})
    assert changed.status_code == 200, changed.json
    assert changed.json["start_ms"] == 600 and changed.json["end_ms"] == 900 and changed.json["fragment_id"] == fragment
    assert worker.delete(f"/api/moments/{mine['id']}?version=2").status_code == 204
    assert worker.get(moments_url(fragment)).json == []


def test_another_trainer_sees_the_reference_but_does_not_replace_it(app, api, people, fragment):
    with app.app_context():
        session = db.session()
        second = add_user(session, "trainer2@example.org", ["trainer"], name="Second Trainer")
        token = create_token(session, second)
        session.commit()
    other_trainer = Api(app.test_client(), token)
    reference = code(api("trainer"), fragment, start_ms=400, code="bc.initiatief")
    theirs = code(other_trainer, fragment, start_ms=450, code="bc.initiatief")
    assert reference_of(app, fragment) == people["trainer"].id
    listed = other_trainer.get(moments_url(fragment)).json
    assert [(m["id"], m["editable"]) for m in listed] == [(reference["id"], False), (theirs["id"], True)]
    assert other_trainer.patch(f"/api/moments/{reference['id']}", json={"version": 1, "note": "x"}).status_code == 404


def test_a_supervisor_does_the_exercise_blind_too(api, fragment):
    reference = code(api("trainer"), fragment, start_ms=400, code="bc.initiatief")
    supervisor = api("supervisor")
    assert supervisor.get(moments_url(fragment)).json == []
    mine = code(supervisor, fragment, start_ms=450, code="bc.initiatief")
    assert [m["id"] for m in supervisor.get(moments_url(fragment)).json] == [mine["id"]]
    assert reference["id"] != mine["id"]


def test_moments_are_checked_against_the_fragment_and_its_scheme(api, fragment):
    worker = api("worker")
    late = worker.post(moments_url(fragment), json={"start_ms": 2500, "code": "bc.initiatief"})
    assert late.status_code == 422 and late.json["field"] == "start_ms" and "end of the video" in late.json["error"]
    unknown = worker.post(moments_url(fragment), json={"start_ms": 100, "code": "vig.nothing"})
    assert unknown.status_code == 422 and unknown.json["field"] == "code"
    wrong_type = worker.post(moments_url(fragment), json={"start_ms": "soon", "code": "bc.initiatief"})
    assert wrong_type.status_code == 422


def test_an_unpublished_fragment_is_no_exercise(app, api, people, training_clip, tmp_path):
    draft = make_fragment(app, training_clip["id"], people["worker"].id, None, tmp_path)
    for who in ("worker", "trainer", "supervisor", "admin"):
        assert api(who).get(moments_url(draft)).status_code == 404, who
        assert api(who).post(moments_url(draft), json={"start_ms": 100, "code": "bc.initiatief"}).status_code == 404, who


def test_an_admin_codes_no_fragment(api, fragment):
    admin = api("admin")
    assert admin.get(moments_url(fragment)).status_code == 404
    assert admin.post(moments_url(fragment), json={"start_ms": 100, "code": "bc.initiatief"}).status_code == 404
    assert admin.get(f"/api/fragments/{fragment}/agreement").status_code == 404


# -- the comparison --------------------------------------------------------------------------------


@pytest.fixture
def coded(api, fragment):
    """The trainer marked 3 initiatives; the worker found 2 of them (within 300 ms) and marked one
    'receiving' the trainer did not."""
    trainer, worker = api("trainer"), api("worker")
    for start in (100, 900, 1700):
        code(trainer, fragment, start_ms=start, code="bc.initiatief")
    for start in (250, 1000):
        code(worker, fragment, start_ms=start, code="bc.initiatief")
    code(worker, fragment, start_ms=1500, code="bc.ontvangen")
    return fragment


def test_the_agreement_counts_found_missed_and_extra_moments_per_code(app, api, people, coded):
    with app.app_context():
        assert db.session().get(Fragment, coded).duration_ms == 2000  # four cells of 500 ms
    answer = api("worker").get(f"/api/fragments/{coded}/agreement?tolerance_ms=300&grid_ms=500")
    assert answer.status_code == 200, answer.json
    result = answer.json
    assert result["user"]["id"] == people["worker"].id and result["reference_by"]["id"] == people["trainer"].id
    by_code = {row["code"]: row for row in result["by_code"]}
    initiative, receiving = by_code["bc.initiatief"], by_code["bc.ontvangen"]
    assert (initiative["reference"], initiative["attempt"], initiative["matched"]) == (3, 2, 2)
    assert initiative["precision"] == 1.0 and initiative["recall"] == 0.667 and initiative["code_label"] == "Initiative"
    assert (receiving["reference"], receiving["attempt"], receiving["matched"]) == (0, 1, 0)
    assert receiving["precision"] == 0.0 and receiving["recall"] is None
    assert result["f1"] == 0.667  # 2 * 2 / (3 + 3)

    assert [(p["reference"]["start_ms"], p["attempt"]["start_ms"], p["offset_ms"]) for p in result["pairs"]] == [
        (100, 250, 150),
        (900, 1000, 100),
    ]
    assert [m["start_ms"] for m in result["misses"]] == [1700]
    assert [(m["start_ms"], m["code"]) for m in result["extras"]] == [(1500, "bc.ontvangen")]

    # cells of 500 ms: trainer [I, I, -, I], worker [I, -, I, R]; rows the trainer, columns the worker
    kappa = result["kappa"]
    assert [label["id"] for label in kappa["labels"]] == ["none", "bc.initiatief/client", "bc.ontvangen/worker"]
    assert kappa["labels"][0]["label"] == "nothing coded" and kappa["labels"][1]["label"] == "Initiative (Client)"
    assert kappa["matrix"] == [[0, 1, 0], [1, 1, 1], [0, 0, 0]]
    assert kappa["observed"] == 0.25 and kappa["expected"] == round(7 / 16, 3) and kappa["kappa"] == round(-3 / 9, 3)

    assert result["remarks"] == [
        "You found 2 of the 3 Initiative moments the trainer marked.",
        "You marked 1 more Receiving (acknowledgement of receipt) moment that the trainer did not mark.",
    ]


def test_the_default_tolerance_is_one_second(api, coded):
    result = api("worker").get(f"/api/fragments/{coded}/agreement").json
    assert result["tolerance_ms"] == 1000 and result["grid_ms"] == 500
    # within a second, 1000 could pair with 1700 too; one-to-one, the best pairing keeps 2 matches
    assert result["overall"]["matched"] == 2


def test_a_worker_asks_only_for_their_own_agreement_and_a_trainer_for_anyone(api, people, coded):
    worker = api("worker")
    assert worker.get(f"/api/fragments/{coded}/agreement?user={people['worker'].id}").status_code == 200
    refused = worker.get(f"/api/fragments/{coded}/agreement?user={people['other_worker'].id}")
    assert refused.status_code == 404 and refused.json["error"]
    assert api("supervisor").get(f"/api/fragments/{coded}/agreement?user={people['worker'].id}").status_code == 404
    by_trainer = api("trainer").get(f"/api/fragments/{coded}/agreement?user={people['worker'].id}")
    assert by_trainer.status_code == 200 and by_trainer.json["overall"]["attempt"] == 3
    assert api("trainer").get(f"/api/fragments/{coded}/agreement?user=999999").status_code == 404


def test_no_reference_yet_is_a_conflict_with_a_clear_message(api, fragment):
    code(api("worker"), fragment, start_ms=250, code="bc.initiatief")
    answer = api("worker").get(f"/api/fragments/{fragment}/agreement")
    assert answer.status_code == 409 and "No trainer has coded this fragment yet" in answer.json["error"]


@pytest.mark.parametrize(
    "query, field",
    [("tolerance_ms=-1", "tolerance_ms"), ("tolerance_ms=60000", "tolerance_ms"), ("grid_ms=0", "grid_ms"), ("grid_ms=99999", "grid_ms")],
)
def test_a_bad_tolerance_or_grid_is_refused(api, coded, query, field):
    answer = api("worker").get(f"/api/fragments/{coded}/agreement?{query}")
    assert answer.status_code == 422 and answer.json["field"] == field


# -- the pages -------------------------------------------------------------------------------------


def test_the_exercise_page_is_the_coding_page_on_the_fragment(app, browser_login, people, fragment):
    trainer_page = browser_login("trainer").get(f"/library/fragments/{fragment}/exercise")
    assert trainer_page.status_code == 200
    html = trainer_page.get_data(as_text=True)
    assert "You are coding the reference." in html and 'id="coding-data"' in html
    assert f"/api/fragments/{fragment}/media" in html and f"/api/fragments/{fragment}/moments" in html
    assert "data-filmstrip-api" not in html  # a fragment has no filmstrip
    worker_html = browser_login("worker").get(f"/library/fragments/{fragment}/exercise").get_data(as_text=True)
    assert "Code this fragment, then compare." in worker_html and f"/library/fragments/{fragment}/comparison" in worker_html
    assert browser_login("admin").get(f"/library/fragments/{fragment}/exercise").status_code == 404
    with app.app_context():
        rows = list(audit.events(db.session(), action="fragment.exercise"))
        assert {(r.user_id, r.detail) for r in rows} == {(people["trainer"].id, "exercise"), (people["worker"].id, "exercise")}


def test_the_comparison_page_says_it_in_plain_words(browser_login, coded):
    html = browser_login("worker").get(f"/library/fragments/{coded}/comparison?tolerance_ms=300").get_data(as_text=True)
    assert "You found 2 of the 3 Initiative moments the trainer marked." in html
    assert "missed" in html and "extra" in html and "Kappa" in html


def test_the_comparison_page_without_a_reference_says_so(browser_login, fragment):
    page = browser_login("worker").get(f"/library/fragments/{fragment}/comparison")
    assert page.status_code == 200 and "No trainer has coded this fragment yet" in page.get_data(as_text=True)
