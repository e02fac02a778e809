"""Joining the waitlist: by staff or by the patient's "earlier if possible"; idempotent; checked."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from clinic.accounts.actor import Actor
from clinic.waitlist.models import WaitlistEntry
from clinic.waitlist.services import waitlist_join, waitlist_remove
from tests.factories import PatientFactory, ProviderFactory, SessionTypeFactory

pytestmark = pytest.mark.django_db


def test_joining_twice_keeps_one_entry_and_its_place_with_the_latest_preferences() -> None:
    session_type = SessionTypeFactory()
    patient = PatientFactory(clinic=session_type.clinic)
    provider = ProviderFactory(clinic=session_type.clinic)
    actor = Actor(user=None)
    first = waitlist_join(actor=actor, patient=patient, session_type=session_type, source="staff")
    again = waitlist_join(
        actor=actor,
        patient=patient,
        session_type=session_type,
        preferred_weekdays=[1, 3, 1],
        preferred_times=["morning", "13:00-16:00"],
        providers=[provider],
        source="staff",
    )
    assert again.pk == first.pk and again.created_at == first.created_at
    again.refresh_from_db()
    assert again.preferred_weekdays == [1, 3]
    assert again.preferred_times == ["morning", "13:00-16:00"]
    assert list(again.providers.all()) == [provider]
    assert WaitlistEntry.objects.filter(patient=patient).count() == 1
    waitlist_remove(actor=actor, entry=again)
    assert waitlist_join(actor=actor, patient=patient, session_type=session_type, source="staff").pk != first.pk


def test_a_bad_preference_is_refused_naming_the_field() -> None:
    session_type = SessionTypeFactory()
    patient = PatientFactory(clinic=session_type.clinic)
    with pytest.raises(ValidationError) as caught:
        waitlist_join(
            actor=Actor(user=None),
            patient=patient,
            session_type=session_type,
            preferred_weekdays=[9],
            preferred_times=["brunch"],
            source="staff",
        )
    assert set(caught.value.message_dict) == {"preferred_weekdays", "preferred_times"}
