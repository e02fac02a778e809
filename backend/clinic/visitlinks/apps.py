from __future__ import annotations

from django.apps import AppConfig


class VisitLinksConfig(AppConfig):
    name = "clinic.visitlinks"
    label = "visitlinks"
    verbose_name = "Visit links"

    def ready(self) -> None:
        from clinic.messaging.wording import text_register
        from clinic.scheduling.patient_links import reminder_values_register, reschedule_answer_register

        from .locations import location_scopes_register
        from .services import visit_link_reminder_values, visit_link_reschedule_answer
        from .wording import VISIT_LINK_TEXTS

        for name, wording in VISIT_LINK_TEXTS.items():
            text_register(name=name, wording=wording)
        # Every reminder carries its session's link ({link} in the reminder's wording).
        reminder_values_register(visit_link_reminder_values)
        # "R" / "can we move it" from one patient with a session ahead is answered with the link, not a call back.
        reschedule_answer_register(visit_link_reschedule_answer)
        location_scopes_register()
