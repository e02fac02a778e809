"""A small clinic for API fuzzing: staff of every role with API tokens, and one of each object the API names by id.

Fuzzed path parameters are mostly random numbers, which find nothing; the tests also draw ids from
here, so the operations that read or change one object reach the view code behind the lookup.
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from clinic.accounts.roles import CLINIC_ADMIN, CLINICIAN, FRONT_DESK
from clinic.accounts.tokens import api_token_issue
from clinic.intake.models import Inquiry, InquiryNote, Screening
from clinic.messaging.models import InboundMessage, OutboundMessage
from clinic.rems.models import MonitoringRecord, RemsEnrollment, RemsSessionType
from clinic.scheduling.models import Appointment, Series
from clinic.todos.models import StaffTask
from clinic.waitlist.models import WaitlistEntry
from tests.factories import (
    AlertFactory,
    ClinicFactory,
    CompletedAppointmentFactory,
    InquiryFactory,
    PatientFactory,
    ProviderFactory,
    RoomFactory,
    SeriesPlanFactory,
    SessionTypeFactory,
    UserFactory,
)
from tests.support.questionnaires import questionnaire_completed

ANONYMOUS = "anonymous"
CLINIC_ZONE = zoneinfo.ZoneInfo("America/New_York")
ROLES = (ANONYMOUS, FRONT_DESK, CLINICIAN, CLINIC_ADMIN)


@dataclass
class FuzzWorld:
    tokens: dict[str, str]
    # Values for path parameters, keyed by (path template, parameter name).
    path_values: dict[tuple[str, str], list[object]] = field(default_factory=dict)
    # Plausible values for body fields and query parameters, by name (ids that exist, a phone that parses...).
    field_values: dict[str, list[object]] = field(default_factory=dict)

    def headers_for(self, role: str) -> dict[str, str]:
        return {} if role == ANONYMOUS else {"Authorization": f"Token {self.tokens[role]}"}

    def values_for(self, path: str, name: str) -> list[object]:
        return self.path_values.get((path, name), [])


PASSWORD = "correct horse battery staple"  # UserFactory's


def _staff(role: str) -> tuple[AbstractBaseUser, str]:
    user = UserFactory(username=f"fuzz-{role.lower().replace(' ', '-')}", role=role)
    return user, api_token_issue(user=user)[1]


def _next_weekday(days_ahead: int) -> datetime.datetime:
    """10:00 in the clinic's time zone on the first weekday at least `days_ahead` days from now."""
    day = timezone.localdate(timezone=CLINIC_ZONE) + datetime.timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return datetime.datetime.combine(day, datetime.time(10), tzinfo=CLINIC_ZONE)


