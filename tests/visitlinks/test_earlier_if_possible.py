""" "Earlier if possible" on the link's page: where the location fills freed times from its waitlist, the patient
ticks it and the session waits on the waitlist (clinic.waitlist) for an earlier time with the same provider."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client

from clinic.waitlist.models import WaitlistEntry, WaitlistSettings

from .factories import NOW, link_to, place_build, visit_book

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _monday_noon() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def test_ticking_earlier_if_possible_puts_the_session_on_the_waitlist_and_unticking_takes_it_off() -> None:
    place = place_build()
    visit = visit_book(place, first_name="Robin")
    path = link_to(visit)
    patient = Client()
    assert "Earlier if possible" not in patient.get(path).content.decode()  # the location does not fill from it
    assert patient.post(f"{path}/earlier", {"earlier": "on"}).status_code == 303
    assert not WaitlistEntry.objects.exists()

    WaitlistSettings.objects.create(clinic=place.clinic, is_enabled=True)
    assert 'name="earlier" value="on">' in patient.get(path).content.decode()
    assert patient.post(f"{path}/earlier", {"earlier": "on"}).status_code == 303
    page = patient.get(path).content.decode()
    assert "We will text you if an earlier time opens up." in page and 'value="on" checked>' in page
    entry = WaitlistEntry.objects.get()
    assert (entry.appointment, entry.patient, entry.session_type, entry.source, entry.status) == (
        visit,
        visit.patient,
        place.infusion,
        "patient_link",
        WaitlistEntry.Status.ACTIVE,
    )
    assert list(entry.providers.all()) == [place.provider]

    assert patient.post(f"{path}/earlier", {}).status_code == 303  # unticked
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.REMOVED
    assert "You will not get texts about earlier times" in patient.get(path).content.decode()
