from __future__ import annotations

from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "clinic.measures"
    label = "measures"
    verbose_name = "Questionnaires"
