from __future__ import annotations

from django.apps import AppConfig


class SmsSandboxConfig(AppConfig):
    name = "clinic.messaging.sandbox"
    label = "sms_sandbox"
    verbose_name = "SMS sandbox"
