from __future__ import annotations

import datetime
from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from clinic.checkins.models import Alert, CheckInKind, CheckInStep
from clinic.core.models import Clinic
from clinic.intake.models import Inquiry
from clinic.oncall.models import OnCallClinician, OnCallShift
from clinic.patients.models import Patient
from clinic.scheduling.models import Appointment, Provider, Room, SeriesPlan, SessionType, WorkingHours
from tests.roles import roles_ensure
from tests.support.phones import CLINIC_PHONE, INQUIRIES, PATIENTS, phone_number


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@clinic.test")
    is_staff = True
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def role(self, create: bool, extracted: str | None, **kwargs: Any) -> None:
        if create and extracted:
            roles_ensure()
            self.groups.add(Group.objects.get(name=extracted))


class ClinicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clinic

    name = "Harbor Mind Clinic"
    short_name = "Harbor Clinic"
    timezone = "America/New_York"
    phone = CLINIC_PHONE


class InquiryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Inquiry

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    phone = factory.Sequence(lambda n: phone_number(n, exchange=INQUIRIES))
    email = factory.LazyAttribute(lambda i: f"{i.first_name.lower()}.{i.last_name.lower()}@example.com")
    preferred_contact_method = Inquiry.ContactMethod.PHONE
    privacy_acknowledged_at = factory.LazyFunction(timezone.now)
    adult_confirmed_at = factory.LazyFunction(timezone.now)
    source = Inquiry.Source.API


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    phone = factory.Sequence(lambda n: phone_number(n, exchange=PATIENTS))
    timezone = "America/New_York"
    date_of_birth = datetime.date(1985, 5, 17)


WorkingBlock = tuple[int, datetime.time, datetime.time]  # weekday (0 = Monday), starts, ends
NINE, FIVE_PM = datetime.time(9), datetime.time(17)


class ProviderFactory(factory.django.DjangoModelFactory):
    """A clinician who works Monday to Friday, 09:00 to 17:00 in the clinic's time zone."""

    class Meta:
        model = Provider
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    clinic = factory.SubFactory(ClinicFactory)
    display_name = factory.Sequence(lambda n: f"Dr. Provider {n}")
    credentials = "MD"

    @factory.post_generation
    def hours(self, create: bool, extracted: list[WorkingBlock] | None, **kwargs: Any) -> None:
        if not create:
            return
        blocks = extracted if extracted is not None else [(day, NINE, FIVE_PM) for day in range(5)]
        WorkingHours.objects.bulk_create(
            WorkingHours(provider=self, clinic=self.clinic, weekday=day, starts=starts, ends=ends)
            for day, starts, ends in blocks
        )


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    clinic = factory.SubFactory(ClinicFactory)
    name = factory.Sequence(lambda n: f"Chair {n}")
    is_treatment_chair = True


class SessionTypeFactory(factory.django.DjangoModelFactory):
    """An IV infusion: 45 minutes in the chair, then 60 minutes of monitoring."""

    class Meta:
        model = SessionType

    clinic = factory.SubFactory(ClinicFactory)
    name = "IV infusion"
    slug = factory.Sequence(lambda n: f"iv-infusion-{n}")
    duration_minutes = 45
    monitoring_minutes = 60
    needs_chair = True
    needs_clinician = True
    needs_driver = True
    fasting_hours = 6


class SeriesPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SeriesPlan

    clinic = factory.SelfAttribute("session_type.clinic")
    session_type = factory.SubFactory(SessionTypeFactory)
    name = "IV induction"
    sessions = 6
    min_gap_hours = 48
    max_span_days = 21


# --- Check-ins and alerts -------------------------------------------------------------------


class CompletedAppointmentFactory(factory.django.DjangoModelFactory):
    """A session that took place and was marked completed, inserted as is (booking rules are not its point)."""

    class Meta:
        model = Appointment

    session_type = factory.SubFactory(SessionTypeFactory)
    patient = factory.SubFactory(PatientFactory, sms_consent_at=factory.LazyFunction(timezone.now))
    provider = factory.SubFactory(ProviderFactory, clinic=factory.SelfAttribute("..session_type.clinic"))
    starts_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(hours=3))
    ends_at = factory.LazyAttribute(lambda a: a.starts_at + datetime.timedelta(minutes=a.session_type.occupies_minutes))
    status = Appointment.Status.COMPLETED


def completed_session(patient: Patient, session_type: SessionType, ends_at: datetime.datetime) -> Appointment:
    """A session that ended at `ends_at`, marked completed (without check-ins yet)."""
    appointment: Appointment = CompletedAppointmentFactory(
        patient=patient,
        session_type=session_type,
        starts_at=ends_at - datetime.timedelta(minutes=session_type.occupies_minutes),
    )
    return appointment


class CheckInStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckInStep

    session_type = factory.SubFactory(SessionTypeFactory)
    kind = CheckInKind.MOOD
    day_offset = 1
    local_time = datetime.time(10, 0)


class AlertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Alert

    key = factory.Sequence(lambda n: f"test-alert:{n}")
    patient = factory.SubFactory(PatientFactory)
    urgency = Alert.Urgency.ELEVATED
    reason = Alert.Reason.LOW_MOOD
    detail = "Mood 2/10."
    opened_at = factory.LazyFunction(timezone.now)


class OnCallClinicianFactory(factory.django.DjangoModelFactory):
    """A clinician who can be paged: their own mobile, with consent recorded for it."""

    class Meta:
        model = OnCallClinician

    user = factory.SubFactory(UserFactory, role="Clinician")
    mobile_phone = factory.Sequence(lambda n: phone_number(300 + n % 600))
    sms_consent_at = factory.LazyFunction(timezone.now)
    sms_consent_phone = factory.LazyAttribute(lambda clinician: clinician.mobile_phone)


class OnCallShiftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OnCallShift

    clinician = factory.SubFactory(OnCallClinicianFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(hours=12))
    ends_at = factory.LazyAttribute(lambda shift: shift.starts_at + datetime.timedelta(days=1))
