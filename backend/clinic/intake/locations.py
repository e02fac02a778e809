"""Inquiries by location, and the patients an inquiry converted at a location brings (accounts/locations.py).

An inquiry whose person chose no location is every location's until someone gives it one: front desk
must still call the person back, and hiding it from everyone limited to a location would leave it to
clinic admins alone. Its notes, submissions and screening follow the inquiry.
"""

from __future__ import annotations

from django.db.models import Q

from clinic.accounts.locations import Reader, location_scope_register

from .models import Inquiry


def _inquiry_scope(reader: Reader) -> Q:
    return Q(clinic_id__in=reader.location_ids) | Q(clinic__isnull=True)


def _inquiry_part_scope(reader: Reader) -> Q:
    return Q(inquiry__in=reader.visible(Inquiry.objects.all()))


def _patient_converted_scope(reader: Reader) -> Q:
    converted = Inquiry.objects.filter(clinic_id__in=reader.location_ids, patient__isnull=False)
    return Q(pk__in=converted.values("patient_id"))


def location_scopes_register() -> None:
    location_scope_register(model="intake.inquiry", scope=_inquiry_scope)
    for part in ("intake.inquirynote", "intake.inquirysubmission", "intake.screening"):
        location_scope_register(model=part, scope=_inquiry_part_scope)
    location_scope_register(model="patients.patient", scope=_patient_converted_scope)
