"""Beat's periodic tasks go through every row even when one of them fails.

The failing row is made real, not mocked: a PostgreSQL trigger makes the database refuse the write
that row needs (as a constraint, a full disk or a bad value would), so the code under test runs as
it does in production and the database error is a real one, inside the test's transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.utils import timezone

from clinic.accounts.actor import Actor
from clinic.checkins.models import Alert, AlertPage, CheckIn
from clinic.checkins.services import checkins_start_for
from clinic.measures.models import QuestionnaireAssignment
from clinic.measures.services import assignment_send_now
from clinic.messaging.models import OutboundMessage
from clinic.patients.models import Patient
from clinic.scheduling.models import Appointment
from clinic.scheduling.services import Booking, appointment_book
from clinic.todos.models import StaffTask
from tests.factories import (
    AlertFactory,
    ClinicFactory,
    PatientFactory,
    ProviderFactory,
    RoomFactory,
    SessionTypeFactory,
    completed_session,
)
from tests.rems.factories import rems_session, rems_site_build
from tests.support.clock import local
from tests.support.sandbox import provider_accepts
from workers import tasks

pytestmark = pytest.mark.django_db
POISONED_PHONE, HEALTHY_PHONE = "+16175550171", "+16175550172"


@contextmanager
def database_refuses(table: str, column: str, value: object, *, saying: str) -> Iterator[None]:
    """Make PostgreSQL refuse any row written to `table` whose `column` is `value`, with the message `saying`."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION test_refuse_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF NEW.{column}::text = %s THEN RAISE EXCEPTION %s; END IF; RETURN NEW; END $$",
            [str(value), saying],
        )
        cursor.execute(
            f"CREATE TRIGGER test_refuse_row BEFORE INSERT OR UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION test_refuse_row()"
        )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TRIGGER test_refuse_row ON {table}")
            cursor.execute("DROP FUNCTION test_refuse_row()")


def assert_logged_without_phi(caplog: pytest.LogCaptureFixture, row_id: int) -> None:
    """The skipped row is named by id and exception type; the database's message (a phone number here) is not."""
    [line] = [record.getMessage() for record in caplog.records if "failed, skipped" in record.getMessage()]
    assert f"row {row_id} failed, skipped: ProgrammingError" in line  # RAISE EXCEPTION
    assert POISONED_PHONE not in line and POISONED_PHONE.removeprefix("+1") not in line


# --- Rides home not confirmed ----------------------------------------------------------------------


def test_one_session_that_cannot_be_flagged_does_not_stop_the_others(caplog: pytest.LogCaptureFixture) -> None:
    clinic = ClinicFactory()
    RoomFactory(clinic=clinic)
    provider = ProviderFactory(clinic=clinic)
    booked: list[Appointment] = []
    with time_machine.travel(local(2026, 12, 7, 12), tick=False):
        for hour, phone in ((10, POISONED_PHONE), (13, HEALTHY_PHONE)):
            booking = Booking(
                patient=PatientFactory(phone=phone),
                provider=provider,
                session_type=SessionTypeFactory(clinic=clinic),
                starts_at=local(2026, 12, 9, hour),
            )
            booked.append(appointment_book(actor=Actor(user=None), booking=booking))
    poisoned, healthy = booked

    with (
        database_refuses("checkins_stafftask", "appointment_id", poisoned.pk, saying=POISONED_PHONE),
        time_machine.travel(local(2026, 12, 8, 14), tick=False),
    ):
        assert tasks.drivers_unconfirmed_flag() == 1

    assert list(StaffTask.objects.values_list("appointment_id", "kind")) == [
        (healthy.pk, StaffTask.Kind.DRIVER_UNCONFIRMED)
    ]
    assert_logged_without_phi(caplog, poisoned.pk)

    # Once the database takes it again, the next sweep flags the session it skipped.
    with time_machine.travel(local(2026, 12, 8, 14, 15), tick=False):
        assert tasks.drivers_unconfirmed_flag() == 2
    assert StaffTask.objects.filter(appointment=poisoned).count() == 1


