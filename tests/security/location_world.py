"""Two locations with one of every staff-visible record each, and staff limited to one of them or to none.

North and South are built the same way, so what a caller limited to North gets for a North record is what
a caller of the same role without limits gets for the South one. `south_grow` then changes what South holds
(more patients, one with North's patient's name and number, a text from North's patient's number to
South's, a session of North's patient at South, ...): nothing a North-limited caller is answered may change.
"""

from __future__ import annotations

import datetime
import secrets
import zoneinfo
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.utils import timezone

from clinic.accounts.actor import Actor
from clinic.accounts.models import AuditEvent, StaffLocation
from clinic.accounts.roles import CLINIC_ADMIN, CLINICIAN, FRONT_DESK
from clinic.accounts.services import audit_record
from clinic.accounts.tokens import api_token_issue
from clinic.checkins.models import Alert, CheckIn, CheckInHold
from clinic.core.models import Clinic
from clinic.intake.models import Inquiry, Screening
from clinic.measures.models import MeasurePlan, QuestionnaireAssignment
from clinic.messaging.models import EmailAddressState, InboundMessage, OutboundMessage, PhoneNumberState
from clinic.oncall.models import OnCallShift
from clinic.patients.models import Patient
from clinic.rems.models import MonitoringRecord, RemsEnrollment, RemsLocationSettings, RemsSessionType
from clinic.scheduling.models import Appointment, Provider, Room, Series, SeriesPlan, SessionType
from clinic.scheduling.services import Booking, appointment_book
from clinic.todos.models import StaffTask
from clinic.visitlinks.models import VisitLinkPolicy
from clinic.waitlist.models import FreedSlot, WaitlistEntry, WaitlistOffer, WaitlistSettings
from clinic.waitlist.services import waitlist_join
from tests.factories import (
    AlertFactory,
    CheckInStepFactory,
    ClinicFactory,
    CompletedAppointmentFactory,
    InquiryFactory,
    OnCallShiftFactory,
    PatientFactory,
    ProviderFactory,
    RoomFactory,
    SeriesPlanFactory,
    SessionTypeFactory,
    UserFactory,
)
from tests.support.phones import phone_number
from tests.support.questionnaires import questionnaire_completed, questionnaire_completed_id
from tests.support.selfbooking_site import selfbooking_site_build

# The callers: limited to North, of each limited role; a clinic admin (with a North row, which changes
# nothing for an admin); and staff of both roles with no location (every location).
DESK_NORTH = "front desk, North"
CLINICIAN_NORTH = "clinician, North"
ADMIN = "clinic admin"
DESK_ALL = "front desk, every location"
CLINICIAN_ALL = "clinician, every location"
LIMITED = (DESK_NORTH, CLINICIAN_NORTH)
UNLIMITED_PEER = {DESK_NORTH: DESK_ALL, CLINICIAN_NORTH: CLINICIAN_ALL}
CALLER_ROLES = {
    DESK_NORTH: FRONT_DESK,
    CLINICIAN_NORTH: CLINICIAN,
    ADMIN: CLINIC_ADMIN,
    DESK_ALL: FRONT_DESK,
    CLINICIAN_ALL: CLINICIAN,
}
MISSING_ID = 999_999
MISSING_REFERENCE = "INQ-NOSUCH00"


@dataclass
class Site:
    """One location and one record of each kind there."""

    clinic: Clinic
    provider: Provider
    room: Room
    session_type: SessionType
    plan: SeriesPlan
    patient: Patient
    appointment: Appointment
    series: Series
    inquiry: Inquiry
    alert: Alert
    task: StaffTask
    inbound: InboundMessage
    outbound: OutboundMessage
    shift: OnCallShift
    waitlist_entry: WaitlistEntry
    waitlist_offer: WaitlistOffer
    rems_record: MonitoringRecord  # the session type is an esketamine (REMS) one: the session's record


