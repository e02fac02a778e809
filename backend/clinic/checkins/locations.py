"""Check-ins and alerts by location (accounts/locations.py), and the rule that keeps a crisis in sight.

Check-ins, their answers and holds follow the patient. An alert follows its patient, the patients it
held, or the location whose number the text reached; one naming no patient, sent to the organization's
own number, is every location's to read (nobody knows where the person is seen).

Whatever their locations, a clinician paged about an alert (`AlertPage` with them as the clinician and a
text sent) may always open that alert, and what it needs about its patients: their record, texts,
check-ins, scores and tasks. The page's link (escalation.alert_link) opens the alert's admin page.
"""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast

from clinic.accounts.locations import Reader, location_scope_register
from clinic.messaging.models import OutboundMessage
from clinic.patients.models import Patient
from clinic.scheduling.models import SessionType

from .escalation import ALERT_RELATED_TYPE
from .models import Alert, AlertPage, CheckIn, CheckInHold


def alerts_paged_to(reader: Reader) -> QuerySet[Any]:
    """The ids of the alerts the reader was paged about (a page text was written to them)."""
    return AlertPage.objects.filter(clinician__user_id=reader.user.pk, message__isnull=False).values("alert_id")


def _patient_paged_scope(reader: Reader) -> Q:
    paged = alerts_paged_to(reader)
    held = CheckInHold.objects.filter(alert_id__in=paged).values("patient_id")
    return Q(pk__in=Alert.objects.filter(pk__in=paged).values("patient_id")) | Q(pk__in=held)


def _visible_patients(reader: Reader) -> Q:
    return Q(patient__in=reader.visible(Patient.objects.all()))


def _alert_scope(reader: Reader) -> Q:
    holding = CheckInHold.objects.filter(patient__in=reader.visible(Patient.objects.all())).values("alert_id")
    return (
        _visible_patients(reader)
        | Q(pk__in=holding)
        | Q(pk__in=alerts_paged_to(reader))
        | Q(inbound_message__clinic_id__in=reader.location_ids)
        | Q(patient__isnull=True, inbound_message__clinic__isnull=True)
    )


def _alert_part_scope(reader: Reader) -> Q:
    return Q(alert__in=reader.visible(Alert.objects.all()))


def _answer_scope(reader: Reader) -> Q:
    return Q(check_in__in=reader.visible(CheckIn.objects.all()))


def _step_scope(reader: Reader) -> Q:
    return Q(session_type__in=reader.visible(SessionType.objects.all()))


def _page_text_scope(reader: Reader) -> Q:
    """A page to the on-call clinician follows its alert (it names no patient)."""
    alerts = reader.visible(Alert.objects.all()).annotate(pk_text=Cast("pk", output_field=CharField()))
    return Q(related_type=ALERT_RELATED_TYPE, related_id__in=alerts.values("pk_text"))


def location_scopes_register() -> None:
    location_scope_register(model="patients.patient", scope=_patient_paged_scope)
    location_scope_register(model="checkins.alert", scope=_alert_scope)
    location_scope_register(model="checkins.alertpage", scope=_alert_part_scope)
    location_scope_register(model="checkins.checkin", scope=_visible_patients)
    location_scope_register(model="checkins.checkinhold", scope=_visible_patients)
    location_scope_register(model="checkins.checkinanswer", scope=_answer_scope)
    location_scope_register(model="checkins.checkinstep", scope=_step_scope)
    location_scope_register(model=OutboundMessage._meta.label_lower, scope=_page_text_scope)
