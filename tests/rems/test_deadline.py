"""The 7 calendar days to submit a form, counted on the location's calendar across the end of daylight time.

A session on Thursday 29 October 2026 at 10:00 in New York (EDT, -04:00). Daylight time ends on Sunday
1 November (EST, -05:00). Day 5 is Tuesday 3 November; the form is due by the end of Thursday 5 November,
New York time. A clock read in UTC would open the task at 19:00 on 2 November and call the form overdue at
19:00 on 5 November: both hours belong to the day before in New York.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
import time_machine
from django.contrib.auth.models import AbstractBaseUser, User
from django.test import Client
from rest_framework.test import APIClient

from clinic.accounts.actor import Actor
from clinic.rems.models import MonitoringRecord
from clinic.rems.services import TASK_KIND, rems_forms_due_sweep
from clinic.scheduling.models import Appointment
from clinic.scheduling.services import appointment_check_in, appointment_complete
from clinic.todos.models import StaffTask
from tests.factories import CompletedAppointmentFactory
from tests.rems.factories import RemsSite, record_values, rems_session, rems_site_build
from tests.support.clock import NY

pytestmark = pytest.mark.django_db

SESSION = datetime.datetime(2026, 10, 29, 10, tzinfo=NY)


@pytest.fixture
def site() -> RemsSite:
    return rems_site_build()


@pytest.fixture
def session(site: RemsSite) -> Appointment:
    return rems_session(site, SESSION)


def _at(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=NY)


def _tracker(client: APIClient, state: str = "") -> list[dict[str, object]]:
    response = client.get("/api/v1/rems/forms/", {"state": state} if state else {})
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert isinstance(results, list)
    return results


def test_day_five_and_the_deadline_follow_the_locations_calendar_across_the_dst_change(
    api_as: Callable[[AbstractBaseUser], APIClient], clinician: User, session: Appointment
) -> None:
    client = api_as(clinician)
    with time_machine.travel(_at(2026, 11, 2, 23, 30), tick=False):  # 04:30 UTC on 3 November
        rems_forms_due_sweep()
        assert not StaffTask.objects.filter(kind=TASK_KIND).exists()
        [row] = _tracker(client)
        assert row["deadline"] == {
            "session_day": "2026-10-29",
            "due_day": "2026-11-05",
            "days_left": 3,
            "state": "open",
        }
    with time_machine.travel(_at(2026, 11, 3, 0, 30), tick=False):
        rems_forms_due_sweep()
        rems_forms_due_sweep()  # beat runs hourly: still one task
        [task] = StaffTask.objects.filter(kind=TASK_KIND)
        assert (task.patient_id, task.appointment_id, task.done_at) == (session.patient_id, session.pk, None)
        assert "due by Nov 05" in task.detail
        assert "ketamine" not in task.detail.lower() and "esketamine" not in task.detail.lower()
        assert _tracker(client)[0]["deadline"]["state"] == "due_soon"  # type: ignore[index]
    with time_machine.travel(_at(2026, 11, 5, 23, 30), tick=False):  # 04:30 UTC on 6 November
        assert _tracker(client)[0]["deadline"]["days_left"] == 0  # type: ignore[index]
        assert _tracker(client, "overdue") == []
    with time_machine.travel(_at(2026, 11, 6, 0, 30), tick=False):
        [row] = _tracker(client, "overdue")
        assert row["deadline"]["days_left"] == -1  # type: ignore[index]
        client.put(
            f"/api/v1/appointments/{session.pk}/monitoring-record/", record_values(SESSION, clinician), format="json"
        )
        marked = client.post(
            f"/api/v1/appointments/{session.pk}/monitoring-record/submitted/", {"reference": "FAX 11/06"}, format="json"
        )
        assert marked.status_code == 200
        assert _tracker(client) == [] and _tracker(client, "overdue") == []
        assert [row["appointment"] for row in _tracker(client, "submitted")] == [session.pk]
        task.refresh_from_db()
        assert task.done_at is not None and task.done_by == clinician


def test_a_submitted_form_opens_no_task(session: Appointment, clinician: User) -> None:
    MonitoringRecord.objects.create(appointment=session, submitted_at=SESSION, submitted_by=clinician)
    with time_machine.travel(_at(2026, 11, 4, 9), tick=False):
        rems_forms_due_sweep()
    assert not StaffTask.objects.filter(kind=TASK_KIND).exists()


def test_a_session_completed_through_the_calendar_gets_its_record_and_its_count(site: RemsSite) -> None:
    appointment = CompletedAppointmentFactory(
        patient=site.patient,
        provider=site.provider,
        session_type=site.session_type,
        starts_at=SESSION,
        status=Appointment.Status.CONFIRMED,
    )
    with time_machine.travel(SESSION + datetime.timedelta(minutes=10), tick=False):
        appointment_check_in(actor=Actor(user=None), appointment=appointment)
        assert not MonitoringRecord.objects.filter(appointment=appointment).exists()
    with time_machine.travel(SESSION + datetime.timedelta(hours=3), tick=False):
        appointment_complete(actor=Actor(user=None), appointment=appointment)
    record = MonitoringRecord.objects.get(appointment=appointment)
    assert record.submitted_at is None and record.dose_mg is None


def test_the_admin_tracker_filters_overdue_due_soon_and_submitted_and_marks_forms_submitted(
    site: RemsSite, clinician: User
) -> None:
    overdue = rems_session(site, _at(2026, 11, 20, 10))
    due_soon = rems_session(site, _at(2026, 11, 26, 10))
    fresh = rems_session(site, _at(2026, 11, 30, 10))
    office = Client()
    office.force_login(clinician)
    api = APIClient()
    api.force_authenticate(clinician)
    with time_machine.travel(_at(2026, 12, 1, 9), tick=False):
        rems_forms_due_sweep()  # opens the records (and the tasks of the two past day 5)
        assert StaffTask.objects.filter(kind=TASK_KIND).count() == 2
        for appointment in (overdue, due_soon, fresh):
            starts = appointment.starts_at
            assert (
                api.put(
                    f"/api/v1/appointments/{appointment.pk}/monitoring-record/",
                    record_values(starts, clinician),
                    format="json",
                ).status_code
                == 200
            )

        def listed(state: str) -> set[int]:
            page = office.get("/admin/rems/monitoringrecord/", {"form": state})
            assert page.status_code == 200
            return {record.appointment_id for record in page.context["cl"].result_list}

        assert listed("overdue") == {overdue.pk}
        assert listed("due_soon") == {due_soon.pk}
        assert listed("open") == {fresh.pk}
        assert listed("submitted") == set()
        page = office.get("/admin/rems/monitoringrecord/")
        assert "never submits anything to the REMS" in page.content.decode()
        record = MonitoringRecord.objects.get(appointment=overdue)
        marked = office.post(
            "/admin/rems/monitoringrecord/",
            {"action": "mark_submitted", "_selected_action": [record.pk], "reference": "REMS-9001"},
            follow=True,
        )
        assert marked.status_code == 200
        record.refresh_from_db()
        assert (record.submitted_by, record.submission_reference) == (clinician, "REMS-9001")
        assert record.submitted_at == datetime.datetime(2026, 12, 1, 9, tzinfo=NY)
        assert listed("submitted") == {overdue.pk} and listed("overdue") == set()
        assert StaffTask.objects.get(appointment=overdue, kind=TASK_KIND).done_at is not None
