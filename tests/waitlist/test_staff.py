"""Staff keep the waitlist: the API (add, list, remove), the admin (add an entry, the offers and their
outcome, the report of chairs filled per week), front desk included, each location's staff their own."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client
from rest_framework.test import APIClient

from clinic.accounts.actor import Actor
from clinic.accounts.models import AuditEvent, StaffLocation
from clinic.waitlist.models import WaitlistEntry, WaitlistOffer
from clinic.waitlist.offers import offer_accept
from tests.factories import ClinicFactory, UserFactory
from tests.waitlist.world import World, booked_then_cancelled, offers_of, patient_make, waitlisted

pytestmark = pytest.mark.django_db


def test_front_desk_adds_lists_and_removes_entries_through_the_api(
    world: World, front_desk: User, api_as: Callable[[User], APIClient]
) -> None:
    api = api_as(front_desk)
    patient = patient_make(world, "Ana")
    body = {
        "patient": patient.pk,
        "session_type": world.infusion.pk,
        "preferred_weekdays": [1, 3],
        "preferred_times": ["morning", "14:00-16:00"],
        "providers": [world.provider.pk],
    }
    added = api.post("/api/v1/waitlist/entries/", body, format="json")
    assert added.status_code == 201, added.json()
    entry = added.json()
    assert (entry["patient"]["id"], entry["status"], entry["source"]) == (patient.pk, "active", "staff")
    assert entry["preferred_times"] == ["morning", "14:00-16:00"] and entry["providers"] == [world.provider.pk]
    assert api.post("/api/v1/waitlist/entries/", body, format="json").json()["id"] == entry["id"]  # idempotent

    listed = api.get("/api/v1/waitlist/entries/", {"status": "active"}).json()
    assert [row["id"] for row in listed["results"]] == [entry["id"]]
    assert AuditEvent.objects.filter(actor=front_desk, action=AuditEvent.Action.LIST).exists()

    removed = api.post(f"/api/v1/waitlist/entries/{entry['id']}/remove/")
    assert removed.status_code == 200 and removed.json()["status"] == "removed"


def test_a_bad_request_is_a_400_naming_each_field(
    world: World, front_desk: User, api_as: Callable[[User], APIClient]
) -> None:
    api = api_as(front_desk)
    patient = patient_make(world, "Ana")
    answer = api.post(
        "/api/v1/waitlist/entries/",
        {"patient": patient.pk, "session_type": world.infusion.pk, "preferred_weekdays": [7], "providers": ["x"]},
        format="json",
    )
    assert answer.status_code == 400
    assert set(answer.json()) >= {"preferred_weekdays", "providers"}
    wrong_window = api.post(
        "/api/v1/waitlist/entries/",
        {"patient": patient.pk, "session_type": world.infusion.pk, "preferred_times": ["25:00-26:00"]},
        format="json",
    )
    assert wrong_window.status_code == 400 and "preferred_times" in wrong_window.json()
    assert api.get("/api/v1/waitlist/entries/", {"status": "nope"}).status_code == 400


def test_another_locations_entry_answers_as_a_missing_one(
    world: World, front_desk: User, api_as: Callable[[User], APIClient]
) -> None:
    entry = waitlisted(world, "Ana")
    elsewhere = UserFactory(username="frontdesk-south", role="Front desk")

    StaffLocation.objects.create(user=elsewhere, clinic=ClinicFactory(name="South"))
    api = api_as(elsewhere)
    assert api.get(f"/api/v1/waitlist/entries/{entry.pk}/").status_code == 404
    assert api.get("/api/v1/waitlist/entries/99999/").status_code == 404
    assert api.post(f"/api/v1/waitlist/entries/{entry.pk}/remove/").status_code == 404
    assert api.get("/api/v1/waitlist/entries/").json()["results"] == []
    assert api_as(front_desk).get(f"/api/v1/waitlist/entries/{entry.pk}/").status_code == 200


def test_front_desk_adds_an_entry_in_the_admin_and_sees_the_offers_and_the_report(
    world: World, front_desk: User
) -> None:
    client = Client()
    client.force_login(front_desk)
    patient = patient_make(world, "Ana")
    added = client.post(
        "/admin/waitlist/waitlistentry/add/",
        {
            "patient": patient.pk,
            "session_type": world.infusion.pk,
            "preferred_weekdays": ["3"],
            "preferred_day_parts": ["morning"],
            "preferred_windows": "13:00-15:00",
            "providers": [world.provider.pk],
        },
    )
    assert added.status_code == 302, added.context["adminform"].form.errors
    entry = WaitlistEntry.objects.get(patient=patient)
    assert (entry.preferred_weekdays, entry.preferred_times, entry.source) == ([3], ["morning", "13:00-15:00"], "staff")

    refused = client.post(
        "/admin/waitlist/waitlistentry/add/",
        {"patient": patient.pk, "session_type": world.infusion.pk, "preferred_windows": "lunchtime"},
    )
    assert refused.status_code == 200 and "lunchtime" in refused.content.decode()

    slot = booked_then_cancelled(world)
    (offer,) = offers_of(slot)
    offer_accept(offer_id=offer.pk, actor=Actor(user=None))  # as "YES <code>" does (test_acceptance.py)
    page = client.get("/admin/waitlist/waitlistoffer/").content.decode()
    assert "Accepted" in page and offer.code not in page
    slot_page = client.get(f"/admin/waitlist/freedslot/{slot.pk}/change/").content.decode()
    assert "Accepted" in slot_page
    report = client.get("/admin/waitlist/freedslot/filled-per-week/")
    assert report.status_code == 200
    text = report.content.decode()
    assert "<td>Harbor Mind Clinic</td><td>1</td><td>1</td>" in text
    assert "Mon Nov 30, 2026" in text
    assert WaitlistOffer.objects.get().status == WaitlistOffer.Status.ACCEPTED
