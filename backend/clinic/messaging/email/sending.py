"""Sending one claimed, checked email row through Django's email framework (SMTP in production).

Errors, as SMTP reports them:
- temporary (a 4xx answer, connection refused, a timeout before the message went out): retried with
  the outbox's backoff, like a retryable Twilio error;
- permanent (a 5xx answer): the row fails with the code recorded; a recipient refused with 5xx at RCPT
  (550 mailbox unknown, ...) also marks the address undeliverable;
- unknown (the connection broke or timed out while the message was being handed over, or the worker
  died mid-send): there is no provider to ask, so the rule is: send it again once, with the same
  Message-ID (a receiving system can drop the copy), and if that second attempt's outcome is unknown
  too, fail the row for staff to check ("may have arrived") rather than risk a third copy. A lost
  reminder is worse for a patient than a duplicate one; a stream of copies helps nobody.
"""

from __future__ import annotations

import logging
import smtplib
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import F
from django.utils import timezone

from clinic.core.clinics import clinic_current, clinic_display_name

from ..models import DeliveryAttempt, OutboundMessage
from ..sending import (
    OUTCOME_UNKNOWN,
    AttemptClock,
    ChannelTransport,
    SendOutcome,
    _attempt_record,
    _finish,
    _give_up,
    _outcome_unknown,
    _schedule_retry,
)
from .addresses import email_mark_undeliverable, email_state_ensure
from .unsubscribe import unsubscribe_url
from .wording import EmailWordingError, email_compose

logger = logging.getLogger(__name__)
Status = OutboundMessage.Status
Outcome = DeliveryAttempt.Outcome
# What staff read on a row sent again after an unknown outcome. Whether it was is read from its history
# (a NOT_FOUND attempt, written when the resend was decided), which no later retry overwrites.
RESENT_AFTER_UNKNOWN = "resent once after an unknown outcome (same Message-ID)"
ONE_CLICK = "List-Unsubscribe=One-Click"


