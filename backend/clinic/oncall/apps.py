from __future__ import annotations

from django.apps import AppConfig


class OncallConfig(AppConfig):
    name = "clinic.oncall"
    label = "oncall"
    verbose_name = "On-call rota"

    def ready(self) -> None:
        from clinic.core.readiness import readiness_report_register

        from .locations import location_scopes_register
        from .selectors import on_call_readiness

        # /readyz says who a page would reach now, and shows a gap in the rota loudly.
        readiness_report_register(name="on_call", report=on_call_readiness)
        # Staff limited to some locations see the shifts covering them.
        location_scopes_register()
