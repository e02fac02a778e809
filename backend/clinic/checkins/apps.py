from __future__ import annotations

from django.apps import AppConfig


class CheckinsConfig(AppConfig):
    name = "clinic.checkins"
    label = "checkins"
    verbose_name = "Check-ins and alerts"

    def ready(self) -> None:
        from clinic.messaging.sending import CAUSE_CHECKS

        from .alerts import ALERT_RELATED_TYPE, alert_cause_problem
        from .services import CHECKIN_RELATED_TYPE, checkin_cause_problem

        # A check-in text whose check-in was answered or cancelled, or a page about an alert someone
        # acknowledged, is suppressed at send time.
        CAUSE_CHECKS[CHECKIN_RELATED_TYPE] = checkin_cause_problem
        CAUSE_CHECKS[ALERT_RELATED_TYPE] = alert_cause_problem
