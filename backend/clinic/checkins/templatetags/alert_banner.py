"""The banner at the top of the back office's home page while an urgent alert is open."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from clinic.accounts.locations import location_limit
from clinic.checkins.models import Alert
from clinic.checkins.selectors import urgent_alerts_open

register = template.Library()


@register.inclusion_tag("admin/checkins/_urgent_banner.html", takes_context=True)
def urgent_alert_banner(context: template.Context) -> dict[str, Any]:
    """Clinicians and clinic admins see each alert (age, who was paged, a link); others see only count and age."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_staff:
        return {"count": 0}
    # Of the alerts the reader's locations let them see (a clinician paged about one always sees it).
    count, alerts = urgent_alerts_open(among=location_limit(Alert.objects.all(), user=user))
    clinical = user.has_perm("checkins.view_alert")
    return {
        "count": count,
        "oldest_minutes": alerts[0].age_minutes if alerts else 0,
        "clinical": clinical,
        "alerts": alerts if clinical else [],
        "list_url": reverse("admin:checkins_alert_changelist") + "?acknowledged_at__isnull=True&urgency__exact=urgent",
    }
