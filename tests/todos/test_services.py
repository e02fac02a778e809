"""Marking a staff task done: once, by the first person, audited once."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection

from clinic.accounts.actor import Actor
from clinic.accounts.models import AuditEvent
from clinic.todos.models import StaffTask
from clinic.todos.services import staff_task_done, staff_task_open
from tests.factories import PatientFactory, UserFactory


@pytest.mark.django_db(transaction=True)
def test_two_people_marking_one_task_at_once_leave_one_done_and_one_audit_event() -> None:
    task = staff_task_open(kind=StaffTask.Kind.RESCHEDULE_REQUEST, patient=PatientFactory(), key="call:1")
    people: list[AbstractBaseUser] = [UserFactory(username=f"desk{n}") for n in range(2)]
    start = threading.Barrier(len(people))

    def mark(person: AbstractBaseUser) -> None:
        try:
            start.wait()
            staff_task_done(task=StaffTask.objects.get(pk=task.pk), by=Actor(user=person))
        finally:
            connection.close()

    threads = [threading.Thread(target=mark, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    task.refresh_from_db()
    assert task.done_at is not None and task.done_by in people
    events = AuditEvent.objects.filter(target_id=str(task.pk), detail="marked done")
    assert events.count() == 1
    assert events.get().actor == task.done_by