def email_message_id(message: OutboundMessage) -> str:
    """The row's Message-ID: the same on every attempt, so a receiving system can drop a second copy."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "clinic.invalid"
    return f"<outbox-{message.pk}.{int(message.created_at.timestamp())}@{domain}>"


def email_build(message: OutboundMessage) -> EmailMultiAlternatives:
    """The email a row becomes: plain text and HTML from the same words, footer, unsubscribe headers."""
    clinic = clinic_current()
    state = email_state_ensure(message.to_email)
    link = unsubscribe_url(state)
    rendered = email_compose(
        subject=message.subject,
        body=message.body,
        clinic=clinic_display_name(clinic),
        clinic_phone=clinic.phone if clinic else "",
        unsubscribe_url=link,
        language=message.language,
    )
    email = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to_email],
        headers={
            "Message-ID": email_message_id(message),
            # RFC 8058: mail clients offer a one-click unsubscribe that POSTs to this URL.
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": ONE_CLICK,
            "Auto-Submitted": "auto-generated",
        },
    )
    email.attach_alternative(rendered.html, "text/html")
    return email


def email_send_claimed(message: OutboundMessage) -> SendOutcome:
    """Send a claimed, checked email row and record the result (see the module's docstring for errors)."""
    try:
        email = email_build(message)
    except EmailWordingError as exc:
        _finish(message.id, status=Status.FAILED, last_error_message=str(exc)[:300])
        logger.error("email %s: not sent, its words break the minimum-information rule", message.id)
        return SendOutcome("failed: wording")
    connection = get_connection(fail_silently=False, timeout=settings.EMAIL_TIMEOUT)
    # One DeliveryAttempt row per try, as for texts: when, how long the mail server took, what it said.
    clock = AttemptClock().start()
    try:
        try:
            connection.open()
        except smtplib.SMTPResponseException as exc:  # the server answered, e.g. 421 busy or 535 auth
            _attempt_record(message, clock, Outcome.TEMPORARY_FAILURE, code=exc.smtp_code, detail="mail server")
            return _schedule_retry(message, code=exc.smtp_code, text=f"mail server: {exc.smtp_code}")
        except (OSError, smtplib.SMTPException) as exc:  # refused, unreachable, timed out: nothing went out
            _attempt_record(message, clock, Outcome.TEMPORARY_FAILURE, detail="could not connect")
            return _schedule_retry(
                message, code=None, text=f"could not connect to the mail server ({type(exc).__name__})"
            )
        try:
            connection.send_messages([email])
        except smtplib.SMTPRecipientsRefused as exc:
            code = min((answer[0] for answer in exc.recipients.values()), default=None)
            _attempt_record(message, clock, _refusal_outcome(code), code=code, detail="recipient refused")
            return _refused(message, code=code, at_recipient=True)
        except smtplib.SMTPResponseException as exc:  # MAIL FROM or DATA answered with an error
            _attempt_record(message, clock, _refusal_outcome(exc.smtp_code), code=exc.smtp_code, detail="refused")
            return _refused(message, code=exc.smtp_code, at_recipient=False)
        except (OSError, smtplib.SMTPException) as exc:  # cut or timed out while handing it over
            _attempt_record(message, clock, Outcome.UNKNOWN, detail=f"cut while sending ({type(exc).__name__})")
            return _unknown(message, text=type(exc).__name__)
        # No provider id: the Message-ID is derived from the row (email_message_id).
        _attempt_record(message, clock, Outcome.ACCEPTED)
    finally:
        try:
            connection.close()
        except Exception:  # a broken connection cannot be closed cleanly; the message's fate is already known
            logger.info("email %s: closing the mail connection failed", message.id)
    OutboundMessage.objects.filter(id=message.id, status=Status.SENDING).update(
        status=Status.SENT, sent_at=timezone.now(), last_error_code=None, reconcile_after=None
    )
    return SendOutcome("sent")


def _refusal_outcome(code: int | None) -> str:
    return Outcome.PERMANENT_FAILURE if code is not None and code >= 500 else Outcome.TEMPORARY_FAILURE


def _refused(message: OutboundMessage, *, code: int | None, at_recipient: bool) -> SendOutcome:
    if code is None or code < 500:
        return _schedule_retry(message, code=code, text=f"mail server: temporary failure {code}")
    _finish(message.id, status=Status.FAILED, last_error_code=code, last_error_message=f"mail server refused: {code}")
    if at_recipient:
        email_mark_undeliverable(address=message.to_email, code=code)
    logger.warning("email %s failed permanently with SMTP code %s", message.id, code)
    return SendOutcome(f"failed: {code}")


def _resent_already(message: OutboundMessage) -> bool:
    return DeliveryAttempt.objects.filter(message_id=message.id, outcome=Outcome.NOT_FOUND).exists()


def _unknown(message: OutboundMessage, *, text: str) -> SendOutcome:
    if _resent_already(message):
        _give_up_unknown(message)
        return SendOutcome("failed: outcome unknown twice")
    return _outcome_unknown(message, code=None, text=text)


def _give_up_unknown(message: OutboundMessage) -> None:
    _finish(
        message.id,
        status=Status.FAILED,
        reconcile_after=None,
        last_error_message="outcome unknown twice; it may have arrived: check with the patient before sending again",
    )
    logger.error("email %s: outcome unknown after a resend; failed for staff to check", message.id)


def email_reconcile(message: OutboundMessage) -> str:
    """Settle an email row left in `sending` (unknown outcome or a dead worker): send it again once, else fail."""
    if _resent_already(message):
        _give_up_unknown(message)
        return "failed"
    if message.attempts >= settings.SMS_MAX_ATTEMPTS and message.last_error_message.startswith(OUTCOME_UNKNOWN):
        _give_up(message.id, attempts=message.attempts, code=None, text=message.last_error_message)
        return "failed"
    died = not message.last_error_message.startswith(OUTCOME_UNKNOWN)
    _attempt_record(
        message,
        AttemptClock(),
        Outcome.NOT_FOUND,
        detail="no mail server to ask after " + ("a worker stopped" if died else "an unknown outcome") + ": sent again",
    )
    OutboundMessage.objects.filter(id=message.id, status=Status.SENDING).update(
        status=Status.SCHEDULED,
        send_after=timezone.now(),
        reconcile_after=None,
        last_error_message=RESENT_AFTER_UNKNOWN,
        # A dead worker's attempt is not the email's fault.
        **({"attempts": F("attempts") - 1} if died else {}),
    )
    return "resent"


EMAIL_TRANSPORT = ChannelTransport(send=email_send_claimed, reconcile=email_reconcile)
