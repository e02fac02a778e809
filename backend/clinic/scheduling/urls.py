from __future__ import annotations

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from .api.appointments import AppointmentViewSet
from .api.availability import AvailabilityView
from .api.reference import ProviderViewSet, RoomViewSet, SessionTypeViewSet
from .api.series import SeriesPlanViewSet, SeriesViewSet

# Path converters, not regexes: ids are `<int:pk>`, so a non-number is a plain 404.
router = SimpleRouter(trailing_slash=True, use_regex_path=False)
router.register("appointments", AppointmentViewSet, basename="appointment")
router.register("series-plans", SeriesPlanViewSet, basename="series-plan")
router.register("series", SeriesViewSet, basename="series")
router.register("providers", ProviderViewSet, basename="provider")
router.register("rooms", RoomViewSet, basename="room")
router.register("session-types", SessionTypeViewSet, basename="session-type")

api_urlpatterns: list[URLPattern | URLResolver] = [
    path("availability/", AvailabilityView.as_view(), name="availability"),
    *router.urls,
]
