from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from .api import WaitlistEntryViewSet

# Plain paths with int ids, like the other apps' API modules.
api_urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "waitlist/entries/",
        WaitlistEntryViewSet.as_view({"get": "list", "post": "create"}),
        name="waitlist-entry-list",
    ),
    path("waitlist/entries/<int:pk>/", WaitlistEntryViewSet.as_view({"get": "retrieve"}), name="waitlist-entry-detail"),
    path(
        "waitlist/entries/<int:pk>/remove/",
        WaitlistEntryViewSet.as_view({"post": "remove"}),
        name="waitlist-entry-remove",
    ),
]
