from __future__ import annotations

from django.apps import AppConfig


class RemsConfig(AppConfig):
    name = "clinic.rems"
    label = "rems"
    verbose_name = "Esketamine (REMS) monitoring"

    def ready(self) -> None:
        from clinic.scheduling.events import AppointmentEvent, appointment_subscribe
        from clinic.scheduling.services import booking_check_register

        from .locations import location_scopes_register
        from .services import monitoring_record_follow_appointment, rems_booking_problems

        # A REMS session type is booked (or moved) only for a patient whose enrollment form is completed.
        booking_check_register(rems_booking_problems)
        # A completed REMS session gets its record at once: the tracker counts its 7 days from then.
        appointment_subscribe(AppointmentEvent.COMPLETED, monitoring_record_follow_appointment)
        # Staff limited to some locations see those locations' records (a record follows its session).
        location_scopes_register()
