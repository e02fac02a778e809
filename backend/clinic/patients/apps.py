from __future__ import annotations

from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "clinic.patients"
    label = "patients"
    verbose_name = "Patients"

    def ready(self) -> None:
        from .locations import location_scopes_register

        # Staff limited to some locations see the patients whose home is one of them (and more, from above).
        location_scopes_register()
