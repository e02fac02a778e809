from __future__ import annotations

from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for `make run` (`manage.py seed_demo`): the top layer, it may use every other app."""

    name = "clinic.demo"
    label = "demo"
    verbose_name = "Demo data"
