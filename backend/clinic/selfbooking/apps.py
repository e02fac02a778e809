from __future__ import annotations

from django.apps import AppConfig


class SelfbookingConfig(AppConfig):
    name = "clinic.selfbooking"
    label = "selfbooking"
    verbose_name = "Self-booking"

    def ready(self) -> None:
        from clinic.intake.followups import inquiry_followup_register
        from clinic.intake.triage import triage_flag_register
        from clinic.messaging.wording import text_register
        from clinic.scheduling.events import AppointmentEvent, appointment_subscribe

        from .followup import PROVIDER
        from .locations import location_scopes_register
        from .services import selfbooking_follow_appointment
        from .triage import CONFIRMED_FLAG, REQUESTED_FLAG
        from .wording import ACK_TEXT, ACK_WORDING

        # The acknowledgement offers a link to choose a time; the thanks page shows the times.
        text_register(name=ACK_TEXT, wording=ACK_WORDING)
        inquiry_followup_register(PROVIDER)
        # Front desk sees self-booked inquiries at the top of the triage list, requested ones first.
        triage_flag_register(REQUESTED_FLAG)
        triage_flag_register(CONFIRMED_FLAG)
        # A self-booked consultation cancelled or missed leaves the top of the list (its time is offered again).
        for event in (AppointmentEvent.CANCELLED, AppointmentEvent.MISSED):
            appointment_subscribe(event, selfbooking_follow_appointment)
        location_scopes_register()
