from __future__ import annotations

import datetime
from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from clinic.intake.models import Inquiry
from clinic.patients.models import Patient
from clinic.scheduling.models import Clinic


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
            self.groups.add(Group.objects.get(name=extracted))


class ClinicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clinic

    name = "Harbor Mind Clinic"
    short_name = "Harbor Clinic"
    timezone = "America/New_York"
    phone = "+16175550100"


class InquiryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Inquiry

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    phone = factory.Sequence(lambda n: f"+1617555{n % 10000:04d}")
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
    phone = factory.Sequence(lambda n: f"+1617556{n % 10000:04d}")
    timezone = "America/New_York"
    date_of_birth = datetime.date(1985, 5, 17)
