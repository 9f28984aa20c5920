"""E-mail through the organisation's SMTP server (VIB_SMTP_*): off unless VIB_SMTP_HOST is set."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app

log = logging.getLogger(__name__)


def enabled() -> bool:
    return bool(current_app.config["VIB_SMTP_HOST"])


def message(to: str, subject: str, body: str) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = subject
    mail["From"] = current_app.config["VIB_MAIL_FROM"]
    mail["To"] = to
    mail.set_content(body)
    return mail


def send(mail: EmailMessage) -> bool:
    """Hand the message to the SMTP server; False (and a log line) when that fails."""
    config = current_app.config
    try:
        with smtplib.SMTP(config["VIB_SMTP_HOST"], config["VIB_SMTP_PORT"], timeout=30) as smtp:
            if config["VIB_SMTP_STARTTLS"]:
                smtp.starttls()
            if config["VIB_SMTP_USER"]:
                smtp.login(config["VIB_SMTP_USER"], config["VIB_SMTP_PASSWORD"])
            smtp.send_message(mail)
    except (OSError, smtplib.SMTPException):
        log.exception("could not send an e-mail to %s", mail["To"])
        return False
    return True
