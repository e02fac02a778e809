from __future__ import annotations

from django.apps import AppConfig


class WaitlistConfig(AppConfig):
    name = "clinic.waitlist"
    label = "waitlist"
    verbose_name = "Waitlist"
