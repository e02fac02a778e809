from __future__ import annotations

from django.apps import AppConfig


class TodosConfig(AppConfig):
    name = "clinic.todos"
    label = "todos"
    verbose_name = "Staff to-dos"

    def ready(self) -> None:
        from .locations import location_scopes_register

        # Staff limited to some locations see the tasks about the patients they may see.
        location_scopes_register()
