from __future__ import annotations

from django.apps import AppConfig


class WaitlistConfig(AppConfig):
    name = "clinic.waitlist"
    label = "waitlist"
    verbose_name = "Waitlist"

    def ready(self) -> None:
        from clinic.messaging.inbound import inbound_route_register
        from clinic.messaging.sending import CAUSE_CHECKS
        from clinic.messaging.wording import text_register
        from clinic.scheduling.events import AppointmentEvent, appointment_subscribe

        from .locations import location_scopes_register
        from .offers import offer_cause_problem, slot_free_on_change
        from .replies import route_offer_yes
        from .services import OFFER_RELATED_TYPE
        from .wording import WAITLIST_TEXTS

        for name, wording in WAITLIST_TEXTS.items():
            text_register(name=name, wording=wording)
        # A cancelled session, or a moved one's old time, is offered to the waitlist (never a no-show's).
        for event in (AppointmentEvent.CANCELLED, AppointmentEvent.RESCHEDULED):
            appointment_subscribe(event, slot_free_on_change)
        # An offer text whose offer closed (taken, expired) or whose time is gone is suppressed at send time.
        CAUSE_CHECKS[OFFER_RELATED_TYPE] = offer_cause_problem
        # "YES 4821": after opt-in (20) and help (30), before a YES to a waiting check-in (40).
        inbound_route_register(name="waitlist offer yes", priority=35, handle=route_offer_yes)
        # Staff limited to some locations see their locations' waitlist.
        location_scopes_register()
