from __future__ import annotations

from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "clinic.messaging"
    label = "messaging"
    verbose_name = "Messaging"

    def ready(self) -> None:
        from clinic.core.readiness import readiness_report_register

        from .crisis import crisis_detector_status

        # /readyz says whether crisis detection runs with its semantic layer or on the lexicon alone.
        readiness_report_register(name="crisis_detector", report=crisis_detector_status)
