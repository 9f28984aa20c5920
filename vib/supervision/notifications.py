"""Notifications: a row per person and event, shown as a badge and a list; e-mailed when SMTP is
configured. The text is made when shown, in the reader's language. An e-mail says only who did what
and links to vib: no case codes, titles, questions or feedback leave the organisation by mail."""

from __future__ import annotations

import logging
from datetime import date
from email.message import EmailMessage

from flask import current_app, url_for
from flask_babel import force_locale, format_date, gettext
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from vib.accounts.certificates import needing_attention
from vib.accounts.models import User
from vib.core import jobs, mail
from vib.core.days import organisation_today
from vib.core.db import session as current_session
from vib.core.db import utcnow
from vib.supervision.models import Notification, ReviewRequest

log = logging.getLogger(__name__)

KINDS = (
    "review_requested", "feedback_sent", "review_answered", "review_withdrawn", "review_closed", "review_ended",
    "clip_deletion_due", "certificate_expiring", "certificate_expired",
)  # fmt: skip
# Days before a supervisor's certificate runs out that they are reminded (and the day after it did).
CERTIFICATE_REMINDER_DAYS = (90, 30, 7)


def notify(
    db: Session,
    recipient: User,
    kind: str,
    review: ReviewRequest | None = None,
    actor: User | None = None,
    clip_id: int | None = None,
    on_date: date | None = None,
) -> Notification:
    """Add a notification (stored with the caller's commit) and, with SMTP configured, e-mail it after."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    notification = Notification(
        user_id=recipient.id, kind=kind, review_id=review.id if review else None, actor_id=actor.id if actor else None,
        clip_id=clip_id, on_date=on_date,
    )  # fmt: skip
    db.add(notification)
    db.flush()
    if current_app.config["VIB_SMTP_HOST"]:
        jobs.enqueue_after_commit(db, "notification_email", notification.id)  # the job reads the row
    return notification


def text(notification: Notification) -> str:
    name = notification.actor.name if notification.actor else "?"
    messages = {
        "review_requested": gettext("%(name)s asks you to review a clip.", name=name),
        "feedback_sent": gettext("%(name)s sent you feedback on your clip.", name=name),
        "review_answered": gettext("%(name)s answered your feedback.", name=name),
        "review_withdrawn": gettext("%(name)s withdrew a review request.", name=name),
        "review_closed": gettext("%(name)s closed a review.", name=name),
        "review_ended": gettext("A review has ended: consent for review by a supervisor was withdrawn."),
    }
    if notification.kind == "clip_deletion_due":
        return gettext("A clip of yours will be deleted on %(date)s.", date=format_date(notification.on_date, "long"))
    if notification.kind == "certificate_expiring":
        return gettext(
            "Your supervisor certificate is valid until %(date)s. Send the renewal to your administrator in time.",
            date=format_date(notification.on_date, "long"),
        )
    if notification.kind == "certificate_expired":
        return gettext(
            "Your supervisor certificate ran out on %(date)s: workers cannot ask you for reviews until the renewal is recorded.",
            date=format_date(notification.on_date, "long"),
        )
    return messages[notification.kind]


def link(notification: Notification, external: bool = False) -> str | None:
    """Where the notification leads: its review, or its clip."""
    if notification.review_id:
        return url_for("supervision.review_page", review_id=notification.review_id, _external=external)
    if notification.clip_id:
        return url_for("clips.clip_page", clip_id=notification.clip_id, _external=external)
    return None


def notification_json(notification: Notification) -> dict:
    return {
        "id": notification.id,
        "kind": notification.kind,
        "text": text(notification),
        "url": link(notification),
        "review_id": notification.review_id,
        "created_at": notification.created_at.isoformat(),
        "read": notification.read_at is not None,
    }


def unread_count(db: Session, user: User) -> int:
    return db.scalar(select(func.count(Notification.id)).where(Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def for_user(db: Session, user: User, limit: int = 50, unread_only: bool = False) -> list[Notification]:
    query = select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return list(db.scalars(query.order_by(Notification.id.desc()).limit(limit)))


def notification_or_none(db: Session, user: User, notification_id: int) -> Notification | None:
    """One of `user`'s notifications (None for someone else's: nobody reads another's list)."""
    notification = db.get(Notification, notification_id)
    return notification if notification is not None and notification.user_id == user.id else None


def mark_read(db: Session, notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = utcnow()


def mark_all_read(db: Session, user: User) -> int:
    result = db.execute(
        update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None)).values(read_at=utcnow())
    )
    return result.rowcount


def mark_review_read(db: Session, user: User, review: ReviewRequest) -> None:
    """Opening a review reads its notifications."""
    db.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.review_id == review.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )


@jobs.task("notification_email")
def email_notification(notification_id: int) -> None:
    """Send one notification by e-mail; a failure is logged, never shown to the person who acted."""
    db = current_session()
    notification = db.get(Notification, notification_id)
    config = current_app.config
    if notification is None or notification.emailed_at is not None or not config["VIB_SMTP_HOST"]:
        return
    recipient = db.get(User, notification.user_id)
    if recipient is None or not recipient.active:
        return
    if not mail.send(_email(notification, recipient, config)):
        return  # logged; the notification stays in vib
    notification.emailed_at = utcnow()


def _email(notification: Notification, recipient: User, config) -> EmailMessage:
    with current_app.test_request_context(base_url=config["VIB_BASE_URL"]):  # links outside a request
        address = link(notification, external=True) or config["VIB_BASE_URL"]
    with force_locale(recipient.locale or config["VIB_DEFAULT_LOCALE"]):
        subject = gettext("vib: %(text)s", text=text(notification))
        body = gettext(
            "%(text)s\n\nOpen it in vib: %(link)s\n\nThis message contains no client information; log in to vib to read more.",
            text=text(notification),
            link=address,
        )
    return mail.message(recipient.email, subject, body)


@jobs.task("certificate_notices", daily=True)
def certificate_notices(_unused: int = 0, today: date | None = None) -> int:
    """Remind active supervisors CERTIFICATE_REMINDER_DAYS before their certificate runs out, and the
    day after it did. Daily work runs once a day, so each reminder is sent once."""
    today = today or organisation_today()
    db = current_session()
    sent = 0
    for user, _state in needing_attention(db, today):
        certificate = user.certificate
        if certificate is None:
            continue  # never certified: the admin's to-do list, not a reminder
        days_left = (certificate.valid_until - today).days
        if days_left in CERTIFICATE_REMINDER_DAYS:
            notify(db, user, "certificate_expiring", on_date=certificate.valid_until)
            sent += 1
        elif days_left == -1:
            notify(db, user, "certificate_expired", on_date=certificate.valid_until)
            sent += 1
    return sent
