from __future__ import annotations

from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "clinic.scheduling"
    label = "scheduling"
    verbose_name = "Scheduling"

    def ready(self) -> None:
        from clinic.messaging.inbound import inbound_route_register
        from clinic.messaging.sending import CAUSE_CHECKS
        from clinic.patients.events import language_change_subscribe
        from clinic.patients.selectors import patient_detail_part_register

        from .locations import location_scopes_register
        from .reminders import REMINDER_RELATED_TYPE, reminder_cause_problem, reminders_rewrite_for_patient
        from .replies import route_appointment_reply, route_reschedule_request
        from .selectors import patient_upcoming_appointments

        # A reminder for a session that was moved or cancelled is suppressed at send time.
        CAUSE_CHECKS[REMINDER_RELATED_TYPE] = reminder_cause_problem
        # C / YES / R / RIDE about the next session, after "YES" to a waiting check-in (priority 40).
        inbound_route_register(name="appointment reply", priority=50, handle=route_appointment_reply)
        # "Can't make it" / "necesito cambiar la cita" in the patient's own words, after check-in answers (60).
        inbound_route_register(name="reschedule request", priority=70, handle=route_reschedule_request)
        # A patient who changes language gets the reminders already written again in the new one.
        language_change_subscribe(reminders_rewrite_for_patient)
        # A patient's page lists their coming sessions.
        patient_detail_part_register(name="upcoming_appointments", reader=patient_upcoming_appointments)
        # Staff limited to some locations see those locations' schedule, and clinicians their own patients.
        location_scopes_register()
