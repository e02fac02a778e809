from __future__ import annotations

from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "clinic.measures"
    label = "measures"
    verbose_name = "Questionnaires"

    def ready(self) -> None:
        from django.contrib import admin

        from .admin_pages import install

        # Scores chart, outcomes report, day-schedule notes and the patient page's panel (admin_pages.py).
        install(admin.site)
