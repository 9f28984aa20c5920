""" "Exchange data" on the coding page and the review screen: export links for whoever sees the moments,
the import form for whoever may code the clip, nothing while consent to analysis is withdrawn."""

from __future__ import annotations


def test_the_owner_gets_export_links_and_the_import_form_on_both_pages(browser_login, ready_clip):
    client = browser_login("worker")
    for page in ("coding", "review"):
        html = client.get(f"/clips/{ready_clip['id']}/{page}").get_data(as_text=True)
        assert "Exchange data" in html and f"/api/clips/{ready_clip['id']}/export?format=eaf" in html
        assert f'data-api="/api/clips/{ready_clip["id"]}/import"' in html and "js/interop-import.js" in html


def test_the_asked_supervisor_gets_it_too(browser_login, ready_clip, review):
    html = browser_login("supervisor").get(f"/clips/{ready_clip['id']}/review").get_data(as_text=True)
    assert "Exchange data" in html and "/import" in html


def test_nothing_to_exchange_while_consent_to_analysis_is_withdrawn(api, browser_login, ready_clip):
    api("worker").post(f"/api/cases/{ready_clip['case_id']}/consents/withdraw", json={"person": "father", "purposes": ["analysis"]})
    html = browser_login("worker").get(f"/clips/{ready_clip['id']}/coding").get_data(as_text=True)
    assert "Exchange data" not in html