@dataclass
class LocationWorld:
    north: Site
    south: Site
    staff: dict[str, User]
    tokens: dict[str, str]
    unplaced_inquiry: Inquiry  # no location chosen: every location's to triage
    day: datetime.date  # the local day both sites' sessions are on

    def path_values(self, route: str, site: Site | None) -> dict[str, str]:
        """The value of each placeholder of a route, for a site's records (None: records that do not exist)."""
        if site is None:
            pk = str(MISSING_ID)
            return {
                "patient_id": pk,
                "provider_id": pk,
                "message_id": pk,
                "reference": MISSING_REFERENCE,
                "code": "nosuch",
                "pk": pk,
                "format": "json",
            }
        pk_by_prefix = {
            "/api/v1/appointments/": site.appointment.pk,
            "/api/v1/series/": site.series.pk,
            "/api/v1/alerts/": site.alert.pk,
            "/api/v1/tasks/": site.task.pk,
            "/api/v1/waitlist/entries/": site.waitlist_entry.pk,
        }
        values = {
            "patient_id": str(site.patient.pk),
            "provider_id": str(site.provider.pk),
            "message_id": str(site.inbound.pk),
            "reference": site.inquiry.reference,
            "code": "phq9",
            "format": "json",
        }
        for prefix, pk in pk_by_prefix.items():
            if route.startswith(prefix):
                values["pk"] = str(pk)
        if route.startswith("/api/v1/measures/fhir/QuestionnaireResponse/"):
            values["pk"] = str(questionnaire_completed_id(site.patient))
        return values


def next_weekday_at(hour: int, zone: zoneinfo.ZoneInfo, days_ahead: int) -> datetime.datetime:
    day = timezone.now().astimezone(zone).date() + datetime.timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=zone)


