from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from .calendar_api import CalendarDayView, ProviderFeedView

api_urlpatterns: list[URLPattern | URLResolver] = [
    path("calendar/day/", CalendarDayView.as_view(), name="calendar-day"),
    path("calendar/providers/<int:provider_id>/feed.ics", ProviderFeedView.as_view(), name="calendar-provider-feed"),
]