def fuzz_world_seed() -> FuzzWorld:
    """Create the clinic, its staff and a few of each object; return tokens and known path values."""
    tokens = {}
    users = {}
    for role in (FRONT_DESK, CLINICIAN, CLINIC_ADMIN):
        users[role], tokens[role] = _staff(role)

    clinic = ClinicFactory()
    session_type = SessionTypeFactory(clinic=clinic)
    provider = ProviderFactory(user=users[CLINICIAN], clinic=clinic)
    room = RoomFactory(clinic=clinic)
    plan = SeriesPlanFactory(clinic=clinic, session_type=session_type)
    consent = timezone.now()
    patients = [PatientFactory(sms_consent_at=consent) for _ in range(3)]

    # Sessions a week ahead at 15:00 UTC (mid-morning in the clinic), one hour apart.
    base = (timezone.now() + datetime.timedelta(days=7)).replace(hour=15, minute=0, second=0, microsecond=0)
    upcoming = [
        CompletedAppointmentFactory(
            session_type=session_type,
            patient=patient,
            provider=provider,
            room=room,
            starts_at=base + datetime.timedelta(hours=2 * index),
            status=Appointment.Status.SCHEDULED,
        )
        for index, patient in enumerate(patients)
    ]
    done = CompletedAppointmentFactory(session_type=session_type, patient=patients[0], provider=provider, room=room)
    # With another clinician: a session under way (checked in) and one whose patient never came.
    colleague = ProviderFactory(clinic=clinic)
    now = timezone.now()
    under_way = CompletedAppointmentFactory(
        session_type=session_type,
        patient=patients[2],
        provider=colleague,
        starts_at=now - datetime.timedelta(minutes=20),
        status=Appointment.Status.CHECKED_IN,
    )
    missed = CompletedAppointmentFactory(
        session_type=session_type,
        patient=patients[1],
        provider=colleague,
        starts_at=now - datetime.timedelta(hours=5),
        status=Appointment.Status.SCHEDULED,
    )
    series = Series.objects.create(plan=plan, patient=patients[1], created_by=users[FRONT_DESK])
    # An esketamine (REMS) session two days ago, its patient enrolled, its monitoring record begun.
    spray = SessionTypeFactory(clinic=clinic, name="Nasal spray session", slug="fuzz-spray")
    RemsSessionType.objects.create(session_type=spray)
    RemsEnrollment.objects.create(patient=patients[0], completed_at=now)
    sprayed = CompletedAppointmentFactory(
        session_type=spray, patient=patients[0], provider=provider, starts_at=now - datetime.timedelta(days=2)
    )
    MonitoringRecord.objects.create(appointment=sprayed, dose_mg=56)

    inquiries = [
        InquiryFactory(),
        InquiryFactory(preferred_contact_method=Inquiry.ContactMethod.SMS),
        InquiryFactory(status=Inquiry.Status.ELIGIBLE),  # ready to become a patient
    ]
    InquiryNote.objects.create(inquiry=inquiries[0], author=users[FRONT_DESK], body="Called, left a message.")
    Screening.objects.create(inquiry=inquiries[1], pregnancy=True, result=Screening.Result.NOT_ELIGIBLE)
    Screening.objects.create(inquiry=inquiries[2], result=Screening.Result.ELIGIBLE, screened_at=now)

    inbound = [
        InboundMessage.objects.create(
            message_sid=f"SMfuzz{index:030d}",
            from_number=patient.phone,
            to_number="+15005550006",
            body="Can I come an hour later?",
            patient=patient,
            route=InboundMessage.Route.INBOX,
        )
        for index, patient in enumerate(patients[:2])
    ]
    OutboundMessage.objects.create(
        kind=OutboundMessage.Kind.AD_HOC,
        to_number=patients[0].phone,
        body="See you on Tuesday.",
        patient=patients[0],
        status=OutboundMessage.Status.DELIVERED,
        send_after=consent,
    )
    alerts = [AlertFactory(patient=patients[0]), AlertFactory(patient=patients[1])]
    tasks = [
        StaffTask.objects.create(
            kind=StaffTask.Kind.RESCHEDULE_REQUEST, patient=patients[0], appointment=upcoming[0], key="fuzz:1"
        ),
        StaffTask.objects.create(
            kind=StaffTask.Kind.NO_ANSWER, patient=patients[1], appointment=done, key="fuzz:2", is_clinical=True
        ),
    ]

    waitlisted = [
        WaitlistEntry.objects.create(patient=patient, session_type=session_type, source="staff") for patient in patients
    ]

    patient_ids = [patient.pk for patient in patients]
    references = [inquiry.reference for inquiry in inquiries]
    appointment_ids = [appointment.pk for appointment in [*upcoming, done, under_way, missed]]
    values: dict[tuple[str, str], list[object]] = {}
    for path, name, known in (
        ("/api/v1/alerts/{id}/", "id", [alert.pk for alert in alerts]),
        ("/api/v1/alerts/{id}/acknowledge/", "id", [alert.pk for alert in alerts]),
        ("/api/v1/alerts/{id}/resume-checkins/", "id", [alert.pk for alert in alerts]),
        ("/api/v1/series/{id}/", "id", [series.pk]),
        ("/api/v1/tasks/{id}/done/", "id", [task.pk for task in tasks]),
        ("/api/v1/calendar/providers/{provider_id}/feed.ics", "provider_id", [provider.pk]),
        ("/api/v1/messaging/inbox/{message_id}/handled/", "message_id", [message.pk for message in inbound]),
        ("/api/v1/measures/fhir/Questionnaire/{code}", "code", ["phq9", "gad7", "pcl5"]),
        ("/api/v1/measures/fhir/QuestionnaireResponse/{id}", "id", [str(questionnaire_completed(patients[0]).pk)]),
        ("/api/v1/waitlist/entries/{id}/", "id", [entry.pk for entry in waitlisted]),
        ("/api/v1/waitlist/entries/{id}/remove/", "id", [entry.pk for entry in waitlisted]),
    ):
        values[(path, name)] = known
    verbs = ("cancel", "check-in", "complete", "confirm", "no-show", "reschedule")
    for path in ("/api/v1/appointments/{id}/", *(f"/api/v1/appointments/{{id}}/{verb}/" for verb in verbs)):
        values[(path, "id")] = appointment_ids
    for suffix in ("", "submitted/"):
        values[(f"/api/v1/appointments/{{id}}/monitoring-record/{suffix}", "id")] = [sprayed.pk]
    for suffix in ("", "messages/", "scores/", "rems-enrollment/", "questionnaires/", "questionnaires/send/"):
        values[(f"/api/v1/patients/{{patient_id}}/{suffix}", "patient_id")] = patient_ids
    for suffix in ("", "assign/", "convert/", "notes/", "screening/", "transition/"):
        values[(f"/api/v1/staff/inquiries/{{reference}}/{suffix}", "reference")] = references
    later = _next_weekday(14)
    field_values: dict[str, list[object]] = {
        "patient": patient_ids,
        "provider": [provider.pk, colleague.pk],
        "session_type": [session_type.pk],
        "room": [room.pk],
        "plan": [plan.pk],
        "assignee": [user.pk for user in users.values()],
        "phone": ["+16175550142", "(617) 555-0199"],
        "timezone": ["America/New_York", "Europe/Berlin"],
        "starts_at": [later.isoformat(), (later + datetime.timedelta(days=1, hours=3)).isoformat()],
        "first_day": [later.date().isoformat()],
        "date": [later.date().isoformat()],
        "from": [later.date().isoformat()],
        "to": [(later + datetime.timedelta(days=6)).date().isoformat()],
        "is_adult": [True],
        "privacy_acknowledged": [True],
        "username": [user.get_username() for user in users.values()],
        "password": [PASSWORD],
    }
    return FuzzWorld(
        tokens=tokens,
        path_values=values,
        field_values=field_values,
    )