# --- Check-ins left unanswered ------------------------------------------------------------------------


def test_one_check_in_that_cannot_be_followed_up_does_not_stop_the_others(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clinic = ClinicFactory()
    infusion = SessionTypeFactory(clinic=clinic)
    asked: list[CheckIn] = []
    for phone in (POISONED_PHONE, HEALTHY_PHONE):
        patient: Patient = PatientFactory(phone=phone, sms_consent_at=timezone.now())
        with time_machine.travel(local(2026, 12, 7, 12), tick=False):
            appointment = completed_session(patient, infusion, ends_at=local(2026, 12, 7, 11, 45))
            checkins_start_for(appointment=appointment)
        check_in = CheckIn.objects.select_related("message").get(appointment=appointment, step_key="mood:d1")
        assert check_in.message is not None
        with time_machine.travel(local(2026, 12, 8, 10), tick=False):
            provider_accepts(check_in.message)
        asked.append(check_in)
    poisoned, healthy = asked
    # The sweep takes the oldest first: the row that fails comes before the other.
    CheckIn.objects.filter(pk=poisoned.pk).update(due_at=healthy.due_at - datetime.timedelta(minutes=1))

    with (
        database_refuses("messaging_outboundmessage", "related_id", poisoned.pk, saying=POISONED_PHONE),
        time_machine.travel(local(2026, 12, 8, 14, 1), tick=False),
    ):
        assert tasks.checkins_follow_up() == 1

    healthy.refresh_from_db()
    poisoned.refresh_from_db()
    assert healthy.follow_up_message is not None
    assert (poisoned.status, poisoned.follow_up_message) == (CheckIn.Status.PENDING, None)  # left as it was
    assert_logged_without_phi(caplog, poisoned.pk)

    with time_machine.travel(local(2026, 12, 8, 14, 2), tick=False):
        assert tasks.checkins_follow_up() == 1
    poisoned.refresh_from_db()
    assert poisoned.follow_up_message is not None


# --- Urgent alerts nobody acknowledged -----------------------------------------------------------


def test_one_alert_whose_round_fails_does_not_keep_the_next_from_being_paged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    ClinicFactory(on_call_phone="+16175550199")
    opened = timezone.now() - datetime.timedelta(hours=1)
    notified = timezone.now() - datetime.timedelta(minutes=settings.ALERT_ESCALATE_MINUTES + 1)
    poisoned, healthy = (
        AlertFactory(
            patient=PatientFactory(phone=phone),
            urgency=Alert.Urgency.URGENT,
            reason=Alert.Reason.CRISIS,
            opened_at=opened + datetime.timedelta(minutes=n),
            notify_count=1,
            last_notified_at=notified,
        )
        for n, phone in enumerate((POISONED_PHONE, HEALTHY_PHONE))
    )

    with database_refuses("checkins_alertpage", "alert_id", poisoned.pk, saying=POISONED_PHONE):
        assert tasks.alerts_escalate() == 1

    healthy.refresh_from_db()
    poisoned.refresh_from_db()
    assert healthy.notify_count == 2
    assert AlertPage.objects.filter(alert=healthy, round=2).exists()
    # The failed round's claim was undone with it, so the next sweep tries this alert again at once.
    assert (poisoned.notify_count, poisoned.last_notified_at) == (1, notified)
    assert not AlertPage.objects.filter(alert=poisoned).exists()
    assert not OutboundMessage.objects.filter(related_id=str(poisoned.pk)).exists()
    assert_logged_without_phi(caplog, poisoned.pk)

    assert tasks.alerts_escalate() == 1
    poisoned.refresh_from_db()
    assert poisoned.notify_count == 2


# --- REMS forms not marked submitted by day 5 --------------------------------------------------------


def test_one_rems_session_whose_task_cannot_be_opened_does_not_stop_the_others(
    caplog: pytest.LogCaptureFixture,
) -> None:
    site = rems_site_build()
    six_days_ago = timezone.now() - datetime.timedelta(days=6)
    poisoned, healthy = (rems_session(site, six_days_ago + datetime.timedelta(hours=3 * n)) for n in (0, 1))

    with database_refuses(StaffTask._meta.db_table, "appointment_id", poisoned.pk, saying=POISONED_PHONE):
        assert tasks.rems_forms_due() == 1

    assert StaffTask.objects.filter(appointment=healthy, kind=StaffTask.Kind.REMS_FORM_DUE).exists()
    assert not StaffTask.objects.filter(appointment=poisoned).exists()
    assert_logged_without_phi(caplog, poisoned.pk)
    assert tasks.rems_forms_due() == 2  # the next sweep opens the skipped one (and the other again, idempotently)
    assert StaffTask.objects.filter(kind=StaffTask.Kind.REMS_FORM_DUE).count() == 2


# --- Questionnaires whose link ended ------------------------------------------------------------------


def test_one_questionnaire_that_cannot_be_expired_does_not_stop_the_others(caplog: pytest.LogCaptureFixture) -> None:
    patient = PatientFactory(sms_consent_at=timezone.now())
    poisoned, healthy = (
        assignment_send_now(actor=Actor(user=None), patient=patient, instrument=code) for code in ("phq9", "gad7")
    )
    with time_machine.travel(max(poisoned.expires_at, healthy.expires_at) + datetime.timedelta(minutes=1)):
        with database_refuses("measures_questionnaireassignment", "id", poisoned.pk, saying=POISONED_PHONE):
            assert tasks.questionnaires_sweep()["expired"] == 1
        healthy.refresh_from_db()
        poisoned.refresh_from_db()
        assert healthy.status == QuestionnaireAssignment.Status.EXPIRED
        assert poisoned.status != QuestionnaireAssignment.Status.EXPIRED
        assert_logged_without_phi(caplog, poisoned.pk)
        assert tasks.questionnaires_sweep()["expired"] == 1
        poisoned.refresh_from_db()
        assert poisoned.status == QuestionnaireAssignment.Status.EXPIRED


# --- Every beat task is accounted for --------------------------------------------------------------

# Beat's tasks that go through rows, and where a failing row is shown not to stop the rest.
ROW_SWEEPS = {
    "workers.tasks.drivers_unconfirmed_flag": "test_one_session_that_cannot_be_flagged_does_not_stop_the_others",
    "workers.tasks.checkins_follow_up": "test_one_check_in_that_cannot_be_followed_up_does_not_stop_the_others",
    "workers.tasks.alerts_escalate": "test_one_alert_whose_round_fails_does_not_keep_the_next_from_being_paged",
    # Each step runs even if the one before raised, and reconciliation skips a row that raises.
    "workers.tasks.outbox_dispatch": (
        "tests/messaging/test_provider_answers.py::"
        "test_a_list_answer_we_cannot_read_holds_back_neither_other_rows_nor_due_texts"
    ),
    "workers.tasks.rems_forms_due": "test_one_rems_session_whose_task_cannot_be_opened_does_not_stop_the_others",
    "workers.tasks.questionnaires_sweep": "test_one_questionnaire_that_cannot_be_expired_does_not_stop_the_others",
    "workers.tasks.waitlist_offers_sweep": (
        "tests/waitlist/test_sweep.py::test_one_slot_that_cannot_be_offered_does_not_stop_the_others"
    ),
}
NO_ROWS = {"workers.tasks.heartbeat"}


def test_every_beat_task_is_known_to_survive_a_bad_row_or_to_have_none() -> None:
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled == set(ROW_SWEEPS) | NO_ROWS, "a new beat task: show that one bad row does not stop it"
