"""A loud line on the back office's home page when nobody, or only a later step, can be paged now."""

from __future__ import annotations

from typing import Any

from django import template

from clinic.oncall.selectors import STEP_NAMES, on_call_coverage

register = template.Library()


@register.inclusion_tag("admin/oncall/_on_call_banner.html", takes_context=True)
def on_call_banner(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_staff:
        return {"show": False}
    coverage = on_call_coverage()
    covering = coverage.covering
    return {
        "show": True,
        "gap": coverage.gap,
        "warning": coverage.warning,
        "problems": coverage.problems,
        "covering": f"{covering.who} ({STEP_NAMES[covering.step]})" if covering else "",
        "can_see_shifts": user.has_perm("oncall.view_oncallshift"),
    }
