"""Who is limited to which locations, and how clinic admins say so (accounts/locations.py, the user page)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser, User
from django.test import Client

from clinic.accounts.locations import model_is_located, staff_location_ids
from clinic.accounts.models import AuditEvent, StaffLocation
from clinic.accounts.roles import CLINIC_ADMIN, CLINICIAN, FRONT_DESK
from tests.factories import ClinicFactory, UserFactory
from tests.support.user_admin_form import staff_locations_form, user_change_form

pytestmark = pytest.mark.django_db


def _fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)  # the answer is kept on the user object for the request


def test_staff_with_locations_are_limited_to_them_and_everyone_else_sees_every_location() -> None:
    north, south = ClinicFactory(name="North"), ClinicFactory(name="South")
    desk = UserFactory(username="desk", role=FRONT_DESK)
    assert staff_location_ids(desk) is None  # no rows: every location
    StaffLocation.objects.create(user=desk, clinic=north)
    StaffLocation.objects.create(user=desk, clinic=south)
    assert staff_location_ids(_fresh(desk)) == {north.pk, south.pk}

    admin = UserFactory(username="admin", role=CLINIC_ADMIN)
    StaffLocation.objects.create(user=admin, clinic=north)
    assert staff_location_ids(admin) is None  # clinic admins always see every location
    root = User.objects.create_superuser("root", "root@example.org", "a long passphrase")
    StaffLocation.objects.create(user=root, clinic=north)
    assert staff_location_ids(root) is None

    assert staff_location_ids(AnonymousUser()) == set()
    User.objects.filter(pk=desk.pk).update(is_active=False)
    assert staff_location_ids(_fresh(desk)) == set()


def test_a_clinic_admin_assigns_staff_to_locations_on_their_page_and_the_trail_says_so(
    clinic_admin: User,
) -> None:
    north, south = ClinicFactory(name="North"), ClinicFactory(name="South")
    desk = UserFactory(username="newdesk", role=FRONT_DESK)
    client = Client(REMOTE_ADDR="198.51.100.7")
    client.force_login(clinic_admin)
    url = f"/admin/auth/user/{desk.pk}/change/"
    page = client.get(url).content.decode()
    assert "staff_locations-TOTAL_FORMS" in page and "North" in page and "South" in page

    answer = client.post(url, {**user_change_form(desk), **staff_locations_form(desk, [north.pk, south.pk])})
    assert answer.status_code == 302
    assert set(StaffLocation.objects.filter(user=desk).values_list("clinic_id", flat=True)) == {north.pk, south.pk}
    answer = client.post(url, {**user_change_form(desk), **staff_locations_form(desk, [south.pk])})
    assert answer.status_code == 302
    assert list(StaffLocation.objects.filter(user=desk).values_list("clinic_id", flat=True)) == [south.pk]
    client.post(url, {**user_change_form(desk), **staff_locations_form(desk, [])})
    assert not StaffLocation.objects.filter(user=desk).exists()

    trail = AuditEvent.objects.filter(actor=clinic_admin, target_type="auth.User", target_id=str(desk.pk))
    located = [event.detail for event in trail.filter(detail__startswith="admin: locations").order_by("id")]
    assert located == [
        f"admin: locations {min(north.pk, south.pk)}, {max(north.pk, south.pk)}",
        f"admin: locations {south.pk}",
        "admin: locations none (every location)",
    ]
    assert {event.ip_address for event in trail} == {"198.51.100.7"}


def test_only_clinic_admins_manage_locations_and_where_staff_work() -> None:
    desk = UserFactory(username="desk", role=FRONT_DESK)
    clinician = UserFactory(username="doctor", role=CLINICIAN)
    admin = UserFactory(username="admin", role=CLINIC_ADMIN)
    manage = {"accounts.add_stafflocation", "accounts.change_stafflocation", "accounts.delete_stafflocation"}
    organization = {"core.view_organization", "core.add_organization", "core.change_organization", "core.add_clinic"}
    for user in (desk, clinician):
        assert user.has_perm("core.view_clinic")
        assert not any(user.has_perm(name) for name in manage | organization | {"accounts.view_stafflocation"})
    assert all(admin.has_perm(name) for name in manage | organization | {"core.view_clinic", "core.change_clinic"})


# Records that belong to no location: the role alone decides who reads them.
NOT_LOCATED = {
    "core.organization",  # the clinic group itself
    "accounts.signinaddress",  # a staff member's own sign-in history
    "accounts.apitoken",  # staff credentials (clinic admins)
    "intake.reason",  # the form's list of reasons
    "messaging.deliveryreport",  # Twilio's raw callbacks, no patient named (clinic admins)
    "messaging.messagetemplate",  # the organization's wordings
    "oncall.oncallclinician",  # the organization's rota: who can be paged
    "sms_sandbox.sandboxmessage",  # the development stand-in for Twilio, never in production
    "sms_sandbox.sandboxfailurerule",
    "sms_sandbox.sandboxemail",
}


def test_every_record_of_the_clinic_belongs_to_locations_or_is_named_as_belonging_to_none() -> None:
    """A new model needs a decision: a location scope from its app, or a line above saying why it has none."""
    clinic_models = {model for model in apps.get_models() if model.__module__.startswith("clinic.")}
    unlocated = {model._meta.label_lower for model in clinic_models if not model_is_located(model)}
    assert unlocated == NOT_LOCATED
