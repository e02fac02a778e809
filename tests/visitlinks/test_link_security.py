"""A visit's link opens one session of one patient until that session starts, and nothing else, ever.

Unknown, malformed, tampered, guessed and expired links get the same polite page with the clinic's number
(no oracle); another patient's session cannot be reached through a link; a cancelled session says so.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client

from clinic.accounts.actor import Actor
from clinic.messaging.models import OutboundMessage
from clinic.scheduling.models import Appointment
from clinic.scheduling.services import appointment_reschedule
from clinic.visitlinks.models import VisitLink
from clinic.visitlinks.views import VisitLinkChangeThrottle
from tests.support.clock import local
from tests.support.phones import CLINIC_PHONE

from .factories import NOW, VISIT_AT, Place, link_to, place_build, stamp, visit_book

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _monday_noon() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def place() -> Place:
    return place_build()


@pytest.fixture
def visit(place: Place) -> Appointment:
    return visit_book(place, first_name="Robin")


def unknown_page(client: Client, path: str) -> tuple[int, str]:
    """The answer to a link, without what the language switch echoes: its CSRF token and the path to return to."""
    response = client.get(path)
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return response.status_code, re.sub(r'name="next" type="hidden" value="[^"]+"', "", body)


def test_the_reminder_carries_a_short_link_with_no_id_and_only_its_hash_is_stored(visit: Appointment) -> None:
    reminder = OutboundMessage.objects.filter(related_type="scheduling.appointment").order_by("send_after").first()
    assert reminder is not None
    found = re.search(r"(http://\S+)/v/([A-Za-z0-9_-]{22})$", reminder.body)
    assert found is not None, reminder.body
    token = found.group(2)
    assert str(visit.pk) not in token and "Robin" not in found.group(0)
    (link,) = VisitLink.objects.filter(appointment=visit, purpose=VisitLink.Purpose.REMINDER)
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert not VisitLink.objects.filter(token_hash=token).exists()  # the token itself is nowhere in the table

    page = Client().get(f"/v/{token}")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Hi Robin, your visit" in text and "Thursday, December 10, 2:00 PM" in text
    assert "Dr. Ada Stone" in text and "12 Harbor Street" in text and "nothing to eat for 6 hours" in text
    assert "ketamine" not in text.lower()  # the session type's staff name never reaches the patient
    assert "no-store" in page["Cache-Control"] and page["Referrer-Policy"] == "same-origin"


def test_bad_tampered_guessed_and_malformed_links_all_get_the_same_polite_page(visit: Appointment) -> None:
    client = Client()
    token = link_to(visit).removeprefix("/v/")
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    answers = {
        path: unknown_page(client, path)
        for path in (f"/v/{tampered}", "/v/AbCdEfGhIjKlMnOpQrStUv", "/v/x", "/v/" + "A" * 65, f"/v/{token[:12]}")
    }
    assert {status for status, _ in answers.values()} == {404}
    assert len({body for _, body in answers.values()}) == 1  # nothing tells a near miss from nonsense
    body = next(iter(answers.values()))[1]
    assert CLINIC_PHONE in body and "Robin" not in body and "December" not in body
    # Forms posted to a bad link change nothing and answer the same way.
    assert client.post(f"/v/{tampered}/confirm").status_code == 404
    assert client.post(f"/v/{tampered}/move", {"starts_at": "x"}).status_code == 404


def test_a_link_expires_when_its_session_starts_and_then_reads_like_an_unknown_one(visit: Appointment) -> None:
    path = link_to(visit)
    client = Client()
    with time_machine.travel(VISIT_AT - datetime.timedelta(seconds=1), tick=False):
        assert client.get(path).status_code == 200  # a moment before the start
    with time_machine.travel(VISIT_AT, tick=False):
        expired = unknown_page(client, path)
        assert client.post(path + "/confirm").status_code == 404
    assert expired == unknown_page(client, "/v/AbCdEfGhIjKlMnOpQrStUv")
    visit.refresh_from_db()
    assert visit.status == Appointment.Status.SCHEDULED


def test_a_link_opens_only_its_own_patients_session_whatever_the_form_says(place: Place, visit: Appointment) -> None:
    other = visit_book(place, local(2026, 12, 10, 9), first_name="Sam")
    path = link_to(visit)

    page = Client().get(path).content.decode()
    assert "Robin" in page and "Sam" not in page
    # A form naming the other session (its id, its start) still acts on the link's own session only.
    response = Client().post(path + "/confirm", {"appointment": other.pk, "id": other.pk})
    assert response.status_code == 303
    visit.refresh_from_db(), other.refresh_from_db()
    assert (visit.status, other.status) == (Appointment.Status.CONFIRMED, Appointment.Status.SCHEDULED)
    moved = Client().post(path + "/move", {"starts_at": stamp(other.starts_at), "seen": stamp(other.starts_at)})
    assert moved.status_code == 303  # "changed": the page was not showing this session's time
    other.refresh_from_db()
    assert other.starts_at == local(2026, 12, 10, 9) and other.status == Appointment.Status.SCHEDULED


def test_after_cancelling_the_link_says_so_and_can_change_nothing_again(visit: Appointment) -> None:
    path = link_to(visit)
    client = Client()
    assert client.post(path + "/cancel").status_code == 303

    page = client.get(path).content.decode()
    assert "This visit is cancelled." in page and CLINIC_PHONE in page
    assert "Confirm my visit" not in page and "Pick another time" not in page
    client.post(path + "/confirm")
    client.post(path + "/move", {"starts_at": stamp(local(2026, 12, 11, 10)), "seen": stamp(VISIT_AT)})
    visit.refresh_from_db()
    assert visit.status == Appointment.Status.CANCELLED and visit.starts_at == VISIT_AT


def test_a_session_moved_by_staff_keeps_old_links_on_the_same_session_and_new_reminders_get_a_new_link(
    visit: Appointment,
) -> None:
    old = link_to(visit)
    earlier = local(2026, 12, 9, 10)
    appointment_reschedule(actor=Actor(user=None), appointment=visit, starts_at=earlier)

    page = Client().get(old).content.decode()
    assert "Wednesday, December 9, 10:00 AM" in page  # the same session, as it is now: never another one
    reminders = OutboundMessage.objects.filter(
        status=OutboundMessage.Status.SCHEDULED, related_type="scheduling.appointment"
    )
    assert reminders and all(old not in reminder.body for reminder in reminders)
    # The old link now expires at the new, earlier start.
    with time_machine.travel(earlier, tick=False):
        assert Client().get(old).status_code == 404


def test_every_form_needs_its_csrf_token(visit: Appointment) -> None:
    path = link_to(visit)
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(path + "/confirm").status_code == 403
    assert browser.post(path + "/cancel").status_code == 403
    visit.refresh_from_db()
    assert visit.status == Appointment.Status.SCHEDULED


def test_changes_are_throttled_per_client_address(visit: Appointment, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(VisitLinkChangeThrottle, "rate", "3/min", raising=False)
    path = link_to(visit)
    here, elsewhere = Client(REMOTE_ADDR="203.0.113.5"), Client(REMOTE_ADDR="198.51.100.7")
    assert [here.post(path + "/confirm").status_code for _ in range(3)] == [303, 303, 303]
    refused = here.post(path + "/confirm")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert elsewhere.post(path + "/confirm").status_code == 303


@pytest.mark.parametrize(
    "form",
    [{}, {"starts_at": "soon", "seen": "x"}, {"starts_at": "9" * 30, "seen": "1"}, {"starts_at": "1.5", "seen": ""}],
)
def test_nonsense_in_a_form_is_a_4xx_never_a_500(visit: Appointment, form: dict[str, str]) -> None:
    path = link_to(visit)
    response = Client().post(path + "/move", form)
    assert response.status_code == 400 and "Please pick a time." in response.content.decode()
    visit.refresh_from_db()
    assert visit.starts_at == VISIT_AT
    assert Client().get(path + "/times?week=banana").status_code == 200
    assert Client().get(path + "/times?week=999").status_code == 200


def test_the_page_speaks_the_patients_language_and_the_switch_still_works(place: Place) -> None:
    visit = visit_book(place, first_name="Lucía", language="es")
    path = link_to(visit)

    spanish = Client().get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Hola Lucía, su cita" in spanish and "jueves, 10 de diciembre" in spanish
    assert "No coma nada en las 6 horas previas" in spanish and 'lang="es"' in spanish

    visitor = Client()
    switched = visitor.post("/i18n/setlang/", {"language": "en", "next": path})
    assert switched.status_code == 302 and switched["Location"] == path
    english = visitor.get(path).content.decode()
    assert "Hi Lucía, your visit" in english and "Thursday, December 10" in english
