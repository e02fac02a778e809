"""The thanks page's choice of times, the link's page, and what front desk sees: through HTTP, as a visitor does."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from rest_framework.test import APIClient

from clinic.intake.models import Inquiry
from clinic.scheduling.models import Appointment
from clinic.selfbooking.models import SelfBookableType, SelfBooking, SelfBookingOffer
from tests.factories import SessionTypeFactory
from tests.selfbooking.world import TUESDAY_9AM, World, submit
from tests.support.contact_page import valid_form

pytestmark = pytest.mark.django_db
SLOT = "2026-12-08T16:00:00Z"  # Tuesday 09:00 in Phoenix


def _thanks(client: Client, **form: object) -> str:
    response = client.post("/contact/", valid_form(**form))
    assert response.status_code == 303
    page = client.get(response["Location"])
    assert page.status_code == 200
    return page.content.decode()


def _visible(html: str) -> str:
    """The page without what differs per request: the CSRF token and the language switch's way back."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    return re.sub(r'name="next" type="hidden" value="[^"]*"', "", html)


def _action(html: str) -> str:
    match = re.search(r'<form method="post" action="(/b/[^"]+/)"', html)
    assert match, "no choice of times on the page"
    return match.group(1)


def test_the_thanks_page_offers_times_and_choosing_one_books_it(world: World, client: Client) -> None:
    html = _thanks(client)
    assert "Choose a time for your first call" in html
    assert "Tuesday, December 8" in html and "9:00 AM" in html
    assert "Times are in MT (Phoenix), the time zone of Desert Mind Clinic." in html
    assert html.count('name="slot"') == world.consult.slots_shown
    action = _action(html)
    assert re.fullmatch(r"/b/[A-Za-z0-9_-]{20,}/", action)  # a random token: no id, no name
    response = client.post(action, {"slot": SLOT, "website": ""})
    assert response.status_code == 303 and response["Location"] == action
    chosen = client.get(action).content.decode()
    assert "We have your requested time" in chosen and "Tuesday, December 8, 9:00 AM MT" in chosen
    booking = SelfBooking.objects.get()
    assert booking.appointment.starts_at == TUESDAY_9AM
    # Choosing again (a reload, a second tap) books nothing more and shows the time chosen.
    again = client.post(action, {"slot": "2026-12-08T17:00:00Z"})
    assert again.status_code == 200 and "We have your requested time" in again.content.decode()
    assert Appointment.objects.count() == 1


def test_excluded_answers_see_only_that_we_will_call(world: World, client: Client) -> None:
    html = _thanks(client, reasons=["other"])
    assert 'name="slot"' not in html
    assert "will reach out by text within one business day" in html


def test_the_honeypot_books_nothing(world: World, client: Client) -> None:
    action = _action(_thanks(client))
    response = client.post(action, {"slot": SLOT, "website": "https://spam.example"})
    assert response.status_code == 303
    assert not Appointment.objects.exists() and SelfBookingOffer.objects.get().used_at is None


def test_choosing_is_throttled_per_client_address(world: World, client: Client) -> None:
    action = _action(_thanks(client))
    answers = [client.post(action, {"slot": "not a time"}).status_code for _ in range(11)]
    assert answers[:10] == [400] * 10 and answers[10] == 429
    assert "Too many tries" in client.post(action, {"slot": SLOT}).content.decode()
    assert not Appointment.objects.exists()
    # Another address is not held back by this one.
    other = Client(REMOTE_ADDR="198.51.100.9")
    assert other.post(action, {"slot": SLOT}).status_code == 303


def test_a_time_taken_meanwhile_answers_with_the_next_free_times(world: World, client: Client) -> None:
    action = _action(_thanks(client))
    _, token = submit(first_name="Lee", phone="+16175550199", email="lee@example.com")
    Client().post(f"/b/{token}/", {"slot": SLOT})  # someone else takes Tuesday 09:00 first
    response = client.post(action, {"slot": SLOT})
    html = response.content.decode()
    assert response.status_code == 409
    assert "Sorry, that time was just taken. Here are the next free times." in html
    assert f'value="{SLOT}"' not in html and 'value="2026-12-08T16:30:00Z"' in html
    assert client.post(action, {"slot": "2026-12-08T16:30:00Z"}).status_code == 303


