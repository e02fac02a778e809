from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "clinic.core"
    label = "core"
    verbose_name = "Service health"
