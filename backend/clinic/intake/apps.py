from __future__ import annotations

from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "clinic.intake"
    label = "intake"
    verbose_name = "Intake"

    def ready(self) -> None:
        from .locations import location_scopes_register

        # Staff limited to some locations see their inquiries (and those with none), and the patients converted there.
        location_scopes_register()
