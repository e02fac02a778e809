from __future__ import annotations

from django.apps import AppConfig


class CheckinsConfig(AppConfig):
    name = "clinic.checkins"
    label = "checkins"
    verbose_name = "Check-ins and alerts"

    def ready(self) -> None:
        from clinic.messaging.inbound import crisis_responder_register, inbound_route_register
        from clinic.messaging.sending import CAUSE_CHECKS
        from clinic.patients.events import language_change_subscribe
        from clinic.scheduling.events import AppointmentEvent, appointment_subscribe

        from .alerts import ALERT_RELATED_TYPE, alert_cause_problem, alert_open_for_crisis
        from .inbound_routes import route_checkin_answer, route_help_while_home_safe_waits, route_yes_to_checkin
        from .locations import location_scopes_register
        from .questions import checkin_questions_rewrite_for_patient
        from .services import CHECKIN_RELATED_TYPE, checkin_cause_problem, checkins_follow_appointment

        # A patient who changes language gets the check-in questions already written again in the new one.
        language_change_subscribe(checkin_questions_rewrite_for_patient)
        # A crisis text opens the urgent alert and pages the on-call clinician (its reply is messaging's).
        crisis_responder_register(alert_open_for_crisis)
        # "YES" while a check-in waits answers the check-in, ahead of appointment replies (priority 50).
        # Before the help keyword (30): HELP to "are you home safe?" is read as the answer it may be.
        inbound_route_register(name="help to home safe", priority=25, handle=route_help_while_home_safe_waits)
        inbound_route_register(name="check-in yes", priority=40, handle=route_yes_to_checkin)
        inbound_route_register(name="check-in answer", priority=60, handle=route_checkin_answer)

        # A check-in text whose check-in was answered or cancelled, or a page about an alert someone
        # acknowledged, is suppressed at send time.
        CAUSE_CHECKS[CHECKIN_RELATED_TYPE] = checkin_cause_problem
        CAUSE_CHECKS[ALERT_RELATED_TYPE] = alert_cause_problem
        # A completed session starts its check-ins; a cancelled or missed one cancels any it had.
        for event in (AppointmentEvent.COMPLETED, AppointmentEvent.CANCELLED, AppointmentEvent.MISSED):
            appointment_subscribe(event, checkins_follow_appointment)
        # Staff limited to some locations read their patients' check-ins and alerts; a clinician paged
        # about an alert always reads it and its patient, wherever they are seen.
        location_scopes_register()
