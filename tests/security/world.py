"""One of every staff-visible record, so each API route has a real object to answer about."""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.utils import timezone

from clinic.accounts.actor import Actor
from clinic.accounts.roles import CLINIC_ADMIN, CLINICIAN, FRONT_DESK
from clinic.accounts.tokens import api_token_issue
from clinic.checkins.models import Alert
from clinic.intake.models import Inquiry
from clinic.messaging.models import InboundMessage
from clinic.patients.models import Patient
from clinic.scheduling.models import Appointment, Provider, Series
from clinic.scheduling.services import Booking, appointment_book
from clinic.todos.models import StaffTask
from clinic.waitlist.models import WaitlistEntry
from clinic.waitlist.services import waitlist_join
from tests.factories import (
    AlertFactory,
    ClinicFactory,
    InquiryFactory,
    PatientFactory,
    ProviderFactory,
    RoomFactory,
    SeriesPlanFactory,
    SessionTypeFactory,
    UserFactory,
)
from tests.support.phones import PHONE
from tests.support.questionnaires import questionnaire_completed, questionnaire_completed_id

ROLE_USERNAMES = {FRONT_DESK: "matrix-frontdesk", CLINICIAN: "matrix-clinician", CLINIC_ADMIN: "matrix-admin"}


@dataclass
class World:
    staff: dict[str, User]
    patient: Patient
    provider: Provider
    appointment: Appointment
    series: Series
    inquiry: Inquiry
    alert: Alert
    task: StaffTask
    inbound: InboundMessage
    waitlist_entry: WaitlistEntry
    tokens: dict[str, str]  # each role's API key, issued once as staff sign in

    def token_for(self, role: str) -> str:
        return self.tokens[role]

    def path_values(self, route: str) -> dict[str, str]:
        """The value for each placeholder of a route, chosen by what the route is about."""
        pk_by_prefix = {
            "/api/v1/appointments/": self.appointment.pk,
            "/api/v1/series/": self.series.pk,
            "/api/v1/alerts/": self.alert.pk,
            "/api/v1/tasks/": self.task.pk,
            "/api/v1/waitlist/entries/": self.waitlist_entry.pk,
        }
        values = {
            "patient_id": str(self.patient.pk),
            "provider_id": str(self.provider.pk),
            "message_id": str(self.inbound.pk),
            "reference": self.inquiry.reference,
            "code": "phq9",
            "format": "json",
        }
        for prefix, pk in pk_by_prefix.items():
            if route.startswith(prefix):
                values["pk"] = str(pk)
        if route.startswith("/api/v1/measures/fhir/QuestionnaireResponse/"):
            values["pk"] = str(questionnaire_completed_id(self.patient))
        return values


def _next_weekday_at(hour: int, zone: zoneinfo.ZoneInfo, days_ahead: int) -> datetime.datetime:
    day = timezone.now().astimezone(zone).date() + datetime.timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=zone)


def world_build() -> World:
    staff = {role: UserFactory(username=username, role=role) for role, username in ROLE_USERNAMES.items()}
    clinic = ClinicFactory()
    zone = zoneinfo.ZoneInfo(clinic.timezone)
    provider = ProviderFactory(clinic=clinic, display_name="Dr. Ada Stone")
    RoomFactory(clinic=clinic, name="Chair A")
    session_type = SessionTypeFactory(clinic=clinic)
    plan = SeriesPlanFactory(clinic=clinic, session_type=session_type)
    patient = PatientFactory(phone=PHONE, sms_consent_at=timezone.now())
    actor = Actor(user=staff[FRONT_DESK], ip="127.0.0.1")
    appointment = appointment_book(
        actor=actor,
        booking=Booking(
            patient=patient,
            provider=provider,
            session_type=session_type,
            starts_at=_next_weekday_at(10, zone, days_ahead=3),
            room=None,
        ),
    )
    series = Series.objects.create(plan=plan, patient=patient, created_by=staff[FRONT_DESK])
    questionnaire_completed(patient)
    return World(
        staff=staff,
        tokens={role: api_token_issue(user=user)[1] for role, user in staff.items()},
        patient=patient,
        provider=provider,
        appointment=appointment,
        series=series,
        inquiry=InquiryFactory(),
        alert=AlertFactory(patient=patient),
        task=StaffTask.objects.create(
            kind=StaffTask.Kind.RESCHEDULE_REQUEST, patient=patient, appointment=appointment, key="matrix-task"
        ),
        inbound=InboundMessage.objects.create(
            message_sid="SM" + "1" * 32,
            from_number=PHONE,
            to_number="+15005550006",
            body="Hello",
            patient=patient,
        ),
        waitlist_entry=waitlist_join(
            actor=actor, patient=patient, session_type=session_type, appointment=appointment, source="staff"
        ),
    )
