from __future__ import annotations

from django.apps import AppConfig


class TodosConfig(AppConfig):
    name = "clinic.todos"
    label = "todos"
    verbose_name = "Staff to-dos"
