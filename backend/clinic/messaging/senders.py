"""Which number (or Messaging Service) a text goes from, and which location a number belongs to.

Each location may have its own sender (`Clinic.sms_from_number` or `Clinic.messaging_service_sid`):
patients reply to the number their reminders came from, and that number tells us the location. A
text without a location, or for a location without a sender, goes from the organization's
(TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID). Each sender has its own send-rate limit.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from clinic.core.models import Clinic


@dataclass(frozen=True)
class Sender:
    from_number: str
    messaging_service_sid: str = ""

    @property
    def identity(self) -> str:
        """The name its rate limit is kept under: the service if there is one, else the number."""
        return self.messaging_service_sid or self.from_number

    def create_arguments(self) -> dict[str, str]:
        """How the provider is told who sends: a Messaging Service wins over a number."""
        if self.messaging_service_sid:
            return {"messaging_service_sid": self.messaging_service_sid}
        return {"from_": self.from_number}

    def sent(self, candidate: object) -> bool:
        """True when a message listed by the provider went from this sender (a queued one may not say yet)."""
        if self.messaging_service_sid:
            return bool(getattr(candidate, "messaging_service_sid", None) == self.messaging_service_sid)
        return getattr(candidate, "from_", None) in (None, "", self.from_number)


# What a location's sender is read from (for `.only()` on rows joined to their location).
SENDER_FIELDS = ("clinic", "clinic__sms_from_number", "clinic__messaging_service_sid")


def sender_default() -> Sender:
    return Sender(str(settings.TWILIO_FROM_NUMBER), str(settings.TWILIO_MESSAGING_SERVICE_SID or ""))


def sender_for(clinic: Clinic | None) -> Sender:
    """The sender of a location's texts: its own, else the organization's."""
    if clinic is not None and (clinic.messaging_service_sid or clinic.sms_from_number):
        return Sender(clinic.sms_from_number, clinic.messaging_service_sid)
    return sender_default()


def location_of_number(to_number: str, messaging_service_sid: str = "") -> Clinic | None:
    """The location whose number (or Messaging Service) a patient's text was sent to, if any."""
    if to_number:
        found = Clinic.objects.filter(sms_from_number=to_number).first()
        if found is not None:
            return found
    if messaging_service_sid:
        return Clinic.objects.filter(messaging_service_sid=messaging_service_sid).order_by("id").first()
    return None
