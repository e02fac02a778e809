from __future__ import annotations

from django.contrib import admin

from .models import Patient


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin[Patient]):
    list_display = ["last_name", "first_name", "phone", "email", "sms_consent_at", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["first_name", "last_name", "phone", "email"]
    readonly_fields = ["created_at", "created_by", "sms_consent_at", "sms_consent_version", "sms_consent_source"]
