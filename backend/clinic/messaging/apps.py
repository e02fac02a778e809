from __future__ import annotations

from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "clinic.messaging"
    label = "messaging"
    verbose_name = "Messaging"

    def ready(self) -> None:
        from clinic.core.readiness import readiness_report_register

        from .crisis import crisis_detector_status
        from .email.sending import EMAIL_TRANSPORT
        from .models import OutboundMessage
        from .sending import CHANNEL_TRANSPORTS

        CHANNEL_TRANSPORTS[OutboundMessage.Channel.EMAIL] = EMAIL_TRANSPORT

        # /readyz says whether crisis detection runs with its semantic layer or on the lexicon alone.
        readiness_report_register(name="crisis_detector", report=crisis_detector_status)
