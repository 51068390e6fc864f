"""Notification e-mails over SMTP (``PAPERCLERK_SMTP_*``): plain text, one recipient per message."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate

from paperclerk.config import Settings
from paperclerk.notifications.messages import Message


def configured(settings: Settings) -> bool:
    return bool(settings.smtp_host)


def compose(message: Message, *, to: str, delivery_id: str, settings: Settings) -> EmailMessage:
    """The e-mail: the title as subject, the details, the page's link and where to change what one gets."""
    base = settings.public_url.rstrip("/")
    mail = EmailMessage()
    mail["From"] = settings.smtp_from
    mail["To"] = to
    mail["Subject"] = f"[paperclerk] {message.title}"
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = f"<{delivery_id}@paperclerk>"
    parts = [message.title, "", message.body] if message.body else [message.title]
    if message.link:
        parts += ["", f"Open: {base}{message.link}"]
    parts += ["", "--", f"You chose to get this by e-mail; change that at {base}/notifications/preferences"]
    mail.set_content("\n".join(parts) + "\n")
    return mail


def send(mail: EmailMessage, settings: Settings) -> None:
    """Hand the e-mail to the SMTP server; raises ``smtplib.SMTPException`` or ``OSError`` when it is not taken."""
    timeout = settings.smtp_timeout_seconds
    smtp: smtplib.SMTP
    if settings.smtp_security == "tls":
        smtp = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, timeout=timeout,
                                context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout)
    with smtp:
        if settings.smtp_security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password.get_secret_value())
        smtp.send_message(mail)
