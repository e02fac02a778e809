"""The audit trail: append-only in the database itself, and searchable by clinic admins in the admin."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.db.models import ProtectedError
from django.db.utils import DatabaseError
from django.test import Client

from clinic.accounts.models import AuditEvent
from clinic.accounts.services import audit_record
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def test_an_audit_event_cannot_be_changed_or_deleted_even_with_raw_sql(front_desk: AbstractBaseUser) -> None:
    event = audit_record(actor=front_desk, action=AuditEvent.Action.VIEW, target_type="patients.Patient", target_id="7")
    for statement in (
        "UPDATE accounts_auditevent SET target_id = '8' WHERE id = %s",
        "DELETE FROM accounts_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [event.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(detail="rewritten")
    event.refresh_from_db()
    assert (event.target_id, event.detail) == ("7", "")


def test_a_staff_account_with_a_history_is_deactivated_not_deleted(front_desk: AbstractBaseUser) -> None:
    audit_record(actor=front_desk, action=AuditEvent.Action.VIEW, target_type="patients.Patient", target_id="7")
    with pytest.raises(ProtectedError), transaction.atomic():
        front_desk.delete()
    assert AuditEvent.objects.filter(actor=front_desk).count() == 1


def test_clinic_admins_filter_the_trail_by_person_action_and_record(
    clinic_admin: AbstractBaseUser, front_desk: AbstractBaseUser, clinician: AbstractBaseUser
) -> None:
    patient = PatientFactory()
    desk, doctor = Client(REMOTE_ADDR="198.51.100.4"), Client(REMOTE_ADDR="198.51.100.5")
    desk.force_login(front_desk)
    doctor.force_login(clinician)
    assert desk.get(f"/admin/patients/patient/{patient.pk}/change/").status_code == 200
    assert doctor.get("/admin/patients/patient/").status_code == 200

    admin = Client()
    admin.force_login(clinic_admin)
    page = admin.get("/admin/accounts/auditevent/", {"actor__id__exact": front_desk.pk, "action__exact": "view"})
    assert page.status_code == 200
    rows = list(page.context["cl"].result_list)
    assert [(e.actor, e.action, e.target_type, e.target_id, e.ip_address) for e in rows] == [
        (front_desk, "view", "patients.Patient", str(patient.pk), "198.51.100.4")
    ]
    by_record = admin.get("/admin/accounts/auditevent/", {"target_type": "patients.Patient", "q": str(patient.pk)})
    assert front_desk in {e.actor for e in by_record.context["cl"].result_list}
    listed = admin.get("/admin/accounts/auditevent/", {"action__exact": "list", "actor__id__exact": clinician.pk})
    assert [e.ip_address for e in listed.context["cl"].result_list] == ["198.51.100.5"]
    # Read-only for everyone, clinic admins included.
    event = rows[0]
    assert admin.post(f"/admin/accounts/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin.get("/admin/accounts/auditevent/add/").status_code == 403


def test_front_desk_and_clinicians_cannot_read_the_trail(
    front_desk: AbstractBaseUser, clinician: AbstractBaseUser
) -> None:
    for user in (front_desk, clinician):
        client = Client()
        client.force_login(user)
        assert client.get("/admin/accounts/auditevent/").status_code == 403
