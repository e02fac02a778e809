from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from .api import StaffTaskViewSet

# Plain paths with int ids (rather than a router's regexes), like the other apps' API modules.
api_urlpatterns: list[URLPattern | URLResolver] = [
    path("tasks/", StaffTaskViewSet.as_view({"get": "list"}), name="staff-task-list"),
    path("tasks/<int:pk>/done/", StaffTaskViewSet.as_view({"post": "done"}), name="staff-task-done"),
]
