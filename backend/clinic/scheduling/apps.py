from __future__ import annotations

from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "clinic.scheduling"
    label = "scheduling"
    verbose_name = "Scheduling"

    def ready(self) -> None:
        from clinic.messaging.sending import CAUSE_CHECKS

        from .reminders import REMINDER_RELATED_TYPE, reminder_cause_problem

        # A reminder for a session that was moved or cancelled is suppressed at send time.
        CAUSE_CHECKS[REMINDER_RELATED_TYPE] = reminder_cause_problem
