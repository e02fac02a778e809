from __future__ import annotations

from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "clinic.messaging"
    label = "messaging"
    verbose_name = "Messaging"

    def ready(self) -> None:
        from clinic.core.readiness import readiness_report_register
        from clinic.patients.events import email_change_subscribe, phone_change_subscribe
        from clinic.patients.selectors import patient_detail_part_register

        from .crisis import crisis_detector_readiness
        from .email.sending import EMAIL_TRANSPORT
        from .locations import location_scopes_register
        from .models import OutboundMessage
        from .outbox import outbox_follow_email_change, outbox_follow_number_change
        from .selectors import patient_email_state, patient_phone_state
        from .sending import CHANNEL_TRANSPORTS

        CHANNEL_TRANSPORTS[OutboundMessage.Channel.EMAIL] = EMAIL_TRANSPORT

        # /readyz says whether crisis detection runs with its semantic layer, on the lexicon alone, or is building.
        readiness_report_register(name="crisis_detector", report=crisis_detector_readiness)
        # Texts pending for a patient's old number follow a number change, or are cancelled.
        phone_change_subscribe(outbox_follow_number_change)
        email_change_subscribe(outbox_follow_email_change)
        # A patient's page shows their number's opt-out state and whether a text may go to it.
        patient_detail_part_register(name="phone_state", reader=patient_phone_state)
        patient_detail_part_register(name="email_state", reader=patient_email_state)
        # Staff limited to some locations read the texts of the patients they may see and of their locations.
        location_scopes_register()
