from __future__ import annotations

from django.contrib import admin

from .models import Clinic, Provider, Room, SessionType


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin[Clinic]):
    list_display = ["name", "short_name", "timezone", "phone", "texting_starts", "texting_ends"]
    search_fields = ["name", "short_name"]


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin[Provider]):
    list_display = ["display_name", "credentials", "user", "clinic", "is_active"]
    list_filter = ["is_active", "clinic"]
    search_fields = ["display_name", "user__username", "user__email"]
    autocomplete_fields = ["user"]


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin[Room]):
    list_display = ["name", "clinic", "is_treatment_chair", "is_active"]
    list_filter = ["is_treatment_chair", "is_active", "clinic"]
    search_fields = ["name"]


@admin.register(SessionType)
class SessionTypeAdmin(admin.ModelAdmin[SessionType]):
    list_display = [
        "name",
        "duration_minutes",
        "monitoring_minutes",
        "needs_chair",
        "needs_clinician",
        "needs_driver",
        "fasting_hours",
        "is_active",
    ]
    list_filter = ["needs_chair", "needs_driver", "is_active", "clinic"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
