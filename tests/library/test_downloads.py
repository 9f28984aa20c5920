"""Downloading a published fragment for a presentation outside the organisation (issue 13)."""

from __future__ import annotations

from tests.library.conftest import consent, withdraw
from tests.library.test_fragments import actions


def test_a_download_needs_everyone_to_consent_to_presentation_and_is_audited(app, api, case, published):
    url = f"/api/fragments/{published['id']}/download"
    refused = api("other_worker").get(url)
    assert refused.status_code == 403 and "presentation" in refused.json["error"] and "father" not in refused.json["error"]
    consent(api, case["id"], ["presentation"])
    r = api("other_worker").get(url)
    assert r.status_code == 200 and r.headers["Content-Type"] == "video/mp4"
    assert "attachment" in r.headers["Content-Disposition"]
    assert "fragment.download" in actions(app, published["id"])
    withdraw(api, case["id"], ["presentation"])
    assert api("other_worker").get(url).status_code == 403
