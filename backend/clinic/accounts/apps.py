from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "clinic.accounts"
    label = "accounts"
    verbose_name = "Staff and audit"

    def ready(self) -> None:
        from .locations import location_scopes_register

        # Locations, staff locations and the audit trail are read by location (apps above add theirs).
        location_scopes_register()
