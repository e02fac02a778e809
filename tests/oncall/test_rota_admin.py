"""Clinic admins keep the rota in the admin: numbers, consent to pages as staff (when, by whom), shifts."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client

from clinic.accounts.models import AuditEvent
from clinic.oncall.models import OnCallClinician, OnCallShift
from tests.factories import ClinicFactory, OnCallClinicianFactory, OnCallShiftFactory, UserFactory
from tests.support.clock import local

pytestmark = pytest.mark.django_db
ADD_CLINICIAN = "/admin/oncall/oncallclinician/add/"
ADD_SHIFT = "/admin/oncall/oncallshift/add/"


def admin_as(user: AbstractBaseUser) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_clinic_admin_records_a_number_and_consent_with_their_name_and_a_new_number_loses_it(
    clinic_admin: AbstractBaseUser,
) -> None:
    doctor = UserFactory(username="dr.reyes", role="Clinician")
    saved = admin_as(clinic_admin).post(
        ADD_CLINICIAN, {"user": doctor.pk, "mobile_phone": "(617) 555-0301", "is_active": "on", "consent_given": "on"}
    )
    assert saved.status_code == 302, saved.content.decode()[:2000]
    clinician = OnCallClinician.objects.get(user=doctor)
    assert clinician.mobile_phone == "+16175550301"
    assert clinician.has_sms_consent and clinician.sms_consent_recorded_by == clinic_admin
    assert AuditEvent.objects.filter(target_type="oncall.OnCallClinician", actor=clinic_admin).exists()

    change = f"/admin/oncall/oncallclinician/{clinician.pk}/change/"
    kept = admin_as(clinic_admin).post(change, {"user": doctor.pk, "mobile_phone": "+16175550301", "is_active": "on"})
    assert kept.status_code == 302
    clinician.refresh_from_db()
    assert clinician.has_sms_consent  # same number: consent stays

    moved = admin_as(clinic_admin).post(change, {"user": doctor.pk, "mobile_phone": "617 555 0399", "is_active": "on"})
    assert moved.status_code == 302
    clinician.refresh_from_db()
    assert clinician.mobile_phone == "+16175550399" and not clinician.has_sms_consent
    assert clinician.sms_consent_at is None and clinician.sms_consent_recorded_by is None


def test_a_bad_number_is_refused_naming_the_field(clinic_admin: AbstractBaseUser) -> None:
    doctor = UserFactory(username="dr.chen", role="Clinician")
    refused = admin_as(clinic_admin).post(ADD_CLINICIAN, {"user": doctor.pk, "mobile_phone": "12", "is_active": "on"})
    assert refused.status_code == 200 and "Enter a valid phone number" in refused.content.decode()
    assert not OnCallClinician.objects.exists()


def test_overlapping_shifts_are_refused_and_the_shift_list_shows_who_is_paged_now_or_the_gap(
    clinic_admin: AbstractBaseUser,
) -> None:
    ClinicFactory(on_call_phone="")
    first = OnCallClinicianFactory(user=UserFactory(username="a", first_name="Ann", last_name="Lee", role="Clinician"))
    second = OnCallClinicianFactory(user=UserFactory(username="b", first_name="Bo", last_name="Ray", role="Clinician"))
    OnCallShiftFactory(clinician=first, starts_at=local(2026, 12, 8, 8), ends_at=local(2026, 12, 8, 20))
    client = admin_as(clinic_admin)
    with time_machine.travel(local(2026, 12, 8, 9), tick=False):
        refused = client.post(
            ADD_SHIFT,
            {
                "starts_at_0": "2026-12-08",
                "starts_at_1": "19:00",
                "ends_at_0": "2026-12-09",
                "ends_at_1": "08:00",
                "clinician": second.pk,
                "backup": first.pk,
            },
        )
        assert refused.status_code == 200 and "overlaps the shift of Ann Lee" in refused.content.decode()
        assert OnCallShift.objects.count() == 1
        listed = client.get("/admin/oncall/oncallshift/").content.decode()
        assert "Now paged first: Ann Lee (on-call clinician)" in listed
    with time_machine.travel(local(2026, 12, 8, 21), tick=False):
        listed = client.get("/admin/oncall/oncallshift/").content.decode()
    assert "Nobody can be paged" in listed


def test_clinicians_read_the_rota_but_only_clinic_admins_change_it(
    clinician: AbstractBaseUser, front_desk: AbstractBaseUser
) -> None:
    assert admin_as(clinician).get("/admin/oncall/oncallclinician/").status_code == 200
    assert admin_as(clinician).get(ADD_CLINICIAN).status_code == 403
    assert admin_as(clinician).get(ADD_SHIFT).status_code == 403
    assert admin_as(front_desk).get("/admin/oncall/oncallshift/").status_code == 200
    assert admin_as(front_desk).get("/admin/oncall/oncallclinician/").status_code == 403


def test_the_covering_shift_at_a_handover_is_the_one_that_started_last() -> None:
    from clinic.oncall.selectors import shift_at

    ClinicFactory()
    early = OnCallShiftFactory(starts_at=local(2026, 12, 8, 8), ends_at=local(2026, 12, 8, 20))
    late = OnCallShift.objects.create(
        clinician=OnCallClinicianFactory(), starts_at=local(2026, 12, 8, 19, 30), ends_at=local(2026, 12, 9, 8)
    )
    assert shift_at(at=local(2026, 12, 8, 19)) == early
    assert shift_at(at=local(2026, 12, 8, 19, 45)) == late
    assert shift_at(at=local(2026, 12, 9, 8) + datetime.timedelta(seconds=1)) is None
