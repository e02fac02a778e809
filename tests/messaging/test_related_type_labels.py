"""A text's cause is named by its model's label_lower, in new rows and, after messaging 0009, in old ones."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from django.utils import timezone

from clinic.messaging.models import OutboundMessage
from clinic.messaging.outbox import outbox_cancel_for, outbox_enqueue
from clinic.messaging.sending import CAUSE_CHECKS
from clinic.scheduling.reminders import REMINDER_RELATED_TYPE

pytestmark = pytest.mark.django_db
MIGRATION = importlib.import_module("clinic.messaging.migrations.0012_outbox_related_type_model_labels")


def row(key: str, related_type: str, related_id: str = "5") -> OutboundMessage:
    """A row as older code wrote it (straight to the table: the outbox now refuses such names)."""
    return OutboundMessage.objects.create(
        kind=OutboundMessage.Kind.AD_HOC,
        to_number="+16175550142",
        body="hello",
        idempotency_key=key,
        send_after=timezone.now(),
        related_type=related_type,
        related_id=related_id,
    )


@pytest.mark.parametrize(
    ("written", "label"),
    [
        ("appointment_reminder", "scheduling.appointment"),
        ("checkins.CheckIn", "checkins.checkin"),
        ("checkins.Alert", "checkins.alert"),
        ("intake.Inquiry", "intake.inquiry"),
        ("scheduling.appointment", "scheduling.appointment"),
        ("", ""),
    ],
)
def test_each_old_name_becomes_its_model_label(written: str, label: str) -> None:
    assert MIGRATION.related_type_label(written) == label


def test_the_migration_rewrites_old_rows_once_and_moving_back_restores_them() -> None:
    reminder = row("r", "appointment_reminder", "5@1767225600")
    question = row("q", "checkins.CheckIn")
    page = row("p", "checkins.Alert")
    ack = row("a", "intake.Inquiry")
    plain = row("n", "", "")

    assert MIGRATION.related_types_rename(apps, MIGRATION.related_type_label) == 4
    assert MIGRATION.related_types_rename(apps, MIGRATION.related_type_label) == 0
    found = dict(OutboundMessage.objects.values_list("idempotency_key", "related_type"))
    assert found == {
        "r": "scheduling.appointment",
        "q": "checkins.checkin",
        "p": "checkins.alert",
        "a": "intake.inquiry",
        "n": "",
    }
    assert OutboundMessage.objects.get(pk=reminder.pk).related_id == "5@1767225600"

    MIGRATION.related_types_to_written_before(apps, None)
    restored = [OutboundMessage.objects.get(pk=m.pk).related_type for m in (reminder, question, page, ack, plain)]
    assert restored == ["appointment_reminder", "checkins.CheckIn", "checkins.Alert", "intake.Inquiry", ""]


def test_a_reminder_written_before_the_migration_is_still_withdrawn_with_its_session() -> None:
    reminder = row("r", "appointment_reminder", "5@1767225600")
    MIGRATION.related_types_to_labels(apps, None)
    assert outbox_cancel_for(related_type=REMINDER_RELATED_TYPE, related_id="5@1767225600", reason="moved") == 1
    assert OutboundMessage.objects.get(pk=reminder.pk).status == OutboundMessage.Status.CANCELLED


def test_every_send_time_cause_check_is_keyed_by_a_model_label() -> None:
    assert CAUSE_CHECKS  # scheduling and checkins register theirs when they start
    for related_type in CAUSE_CHECKS:
        assert apps.get_model(related_type)._meta.label_lower == related_type


def test_the_outbox_refuses_a_cause_that_is_not_a_model_label() -> None:
    for ad_hoc in ("appointment_reminder", "scheduling.Appointment"):
        with pytest.raises(ValueError, match="label_lower"):
            outbox_enqueue(
                kind=OutboundMessage.Kind.AD_HOC,
                to_number="+16175550142",
                body="hi",
                idempotency_key=ad_hoc,
                related_type=ad_hoc,
                related_id="5",
            )
    assert not OutboundMessage.objects.exists()


def test_the_admin_links_a_text_to_its_cause_by_label(clinic_admin: AbstractBaseUser) -> None:
    message = outbox_enqueue(
        kind=OutboundMessage.Kind.AD_HOC,
        to_number="+16175550142",
        body="hi",
        idempotency_key="linked",
        related_type=REMINDER_RELATED_TYPE,
        related_id="5@1767225600",
    )
    client = Client()
    client.force_login(clinic_admin)
    html = client.get(f"/admin/messaging/outboundmessage/{message.pk}/change/").content.decode()
    assert '<a href="/admin/scheduling/appointment/5/change/">Appointment #5</a>' in html
