"""The holes found from outside, one test each: front desk cannot learn or act on what is the clinician's."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from clinic.accounts.models import AuditEvent
from clinic.messaging.models import InboundMessage, OutboundMessage
from clinic.messaging.selectors import HIDDEN_BODY
from clinic.todos.models import StaffTask
from tests.factories import AlertFactory, PatientFactory
from tests.support.phones import PHONE

pytestmark = pytest.mark.django_db
CRISIS_WORDS = "I want to die tonight"
OUR_REPLY = "If you are in danger, call 911 or text 988."


@pytest.fixture
def crisis() -> InboundMessage:
    return InboundMessage.objects.create(
        message_sid="SM" + "4" * 32,
        from_number=PHONE,
        to_number="+15005550006",
        body=CRISIS_WORDS,
        reply=OUR_REPLY,
        route=InboundMessage.Route.CRISIS,
        patient=PatientFactory(phone=PHONE),
    )


def _admin_client(user: AbstractBaseUser) -> Client:
    client = Client(REMOTE_ADDR="203.0.113.9")
    client.force_login(user)
    return client


def _rows(client: Client, url: str, params: dict[str, str]) -> object:
    response = client.get(url, params)
    if response.status_code != 200:
        return response.status_code
    return [row.pk for row in response.context["cl"].result_list]


def test_an_inbound_filter_on_the_text_no_longer_answers_one_row_or_none(
    crisis: InboundMessage, front_desk: AbstractBaseUser
) -> None:
    client = _admin_client(front_desk)
    url = "/admin/messaging/inboundmessage/"
    right = _rows(client, url, {"route__exact": "crisis", "body__startswith": CRISIS_WORDS[:5]})
    wrong = _rows(client, url, {"route__exact": "crisis", "body__startswith": "zzz"})
    assert right == wrong == 400
    assert _rows(client, url, {"reply__icontains": "988"}) == _rows(client, url, {"reply__icontains": "xyz"}) == 400
    # Searching and sorting by the text are not offered either; the declared filter still works.
    assert _rows(client, url, {"q": "die"}) == _rows(client, url, {"q": "zzz"}) == []
    assert _rows(client, url, {"route__exact": "crisis"}) == [crisis.pk]


def test_the_patient_list_does_not_say_who_has_alerts_or_clinical_tasks(front_desk: AbstractBaseUser) -> None:
    with_alert, without = PatientFactory(), PatientFactory()
    AlertFactory(patient=with_alert)
    StaffTask.objects.create(kind=StaffTask.Kind.NO_ANSWER, patient=with_alert, key="probe", is_clinical=True)
    client = _admin_client(front_desk)
    for lookup in ("alerts__isnull", "staff_tasks__isnull", "checkins__isnull", "alerts__reason"):
        assert _rows(client, "/admin/patients/patient/", {lookup: "False"}) == 400, lookup
    assert set(_rows(client, "/admin/patients/patient/", {}) or []) == {with_alert.pk, without.pk}  # type: ignore[call-overload]


def _pending(kind: str, key: str) -> OutboundMessage:
    return OutboundMessage.objects.create(
        kind=kind,
        to_number=PHONE,
        body="How are you feeling, 0 to 10?" if kind == OutboundMessage.Kind.CHECKIN else "See you tomorrow",
        status=OutboundMessage.Status.SCHEDULED,
        send_after=timezone.now() + timezone.timedelta(hours=3),
        idempotency_key=key,
    )


def test_front_desk_cannot_cancel_check_ins_or_pages_and_every_cancel_is_audited(
    front_desk: AbstractBaseUser, clinician: AbstractBaseUser
) -> None:
    check_in = _pending(OutboundMessage.Kind.CHECKIN, "q")
    page = _pending(OutboundMessage.Kind.STAFF_ALERT, "p")
    reminder = _pending(OutboundMessage.Kind.REMINDER, "r")
    url = "/admin/messaging/outboundmessage/"
    desk = _admin_client(front_desk)

    desk.post(url, {"action": "cancel_pending", ACTION_CHECKBOX_NAME: [check_in.pk, page.pk, reminder.pk]})
    for message in (check_in, page, reminder):
        message.refresh_from_db()
        assert message.status == OutboundMessage.Status.SCHEDULED  # nothing, when a clinical one is among them

    desk.post(url, {"action": "cancel_pending", ACTION_CHECKBOX_NAME: [reminder.pk]})
    reminder.refresh_from_db()
    assert reminder.status == OutboundMessage.Status.CANCELLED
    assert AuditEvent.objects.filter(actor=front_desk, target_id=str(reminder.pk), action="update").exists()

    _admin_client(clinician).post(url, {"action": "cancel_pending", ACTION_CHECKBOX_NAME: [check_in.pk]})
    check_in.refresh_from_db()
    assert check_in.status == OutboundMessage.Status.CANCELLED
    assert AuditEvent.objects.filter(actor=clinician, target_id=str(check_in.pk), action="update").exists()


def test_front_desk_sees_no_check_in_question_or_page_text(front_desk: AbstractBaseUser, api_as: object) -> None:
    check_in = _pending(OutboundMessage.Kind.CHECKIN, "q")
    patient = PatientFactory(phone=PHONE)
    OutboundMessage.objects.filter(pk=check_in.pk).update(patient=patient)
    detail = _admin_client(front_desk).get(f"/admin/messaging/outboundmessage/{check_in.pk}/change/")
    assert "How are you feeling" not in detail.content.decode() and HIDDEN_BODY in detail.content.decode()
    conversation = api_as(front_desk).get(f"/api/v1/patients/{patient.pk}/messages/").json()  # type: ignore[operator]
    assert [entry["body"] for entry in conversation] == [HIDDEN_BODY]


def test_only_a_clinician_marks_a_crisis_text_handled(
    crisis: InboundMessage, front_desk: AbstractBaseUser, clinician: AbstractBaseUser, api_as: object
) -> None:
    url = f"/api/v1/messaging/inbox/{crisis.pk}/handled/"
    refused = api_as(front_desk).post(url)  # type: ignore[operator]
    assert refused.status_code == 403
    crisis.refresh_from_db()
    assert crisis.handled_at is None
    _admin_client(front_desk).post(
        "/admin/messaging/inboundmessage/", {"action": "mark_handled", ACTION_CHECKBOX_NAME: [crisis.pk]}
    )
    crisis.refresh_from_db()
    assert crisis.handled_at is None

    done = api_as(clinician).post(url)  # type: ignore[operator]
    assert done.status_code == 200 and done.json()["body"] == CRISIS_WORDS


def test_front_desk_sees_that_a_crisis_text_exists_without_its_words_or_our_reply(
    crisis: InboundMessage, front_desk: AbstractBaseUser
) -> None:
    api = APIClient()
    api.force_authenticate(front_desk)
    inbox = api.get("/api/v1/messaging/inbox/").json()
    assert [(m["id"], m["route"], m["body"], m["reply"]) for m in inbox] == [
        (crisis.pk, "crisis", HIDDEN_BODY, HIDDEN_BODY)
    ]
    client = _admin_client(front_desk)
    for page in (
        client.get("/admin/messaging/inboundmessage/").content.decode(),
        client.get(f"/admin/messaging/inboundmessage/{crisis.pk}/change/").content.decode(),
    ):
        assert CRISIS_WORDS not in page and OUR_REPLY not in page and HIDDEN_BODY in page
