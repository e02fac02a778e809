from __future__ import annotations

from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "clinic.scheduling"
    label = "scheduling"
    verbose_name = "Scheduling"

    def ready(self) -> None:
        from clinic.messaging.sending import CAUSE_CHECKS
        from clinic.patients.selectors import patient_detail_part_register

        from .reminders import REMINDER_RELATED_TYPE, reminder_cause_problem
        from .selectors import patient_upcoming_appointments

        # A reminder for a session that was moved or cancelled is suppressed at send time.
        CAUSE_CHECKS[REMINDER_RELATED_TYPE] = reminder_cause_problem
        # A patient's page lists their coming sessions.
        patient_detail_part_register(name="upcoming_appointments", reader=patient_upcoming_appointments)
