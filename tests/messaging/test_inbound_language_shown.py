"""Staff read a patient's text as written, never translated, with the language it is written in beside it:
in the inbound texts admin (list, filter, page), the patient's conversation, the inbox and crisis alerts."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from clinic.checkins.models import Alert
from clinic.messaging.models import InboundMessage
from clinic.messaging.outbox import outbox_enqueue
from clinic.patients.models import Patient
from tests.factories import ClinicFactory, PatientFactory
from tests.support.phones import PHONE
from tests.support.sandbox import patient_texts

pytestmark = pytest.mark.django_db
SPANISH = "¿Podemos hablar mañana? Tengo una pregunta sobre la cita"
ENGLISH = "Can I bring my partner to the visit?"
NEITHER = "👍"
CRISIS = "ya no aguanto más, quiero morirme"


@pytest.fixture
def patient() -> Patient:
    """A patient who wrote in Spanish, in English, with an emoji, and crisis words in Spanish."""
    ClinicFactory()
    patient: Patient = PatientFactory(phone=PHONE, sms_consent_at=timezone.now())
    outbox_enqueue(
        kind="ad_hoc",
        to_number=PHONE,
        body="Hola, le escribimos de la clínica",
        language="es",
        patient_id=patient.pk,
        idempotency_key="conv-es",
        send_after=timezone.now() - datetime.timedelta(minutes=5),
    )
    for body in (SPANISH, ENGLISH, NEITHER, CRISIS):
        patient_texts(Client(), body)
    return patient


def inbound(body: str) -> InboundMessage:
    return InboundMessage.objects.get(body=body)


def test_each_text_is_stored_with_its_language(patient: Patient) -> None:
    assert [(inbound(body).language, inbound(body).route) for body in (SPANISH, ENGLISH, NEITHER, CRISIS)] == [
        ("es", InboundMessage.Route.INBOX),
        ("en", InboundMessage.Route.INBOX),
        ("", InboundMessage.Route.INBOX),
        ("es", InboundMessage.Route.CRISIS),
    ]


def test_the_conversation_shows_each_text_as_written_with_its_language(
    patient: Patient, api_as: object, clinician: AbstractBaseUser
) -> None:
    client: APIClient = api_as(clinician)  # type: ignore[operator]
    response = client.get(f"/api/v1/patients/{patient.pk}/messages/")
    assert response.status_code == 200
    seen = [(e["direction"], e["body"], e["language"], e["language_name"]) for e in response.json()]
    assert seen == [
        ("outbound", "Hola, le escribimos de la clínica", "es", "Spanish"),
        ("inbound", SPANISH, "es", "Spanish"),
        ("inbound", ENGLISH, "en", "English"),
        ("inbound", NEITHER, "", ""),
        ("inbound", CRISIS, "es", "Spanish"),
    ]


def test_the_inbox_shows_the_language_too(patient: Patient, api_as: object, clinician: AbstractBaseUser) -> None:
    client: APIClient = api_as(clinician)  # type: ignore[operator]
    response = client.get("/api/v1/messaging/inbox/")
    assert response.status_code == 200
    seen = [(m["body"], m["language"], m["language_name"]) for m in response.json()]
    assert seen == [
        (CRISIS, "es", "Spanish"),  # crisis first
        (SPANISH, "es", "Spanish"),
        (ENGLISH, "en", "English"),
        (NEITHER, "", ""),
    ]


def test_a_crisis_alert_shows_the_words_as_written_with_their_language(
    patient: Patient, api_as: object, clinician: AbstractBaseUser
) -> None:
    client: APIClient = api_as(clinician)  # type: ignore[operator]
    alert = client.get("/api/v1/alerts/").json()["results"][0]
    assert alert["message"]["body"] == CRISIS
    assert (alert["message"]["language"], alert["message"]["language_name"]) == ("es", "Spanish")

    browser = Client()
    browser.force_login(clinician)
    page = browser.get(f"/admin/checkins/alert/{Alert.objects.get().pk}/change/").content.decode()
    assert f"{CRISIS} (from {PHONE}; Spanish (es))" in page


@pytest.mark.parametrize(("role", "sees_crisis_words"), [("clinician", True), ("front_desk", False)])
def test_the_admin_lists_the_language_beside_the_text(
    patient: Patient, request: pytest.FixtureRequest, role: str, sees_crisis_words: bool
) -> None:
    browser = Client()
    browser.force_login(request.getfixturevalue(role))
    listing = browser.get("/admin/messaging/inboundmessage/").content.decode()

    for body, label in ((SPANISH[:60], "Spanish (es)"), (ENGLISH, "English (en)"), (NEITHER, "not recognised")):
        row = next(line for line in listing.split("<tr") if body in line)
        assert label in row
    crisis_row = next(line for line in listing.split("<tr") if "Crisis language" in line)
    assert "Spanish (es)" in crisis_row
    assert (CRISIS in listing) is sees_crisis_words


@pytest.mark.parametrize(("value", "bodies"), [("es", {SPANISH, CRISIS}), ("en", {ENGLISH}), ("none", {NEITHER})])
def test_the_admin_filters_by_language(
    patient: Patient, clinician: AbstractBaseUser, value: str, bodies: set[str]
) -> None:
    browser = Client()
    browser.force_login(clinician)
    listing = browser.get("/admin/messaging/inboundmessage/", {"language": value}).content.decode()
    shown = {body for body in (SPANISH, ENGLISH, NEITHER, CRISIS) if body[:60] in listing}
    assert shown == bodies


def test_the_admin_page_shows_the_language_just_before_the_words(patient: Patient, clinician: AbstractBaseUser) -> None:
    browser = Client()
    browser.force_login(clinician)
    page = browser.get(f"/admin/messaging/inboundmessage/{inbound(SPANISH).pk}/change/").content.decode()
    assert "Spanish (es)" in page and SPANISH in page
    assert page.index("Spanish (es)") < page.index(SPANISH)
