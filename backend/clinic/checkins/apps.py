from __future__ import annotations

from django.apps import AppConfig


class CheckinsConfig(AppConfig):
    name = "clinic.checkins"
    label = "checkins"
    verbose_name = "Check-ins, alerts and staff tasks"
