"""The sandbox mailbox: an email backend that keeps every message in the database (like Mailpit, no server).

`make run` uses it when no EMAIL_URL is set; the sandbox page lists what it holds next to the texts.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend

from .models import SandboxEmail


class SandboxEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for email in email_messages:
            html = ""
            if isinstance(email, EmailMultiAlternatives):
                html = next((str(content) for content, mimetype in email.alternatives if mimetype == "text/html"), "")
            built = email.message()
            SandboxEmail.objects.create(
                message_id=str(built.get("Message-ID", "")),
                from_email=str(email.from_email),
                to=", ".join(email.recipients()),
                subject=str(email.subject),
                text_body=str(email.body),
                html_body=html,
                headers={key: str(value) for key, value in built.items()},
                raw=built.as_string(),
            )
        return len(email_messages)
