from __future__ import annotations

from django.apps import AppConfig


class OncallConfig(AppConfig):
    name = "clinic.oncall"
    label = "oncall"
    verbose_name = "On-call rota"

    def ready(self) -> None:
        from clinic.core.selectors import READINESS_REPORTS

        from .selectors import on_call_readiness

        # /readyz says who a page would reach now, and shows a gap in the rota loudly.
        READINESS_REPORTS["on_call"] = on_call_readiness
