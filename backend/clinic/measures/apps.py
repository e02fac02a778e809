from __future__ import annotations

from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "clinic.measures"
    label = "measures"
    verbose_name = "Questionnaires"

    def ready(self) -> None:
        from django.contrib import admin

        from clinic.messaging.sending import CAUSE_CHECKS
        from clinic.patients.events import language_change_subscribe
        from clinic.scheduling.events import AppointmentEvent, appointment_subscribe

        from .admin_pages import install
        from .locations import location_scopes_register
        from .services import (
            RELATED_TYPE,
            questionnaire_cause_problem,
            questionnaires_follow_appointment,
            questionnaires_rewrite_for_patient,
        )
        from .texts import texts_register

        texts_register()
        # A questionnaire's text (link or reminder) is not sent once it was answered, cancelled or expired.
        CAUSE_CHECKS[RELATED_TYPE] = questionnaire_cause_problem
        # Booking, moving, cancelling or missing a session writes, moves or cancels its questionnaires.
        for event in (
            AppointmentEvent.BOOKED,
            AppointmentEvent.RESCHEDULED,
            AppointmentEvent.CANCELLED,
            AppointmentEvent.MISSED,
        ):
            appointment_subscribe(event, questionnaires_follow_appointment)
        # A patient who changes language gets the questionnaire texts still waiting in the new one.
        language_change_subscribe(questionnaires_rewrite_for_patient)
        location_scopes_register()
        # Scores chart, outcomes report, day-schedule notes and the patient page's panel (admin_pages.py).
        install(admin.site)
