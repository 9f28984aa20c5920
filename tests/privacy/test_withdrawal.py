"""Withdrawing consent: for analysis the case's clips are deleted after the grace period (at once with
0 days; cancelled by recording the consent again); for supervision the case's reviews end at once;
for training and presentation every registered part hears of it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from tests.conftest import wait_for_jobs
from tests.days import organisation_today
from tests.privacy.conftest import cli, clip_files, days_ago, media_tree
from vib.cases.models import ConsentRecord
from vib.core import db
from vib.privacy import registry


def withdraw(api, case, purposes, person="father"):
    return api("worker").post(f"/api/cases/{case['id']}/consents/withdraw", json={"person": person, "purposes": purposes})


def grant_analysis(api, case, person="father"):
    r = api("worker").post(
        f"/api/cases/{case['id']}/consents",
        json={"person": person, "role": "parent", "purposes": ["analysis"], "date": organisation_today().isoformat()},
    )
    assert r.status_code == 201, r.json


def test_with_no_grace_period_a_withdrawal_deletes_the_case_clips_at_once(app, api, case, worked_clip):
    app.config["VIB_WITHDRAWAL_GRACE_DAYS"] = 0
    before = media_tree(app)
    assert withdraw(api, case, ["analysis"]).status_code == 200
    wait_for_jobs(app)
    assert clip_files(app, worked_clip["id"]) == set() and media_tree(app) < before
    assert api("worker").get(f"/api/clips/{worked_clip['id']}").status_code == 404
    [tombstone] = api("worker").get(f"/api/cases/{case['id']}/deleted-clips").json
    assert (tombstone["reason"], tombstone["deleted_by"], tombstone["removed"]["moments"]) == ("withdrawal", "vib", 2)


def test_within_the_grace_period_the_clip_says_when_and_why_then_the_purge_deletes_it(app, api, browser_login, case, worked_clip):
    assert app.config["VIB_WITHDRAWAL_GRACE_DAYS"] == 7
    assert withdraw(api, case, ["analysis"]).status_code == 200
    wait_for_jobs(app)
    clip = api("worker").get(f"/api/clips/{worked_clip['id']}").json
    in_a_week = (organisation_today() + timedelta(days=7)).isoformat()
    assert (clip["delete_after"], clip["deletion_reason"]) == (in_a_week, "withdrawal")
    assert clip["media_refusal"]  # access stopped at once
    page = browser_login("worker").get(f"/clips/{worked_clip['id']}").get_data(as_text=True)
    assert f'data-delete-after="{in_a_week}"' in page and "consent for analysis was withdrawn" in page
    assert "will be deleted on" in browser_login("worker").get(f"/cases/{case['id']}").get_data(as_text=True)

    files = clip_files(app, worked_clip["id"])
    assert files and cli(app, "purge", "--dry-run").output.count("would delete") == 0

    days_ago(app, 8, consents_of_case=case["id"])  # the week has passed
    dry = cli(app, "purge", "--dry-run")
    assert dry.exit_code == 0 and f"would delete clip {worked_clip['id']} (case 2026-017" in dry.output and "withdrawal" in dry.output
    assert clip_files(app, worked_clip["id"]) == files  # a dry run touches nothing
    assert api("worker").get(f"/api/clips/{worked_clip['id']}").status_code == 200

    done = cli(app, "purge")
    assert done.exit_code == 0 and f"deleted clip {worked_clip['id']}" in done.output
    assert clip_files(app, worked_clip["id"]) == set()
    assert api("worker").get(f"/api/clips/{worked_clip['id']}").status_code == 404


def test_recording_the_consent_again_cancels_the_deletion(app, api, case, worked_clip):
    withdraw(api, case, ["analysis"])
    grant_analysis(api, case)
    clip = api("worker").get(f"/api/clips/{worked_clip['id']}").json
    assert clip["deletion_reason"] == "retention_max" and clip["media_refusal"] is None
    days_ago(app, 8, consents_of_case=case["id"])
    assert cli(app, "purge").output.count("deleted clip") == 0
    assert clip_files(app, worked_clip["id"])


def test_a_withdrawal_late_in_the_evening_is_deleted_on_the_organisations_day(app, api, browser_login, case, ready_clip):
    """At 23:30 UTC it is already the next day in Amsterdam: the clip's date and the case page's agree
    on the day where the organisation is."""
    withdraw(api, case, ["analysis"])
    with app.app_context():
        session = db.session()
        late = datetime(2026, 12, 2, 23, 30, tzinfo=UTC)  # 00:30 on 3 December in Amsterdam
        session.execute(update(ConsentRecord).where(ConsentRecord.case_id == case["id"]).values(recorded_at=late))
        session.commit()
    assert api("worker").get(f"/api/clips/{ready_clip['id']}").json["delete_after"] == "2026-12-10"
    case_page = browser_login("worker").get(f"/cases/{case['id']}").get_data(as_text=True)
    assert "will be deleted on December 10, 2026" in case_page


def test_someone_elses_withdrawal_keeps_its_own_date(app, api, case, ready_clip):
    withdraw(api, case, ["analysis"], person="worker")
    grant_analysis(api, case, person="father")  # another person's new consent cancels nothing
    assert api("worker").get(f"/api/clips/{ready_clip['id']}").json["deletion_reason"] == "withdrawal"


@pytest.mark.parametrize("purposes", [["supervision"], ["training"], ["analysis", "presentation"]])
def test_withdrawing_a_purpose_the_person_never_gave_is_refused(api, case, purposes):
    response = withdraw(api, case, purposes)
    assert (
        response.status_code == 422 and "gave no consent for" in response.json["error"] and "nothing to withdraw" in response.json["error"]
    )
    assert {p["person"]: p["purposes"] for p in api("worker").get(f"/api/cases/{case['id']}").json["consents"]}["father"] == ["analysis"]


def test_withdrawing_supervision_ends_the_reviews_and_the_worker_keeps_the_sent_feedback(
    app, api, browser_login, case, review, worked_clip
):
    assert withdraw(api, case, ["supervision"]).status_code == 200
    for who in ("worker", "supervisor"):
        seen = api(who).get(f"/api/reviews/{review['id']}").json
        assert (seen["state"], seen["end_reason"]) == ("ended", "supervision_withdrawn")
        assert "review_ended" in [n["kind"] for n in api(who).get("/api/notifications").json]
        page = browser_login(who).get(f"/reviews/{review['id']}").get_data(as_text=True)
        assert "consent for review by a supervisor was withdrawn" in page
    refused = api("supervisor").post(
        f"/api/reviews/{review['id']}/feedback", json={"kind": "strength", "text": "Ik zie dat je knikt.", "start_ms": 0}
    )
    assert refused.status_code in (404, 409)
    assert api("supervisor").get(f"/api/clips/{worked_clip['id']}").status_code == 404
    assert [f["text"] for f in api("worker").get(f"/api/clips/{worked_clip['id']}/feedback").json] == ["Ik zie dat je wacht."]
    assert [f["text"] for f in api("worker").get(f"/api/reviews/{review['id']}").json["feedback"]] == ["Ik zie dat je wacht."]


@pytest.fixture
def heard():
    """A fake later feature (the library, presentations) registered for training and presentation."""
    calls = []
    for purpose in ("training", "presentation"):
        registry.on_withdrawal(
            purpose, "fake-library", lambda db, case, person, by, purpose=purpose: calls.append((purpose, case.id, person, by.email))
        )
    yield calls
    registry.unregister("fake-library")


def test_withdrawing_training_or_presentation_reaches_what_registered_for_it(api, case, heard):
    api("worker").post(
        f"/api/cases/{case['id']}/consents",
        json={"person": "father", "role": "parent", "purposes": ["training", "presentation"], "date": organisation_today().isoformat()},
    )
    assert withdraw(api, case, ["training"]).status_code == 200
    assert withdraw(api, case, ["presentation"]).status_code == 200
    assert heard == [("training", case["id"], "father", "worker@example.org"), ("presentation", case["id"], "father", "worker@example.org")]