def test_unknown_expired_and_mangled_links_answer_alike(world: World, client: Client) -> None:
    _, token = submit()
    unknown = client.get("/b/AAAAAAAAAAAAAAAAAAAAAA/")
    assert unknown.status_code == 404 and "This link does not work any more" in unknown.content.decode()
    SelfBookingOffer.objects.update(expires_at=TUESDAY_9AM.replace(year=2025))
    expired = client.get(f"/b/{token}/")
    assert (expired.status_code, _visible(expired.content.decode())) == (404, _visible(unknown.content.decode()))
    assert client.post(f"/b/{token}/", {"slot": SLOT}).status_code == 404
    assert client.get("/b/" + "x" * 300 + "/").status_code == 404
    assert not Appointment.objects.exists()


def test_the_link_speaks_the_persons_language_and_the_switch_still_works(world: World, client: Client) -> None:
    _, token = submit(preferred_language="es")
    html = client.get(f"/b/{token}/").content.decode()
    assert "Elija una hora para su primera llamada" in html and "martes, 8 de diciembre" in html and "9:00 AM" in html
    client.post("/i18n/setlang/", {"language": "en", "next": f"/b/{token}/"})
    assert "Choose a time for your first call" in client.get(f"/b/{token}/").content.decode()


def test_front_desk_sees_self_booked_inquiries_first_with_a_badge(
    world: World, client: Client, api_as: Callable[[AbstractBaseUser], APIClient], front_desk: AbstractBaseUser
) -> None:
    _, booked_token = submit()
    client.post(f"/b/{booked_token}/", {"slot": SLOT})
    for n in range(3):  # newer inquiries, not self-booked
        submit(first_name=f"Later{n}", phone=f"+1617555020{n}", email=f"later{n}@example.com")
    listing = api_as(front_desk).get("/api/v1/staff/inquiries/").json()["results"]
    assert [row["first_name"] for row in listing][:2] == ["Dana", "Later2"]
    assert listing[0]["triage_badge"] == "Self-booked: confirm the time" and listing[1]["triage_badge"] == ""
    admin = Client()
    admin.force_login(front_desk)
    page = admin.get("/admin/intake/inquiry/")
    rows = list(page.context["cl"].result_list)
    assert rows[0].first_name == "Dana" and "Self-booked: confirm the time" in page.content.decode()
    # Front desk confirms the time: it stays at the top, as confirmed, until the inquiry is converted or closed.
    booking = SelfBooking.objects.get()
    admin.post("/admin/selfbooking/selfbooking/", {"action": "confirm", "_selected_action": [booking.pk]})
    booking.refresh_from_db()
    assert booking.state == SelfBooking.State.CONFIRMED and booking.confirmed_by == front_desk
    listing = api_as(front_desk).get("/api/v1/staff/inquiries/").json()["results"]
    assert listing[0]["triage_badge"] == "Self-booked consultation"
    Inquiry.objects.filter(pk=booking.inquiry_id).update(status=Inquiry.Status.CLOSED)
    listing = api_as(front_desk).get("/api/v1/staff/inquiries/").json()["results"]
    assert listing[0]["first_name"] == "Later2"


def test_the_admin_refuses_to_mark_an_infusion_self_bookable_and_says_why(
    world: World, clinic_admin: AbstractBaseUser
) -> None:
    infusion = SessionTypeFactory(clinic=world.location)  # an IV infusion: chair, monitoring, fasting, driver
    admin = Client()
    admin.force_login(clinic_admin)
    response = admin.post(
        "/admin/selfbooking/selfbookabletype/add/",
        {
            "session_type": infusion.pk,
            "confirmation": "requested",
            "earliest_hours": 24,
            "latest_days": 14,
            "slots_shown": 6,
            "link_valid_hours": 72,
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "A session that needs a treatment chair cannot be self-booked." in html
    assert "A session with monitoring (a dosing session) cannot be self-booked." in html
    assert not SelfBookableType.objects.filter(session_type=infusion).exists()