def _site(name: str, *, number: int, provider_user: User, booked_by: User) -> Site:
    clinic = ClinicFactory(name=f"{name} Clinic", short_name=name, sms_from_number=phone_number(900 + number))
    zone = zoneinfo.ZoneInfo(clinic.timezone)
    provider = ProviderFactory(user=provider_user, clinic=clinic, display_name=f"Dr. {name}")
    room = RoomFactory(clinic=clinic, name=f"{name} chair")
    session_type = SessionTypeFactory(clinic=clinic, name=f"{name} infusion", slug=f"{name.lower()}-infusion")
    plan = SeriesPlanFactory(clinic=clinic, session_type=session_type, name=f"{name} induction")
    patient = PatientFactory(
        first_name=f"{name}ia",
        last_name=f"{name}son",
        email=f"{name.lower()}son@example.com",
        clinic=clinic,
        sms_consent_at=timezone.now(),
    )
    # The session type is a REMS one (its sessions have a monitoring record), the patient enrolled.
    RemsSessionType.objects.create(session_type=session_type)
    RemsLocationSettings.objects.create(clinic=clinic)
    RemsEnrollment.objects.create(patient=patient, completed_at=timezone.now())
    appointment = appointment_book(
        actor=Actor(user=booked_by, ip="127.0.0.1"),
        booking=Booking(
            patient=patient,
            provider=provider,
            session_type=session_type,
            starts_at=next_weekday_at(10, zone, days_ahead=3),
            room=room,
        ),
    )
    series = Series.objects.create(plan=plan, patient=patient, created_by=booked_by)
    questionnaire_completed(patient)
    inquiry = InquiryFactory(first_name=f"{name}ina", last_name=f"{name}berg", clinic=clinic)
    Screening.objects.create(inquiry=inquiry, result=Screening.Result.PENDING, notes="Called back")
    alert = AlertFactory(patient=patient)
    inbound = InboundMessage.objects.create(
        message_sid=f"SM{number:032d}",
        from_number=patient.phone,
        to_number=clinic.sms_from_number,
        body=f"{name}: can I come later?",
        patient=patient,
        clinic=clinic,
        route=InboundMessage.Route.INBOX,
    )
    outbound = OutboundMessage.objects.create(
        kind=OutboundMessage.Kind.AD_HOC,
        to_number=patient.phone,
        body=f"See you soon at {name}.",
        patient=patient,
        clinic=clinic,
        status=OutboundMessage.Status.DELIVERED,
        send_after=timezone.now(),
        idempotency_key=f"location-world:{name}",
    )
    PhoneNumberState.objects.create(phone=patient.phone, needs_staff_attention=True)
    EmailAddressState.objects.create(email=patient.email, unsubscribe_key=secrets.token_hex(16))
    CheckIn.objects.create(
        appointment=appointment, patient=patient, step_key="mood:d1", kind="mood", due_at=timezone.now()
    )
    CheckInHold.objects.create(patient=patient, alert=alert, started_at=timezone.now())
    task = StaffTask.objects.create(
        kind=StaffTask.Kind.RESCHEDULE_REQUEST, patient=patient, appointment=appointment, key=f"location:{name}"
    )
    shift = OnCallShiftFactory(clinic=clinic)
    VisitLinkPolicy.objects.create(clinic=clinic, policy_text=f"{name}: call a day ahead to cancel.")
    CheckInStepFactory(session_type=session_type)
    WaitlistSettings.objects.create(clinic=clinic, is_enabled=True)
    waitlist_entry = waitlist_join(
        actor=Actor(user=booked_by, ip="127.0.0.1"), patient=patient, session_type=session_type, source="staff"
    )
    freed_at = next_weekday_at(14, zone, days_ahead=4)
    slot = FreedSlot.objects.create(
        clinic=clinic,
        session_type=session_type,
        provider=provider,
        room=room,
        starts_at=freed_at,
        ends_at=freed_at + datetime.timedelta(minutes=session_type.occupies_minutes),
        cause=FreedSlot.Cause.CANCELLED,
    )
    waitlist_offer = WaitlistOffer.objects.create(
        slot=slot,
        entry=waitlist_entry,
        to_number=patient.phone,
        code=f"{number:04d}",
        expires_at=timezone.now() + datetime.timedelta(minutes=30),
    )
    rems_record = MonitoringRecord.objects.create(appointment=appointment, dose_mg=56, lot_number=f"{name}-LOT")
    MeasurePlan.objects.create(session_type=session_type, instrument="phq9", when=MeasurePlan.When.BEFORE_EACH)
    QuestionnaireAssignment.objects.create(
        patient=patient,
        instrument="phq9",
        purpose=QuestionnaireAssignment.Purpose.ON_DEMAND,
        due_at=timezone.now(),
        expires_at=timezone.now() + datetime.timedelta(days=7),
        token_hash=secrets.token_hex(32),
        answers={"phq9-1": 1},
        status=QuestionnaireAssignment.Status.IN_PROGRESS,
    )
    audit_record(
        actor=booked_by, action=AuditEvent.Action.VIEW, target_type="patients.Patient", target_id=str(patient.pk)
    )
    return Site(
        clinic=clinic,
        provider=provider,
        room=room,
        session_type=session_type,
        plan=plan,
        patient=patient,
        appointment=appointment,
        series=series,
        inquiry=inquiry,
        alert=alert,
        task=task,
        inbound=inbound,
        outbound=outbound,
        shift=shift,
        waitlist_entry=waitlist_entry,
        waitlist_offer=waitlist_offer,
        rems_record=rems_record,
    )


def location_world_build() -> LocationWorld:
    staff = {
        caller: UserFactory(username=f"loc-{index}", role=role)
        for index, (caller, role) in enumerate(CALLER_ROLES.items())
    }
    south_provider = UserFactory(username="loc-south-doctor", role=CLINICIAN)
    north = _site("North", number=1, provider_user=staff[CLINICIAN_NORTH], booked_by=staff[DESK_ALL])
    south = _site("South", number=2, provider_user=south_provider, booked_by=staff[DESK_ALL])
    for caller in (DESK_NORTH, CLINICIAN_NORTH, ADMIN):
        StaffLocation.objects.create(user=staff[caller], clinic=north.clinic)
    for site in (north, south):
        selfbooking_site_build(clinic=site.clinic, inquiry=site.inquiry, appointment=site.appointment)
    zone = zoneinfo.ZoneInfo(north.clinic.timezone)
    return LocationWorld(
        north=north,
        south=south,
        staff=staff,
        tokens={caller: api_token_issue(user=user)[1] for caller, user in staff.items()},
        unplaced_inquiry=InquiryFactory(first_name="Wren", last_name="Nowhere"),
        day=north.appointment.starts_at.astimezone(zone).date(),
    )


