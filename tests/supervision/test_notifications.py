"""Notifications: who hears of what, in their own language, and e-mail only when SMTP is configured."""

from __future__ import annotations

import socket
import time

import pytest

from tests.conftest import wait_for_jobs


def kinds(api, who):
    return [n["kind"] for n in api(who).get("/api/notifications").json]


def send_a_strength(api, review):
    api("supervisor").post(
        f"/api/reviews/{review['id']}/feedback", json={"kind": "strength", "text": "Ik zie dat je wacht.", "start_ms": 0}
    )
    assert api("supervisor").post(f"/api/reviews/{review['id']}/send").status_code == 200


def test_each_step_tells_the_other_party(api, review):
    assert kinds(api, "supervisor") == ["review_requested"]
    first = api("supervisor").get("/api/notifications").json[0]
    assert first["text"] == "Worker asks you to review a clip." and first["url"] == f"/reviews/{review['id']}" and not first["read"]
    send_a_strength(api, review)
    assert kinds(api, "worker") == ["feedback_sent"]
    api("worker").post(f"/api/reviews/{review['id']}/answers", json={"text": "Thank you."})
    assert kinds(api, "supervisor") == ["review_answered", "review_requested"]
    assert kinds(api, "other_supervisor") == [] and kinds(api, "other_worker") == []


def test_opening_the_review_reads_its_notifications(api, review):
    assert api("supervisor").get("/api/notifications?unread=1").json
    api("supervisor").get(f"/api/reviews/{review['id']}")
    assert api("supervisor").get("/api/notifications?unread=1").json == []


def test_notifications_are_marked_read_one_by_one_or_all_and_only_ones_own(api, review):
    mine = api("supervisor").get("/api/notifications").json[0]
    assert api("worker").post(f"/api/notifications/{mine['id']}/read").status_code == 404
    assert api("supervisor").post(f"/api/notifications/{mine['id']}/read").json["read"] is True
    send_a_strength(api, review)
    assert api("worker").post("/api/notifications/read").json == {"read": 1}
    assert api("worker").get("/api/notifications?unread=1").json == []


def test_the_text_is_in_the_readers_language(app, api, people, review):
    from vib.accounts.models import User
    from vib.core import db

    with app.app_context():
        db.session().get(User, people["supervisor"].id).locale = "nl"
        db.session().commit()
    dutch = api("supervisor").get("/api/notifications").json[0]["text"]
    assert dutch == "Worker vraagt je een clip te bekijken."


def test_without_smtp_nothing_is_mailed_and_nothing_fails(app, api, review):
    assert app.config["VIB_SMTP_HOST"] == ""
    send_a_strength(api, review)
    wait_for_jobs(app)
    assert kinds(api, "worker") == ["feedback_sent"]


@pytest.fixture
def smtp_server():
    """A real SMTP server on a free local port that keeps what it receives."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received = []

    class Keep(Message):
        def handle_message(self, message):
            received.append(message)

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    yield port, received
    controller.stop()


def test_with_smtp_each_notification_is_mailed_without_client_data(app, api, review, smtp_server):
    port, received = smtp_server
    app.config.update(VIB_SMTP_HOST="127.0.0.1", VIB_SMTP_PORT=port, VIB_BASE_URL="https://vib.example.org")
    send_a_strength(api, review)
    wait_for_jobs(app)
    for _ in range(50):
        if received:
            break
        time.sleep(0.1)
    assert len(received) == 1
    mail = received[0]
    body = mail.get_payload()
    assert mail["To"] == "worker@example.org" and mail["Subject"] == "vib: Supervisor sent you feedback on your clip."
    assert f"https://vib.example.org/reviews/{review['id']}" in body
    for private in ("2026-017", "Look at how I start", "Ik zie dat je wacht", "father"):
        assert private not in body and private not in mail["Subject"]


def test_an_unreachable_mail_server_does_not_stop_the_review(app, api, review):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    app.config.update(VIB_SMTP_HOST="127.0.0.1", VIB_SMTP_PORT=closed_port)
    send_a_strength(api, review)
    wait_for_jobs(app)
    assert api("worker").get(f"/api/reviews/{review['id']}").json["state"] == "feedback_sent"
    assert kinds(api, "worker") == ["feedback_sent"]
