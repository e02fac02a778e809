"""Texts, emails and number states by location (accounts/locations.py).

A text follows the patient or the inquiry it is for, or the location whose number sent or received it.
A text from a sender on file for no single patient (an unknown or shared number) to the organization's
own number is every location's to read, as an inquiry with no location is. A number's or an address's
state is shown for the numbers and addresses of the patients, inquiries and texts the reader may see.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.functions import Lower

from clinic.accounts.locations import Reader, location_scope_register
from clinic.patients.models import Patient

from .models import InboundMessage, OutboundMessage


def _inquiries() -> QuerySet[Any]:
    """Every inquiry, reached through the outbox's relation: intake sits above messaging (and says who sees one)."""
    inquiry = OutboundMessage._meta.get_field("inquiry").related_model
    assert inquiry is not None and not isinstance(inquiry, str)
    return inquiry._default_manager.all()


def _visible_patients(reader: Reader) -> Q:
    return Q(patient__in=reader.visible(Patient.objects.all()))


def _outbound_scope(reader: Reader) -> Q:
    inquiries = _inquiries()
    return _visible_patients(reader) | Q(inquiry__in=reader.visible(inquiries)) | Q(clinic_id__in=reader.location_ids)


def _delivery_attempt_scope(reader: Reader) -> Q:
    return Q(message__in=reader.visible(OutboundMessage.objects.all()))


def _inbound_scope(reader: Reader) -> Q:
    return (
        _visible_patients(reader) | Q(clinic_id__in=reader.location_ids) | Q(patient__isnull=True, clinic__isnull=True)
    )


def _phone_state_scope(reader: Reader) -> Q:
    inquiries = _inquiries()
    return (
        Q(phone__in=reader.visible(Patient.objects.all()).values("phone"))
        | Q(phone__in=reader.visible(inquiries).values("phone"))
        | Q(phone__in=reader.visible(InboundMessage.objects.all()).values("from_number"))
    )


def _email_state_scope(reader: Reader) -> Q:
    inquiries = _inquiries()
    # States keep addresses lower-cased; people type them as they like.
    return Q(email__in=reader.visible(Patient.objects.exclude(email="")).values(lower=Lower("email"))) | Q(
        email__in=reader.visible(inquiries.exclude(email="")).values(lower=Lower("email"))
    )


def location_scopes_register() -> None:
    location_scope_register(model="messaging.outboundmessage", scope=_outbound_scope)
    location_scope_register(model="messaging.deliveryattempt", scope=_delivery_attempt_scope)
    location_scope_register(model="messaging.inboundmessage", scope=_inbound_scope)
    location_scope_register(model="messaging.phonenumberstate", scope=_phone_state_scope)
    location_scope_register(model="messaging.emailaddressstate", scope=_email_state_scope)