def south_grow(world: LocationWorld) -> None:
    """Change what South holds, touching nothing of North's: a North-limited caller's answers must not move."""
    north, south = world.north, world.south
    twin = PatientFactory(
        first_name=north.patient.first_name,
        last_name=north.patient.last_name,
        phone=north.patient.phone,
        email=north.patient.email,
        clinic=south.clinic,
    )
    Patient.objects.filter(pk=south.patient.pk).update(first_name="Renamed", last_name="Elsewhere")
    CompletedAppointmentFactory(
        patient=twin,
        provider=south.provider,
        session_type=south.session_type,
        starts_at=south.appointment.starts_at + datetime.timedelta(hours=4),
        status=Appointment.Status.SCHEDULED,
    )
    # North's patient seen once at South, by South's provider: the session is South's.
    CompletedAppointmentFactory(
        patient=north.patient,
        provider=south.provider,
        session_type=south.session_type,
        starts_at=south.appointment.starts_at + datetime.timedelta(days=1),
        status=Appointment.Status.SCHEDULED,
    )
    Series.objects.create(plan=south.plan, patient=twin)
    InquiryFactory(
        first_name=north.patient.first_name,
        last_name=north.patient.last_name,
        phone=north.patient.phone,
        clinic=south.clinic,
    )
    urgent = Alert.objects.create(
        key="location:south-urgent",
        patient=twin,
        urgency=Alert.Urgency.URGENT,
        reason=Alert.Reason.CRISIS,
        opened_at=timezone.now(),
    )
    CheckInHold.objects.create(patient=twin, alert=urgent, started_at=timezone.now())
    StaffTask.objects.create(kind=StaffTask.Kind.DRIVER_UNCONFIRMED, patient=twin, key="location:south-2")
    StaffTask.objects.create(kind=StaffTask.Kind.NO_ANSWER, patient=twin, key="location:south-3", is_clinical=True)
    # From North's patient's number (shared with South's twin) to South's number: nobody is named.
    InboundMessage.objects.create(
        message_sid="SM" + "9" * 32,
        from_number=north.patient.phone,
        to_number=south.clinic.sms_from_number,
        body="Running late",
        clinic=south.clinic,
        shared_number=True,
        route=InboundMessage.Route.INBOX,
    )
    OutboundMessage.objects.create(
        kind=OutboundMessage.Kind.AD_HOC,
        to_number=twin.phone,
        body="Hello from South",
        patient=twin,
        clinic=south.clinic,
        status=OutboundMessage.Status.SCHEDULED,
        send_after=timezone.now() + datetime.timedelta(hours=1),
        idempotency_key="location-world:south-2",
    )
    PhoneNumberState.objects.create(phone=phone_number(950), opted_out_at=timezone.now())
    Inquiry.objects.filter(pk=south.inquiry.pk).update(phone=phone_number(951))
    PhoneNumberState.objects.create(phone=phone_number(951), undeliverable_at=timezone.now())
    # Next month's shift, by South's clinician (who is on call now stays the same, and the clinicians on the
    # rota are the organization's: they belong to no location).
    OnCallShiftFactory(
        clinic=south.clinic, clinician=south.shift.clinician, starts_at=timezone.now() + datetime.timedelta(days=30)
    )
    Room.objects.create(clinic=south.clinic, name="South consult")
    SessionTypeFactory(clinic=south.clinic, name="South consult", slug="south-consult")
    ProviderFactory(clinic=south.clinic, display_name="Dr. South Two")
