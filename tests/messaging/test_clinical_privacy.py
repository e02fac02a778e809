"""Front desk sees that a patient texted, but never the words of a check-in answer or a crisis text."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from rest_framework.test import APIClient

from clinic.messaging.models import InboundMessage
from clinic.messaging.selectors import HIDDEN_BODY
from tests.factories import PatientFactory
from tests.support.phones import PHONE

pytestmark = pytest.mark.django_db
CRISIS_WORDS = "I want to die tonight"
ANSWER_WORDS = "2, worst week of my life"


@pytest.fixture
def texts() -> dict[str, InboundMessage]:
    patient = PatientFactory(phone=PHONE)
    made = {}
    for n, (route, body) in enumerate(
        [
            (InboundMessage.Route.CRISIS, CRISIS_WORDS),
            (InboundMessage.Route.CHECKIN, ANSWER_WORDS),
            (InboundMessage.Route.INBOX, "Can I bring my partner?"),
        ]
    ):
        made[route] = InboundMessage.objects.create(
            message_sid=f"SM{n:032d}",
            from_number=PHONE,
            to_number="+15005550006",
            body=body,
            route=route,
            patient=patient,
        )
    return made


def bodies_seen(client: APIClient, patient_id: int) -> list[str]:
    conversation = client.get(f"/api/v1/patients/{patient_id}/messages/")
    inbox = client.get("/api/v1/messaging/inbox/")
    assert conversation.status_code == 200 and inbox.status_code == 200
    return [entry["body"] for entry in conversation.json()] + [entry["body"] for entry in inbox.json()]


def test_front_desk_sees_clinical_texts_hidden_in_the_api(
    texts: dict[str, InboundMessage], front_desk: AbstractBaseUser, api_as: object
) -> None:
    client = api_as(front_desk)  # type: ignore[operator]
    seen = bodies_seen(client, texts[InboundMessage.Route.INBOX].patient_id)

    assert CRISIS_WORDS not in seen and ANSWER_WORDS not in seen
    assert HIDDEN_BODY in seen and "Can I bring my partner?" in seen


def test_clinicians_read_them(texts: dict[str, InboundMessage], clinician: AbstractBaseUser, api_as: object) -> None:
    seen = bodies_seen(api_as(clinician), texts[InboundMessage.Route.INBOX].patient_id)  # type: ignore[operator]

    assert CRISIS_WORDS in seen and ANSWER_WORDS in seen and HIDDEN_BODY not in seen


@pytest.mark.parametrize(("role", "visible"), [("front_desk", False), ("clinician", True)])
def test_the_admin_hides_them_from_front_desk_too(
    texts: dict[str, InboundMessage], request: pytest.FixtureRequest, role: str, visible: bool
) -> None:
    client = Client()
    client.force_login(request.getfixturevalue(role))
    listing = client.get("/admin/messaging/inboundmessage/").content.decode()
    crisis = texts[InboundMessage.Route.CRISIS]
    detail = client.get(f"/admin/messaging/inboundmessage/{crisis.pk}/change/").content.decode()

    assert "Can I bring my partner?" in listing
    for page in (listing, detail):
        assert (CRISIS_WORDS in page) is visible
        assert (HIDDEN_BODY in page) is not visible
