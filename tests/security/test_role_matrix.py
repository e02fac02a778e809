"""Who may call what: every API operation in the URL configuration, called by each role.

The table below is the contract. A route added without a row fails the first test, so no endpoint
ships without someone deciding who may call it. Each call sends an empty JSON body against one
real record of each kind (`tests/security/world.py`); a role that may call an operation therefore
often gets 400 (allowed in, then refused by validation) rather than 2xx. 401 means "sign in",
403 "your role may not". Every allowed call that reads or changes patient data must leave an
audit event naming the caller and their address.

The location dimension (staff limited to some locations, accounts/locations.py) is the same contract for
the same operations and admin pages: tests/security/test_location_matrix.py (API), test_location_admin.py
(admin) and test_location_rules.py (clinicians' own patients, the paged clinician, the audit trail).
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.db import transaction
from django.test import Client
from pytest_django.fixtures import Settings
from rest_framework.test import APIClient

from clinic.accounts.models import AuditEvent
from clinic.accounts.roles import CLINIC_ADMIN, CLINICIAN, FRONT_DESK
from clinic.todos.models import StaffTask
from tests.security.routes import Operation, api_operations
from tests.security.world import World, world_build

ANONYMOUS = "anonymous"
CALLERS = (ANONYMOUS, FRONT_DESK, CLINICIAN, CLINIC_ADMIN)

# Columns: anonymous, front desk, clinician, clinic admin.
EXPECTED: dict[tuple[str, str], tuple[int, int, int, int]] = {
    # Public: the contact form's API and signing in. An empty body is a 400 for everyone.
    ("POST", "/api/v1/inquiries/"): (400, 400, 400, 400),
    ("POST", "/api/v1/auth/token/"): (400, 400, 400, 400),
    ("POST", "/api/v1/auth/token/revoke/"): (401, 400, 400, 400),
    ("GET", "/api/schema/"): (200, 200, 200, 200),
    ("GET", "/api/docs/"): (200, 200, 200, 200),
    # Any staff member.
    ("GET", "/api/v1/auth/me/"): (401, 200, 200, 200),
    # Patients and their conversations (front desk sees clinical texts masked; see test_clinical_privacy).
    ("GET", "/api/v1/patients/"): (401, 200, 200, 200),
    ("POST", "/api/v1/patients/"): (401, 400, 400, 400),
    ("GET", "/api/v1/patients/{patient_id}/"): (401, 200, 200, 200),
    ("PATCH", "/api/v1/patients/{patient_id}/"): (401, 200, 200, 200),
    ("GET", "/api/v1/patients/{patient_id}/messages/"): (401, 200, 200, 200),
    ("POST", "/api/v1/patients/{patient_id}/messages/"): (401, 400, 400, 400),
    ("GET", "/api/v1/messaging/inbox/"): (401, 200, 200, 200),
    ("POST", "/api/v1/messaging/inbox/{message_id}/handled/"): (401, 200, 200, 200),
    # Scheduling.
    ("GET", "/api/v1/availability/"): (401, 400, 400, 400),
    ("GET", "/api/v1/appointments/"): (401, 200, 200, 200),
    ("POST", "/api/v1/appointments/"): (401, 400, 400, 400),
    ("GET", "/api/v1/appointments/{pk}/"): (401, 200, 200, 200),
    ("POST", "/api/v1/appointments/{pk}/cancel/"): (401, 400, 400, 400),
    ("POST", "/api/v1/appointments/{pk}/check-in/"): (401, 400, 400, 400),  # a session days ahead: not yet
    ("POST", "/api/v1/appointments/{pk}/complete/"): (401, 400, 400, 400),
    ("POST", "/api/v1/appointments/{pk}/confirm/"): (401, 200, 200, 200),
    ("POST", "/api/v1/appointments/{pk}/no-show/"): (401, 400, 400, 400),
    ("POST", "/api/v1/appointments/{pk}/reschedule/"): (401, 400, 400, 400),
    ("GET", "/api/v1/series-plans/"): (401, 200, 200, 200),
    ("POST", "/api/v1/series/"): (401, 400, 400, 400),
    ("POST", "/api/v1/series/propose/"): (401, 400, 400, 400),
    ("GET", "/api/v1/series/{pk}/"): (401, 200, 200, 200),
    ("GET", "/api/v1/providers/"): (401, 200, 200, 200),
    ("GET", "/api/v1/rooms/"): (401, 200, 200, 200),
    ("GET", "/api/v1/session-types/"): (401, 200, 200, 200),
    ("GET", "/api/v1/calendar/day/"): (401, 200, 200, 200),
    ("GET", "/api/v1/calendar/providers/{provider_id}/feed.ics"): (401, 200, 200, 200),
    # The waitlist (scheduling data): front desk and above; an empty body names the missing fields.
    ("GET", "/api/v1/waitlist/entries/"): (401, 200, 200, 200),
    ("POST", "/api/v1/waitlist/entries/"): (401, 400, 400, 400),
    ("GET", "/api/v1/waitlist/entries/{pk}/"): (401, 200, 200, 200),
    ("POST", "/api/v1/waitlist/entries/{pk}/remove/"): (401, 200, 200, 200),
    # Staff tasks: everyone, but front desk only sees the non-clinical ones (tested below).
    ("GET", "/api/v1/tasks/"): (401, 200, 200, 200),
    ("POST", "/api/v1/tasks/{pk}/done/"): (401, 200, 200, 200),
    # Clinical: alerts, scores and screening are for clinicians and clinic admins only.
    ("GET", "/api/v1/alerts/"): (401, 403, 200, 200),
    ("GET", "/api/v1/alerts/{pk}/"): (401, 403, 200, 200),
    ("POST", "/api/v1/alerts/{pk}/acknowledge/"): (401, 403, 400, 400),
    ("POST", "/api/v1/alerts/{pk}/resume-checkins/"): (401, 403, 409, 409),  # this alert holds no check-ins
    ("GET", "/api/v1/patients/{patient_id}/scores/"): (401, 403, 200, 200),
    # The esketamine monitoring record (the world's session is not a REMS session: 404 once let in).
    ("GET", "/api/v1/appointments/{pk}/monitoring-record/"): (401, 403, 404, 404),
    ("PUT", "/api/v1/appointments/{pk}/monitoring-record/"): (401, 403, 404, 404),
    ("POST", "/api/v1/appointments/{pk}/monitoring-record/submitted/"): (401, 403, 404, 404),
    ("GET", "/api/v1/rems/forms/"): (401, 403, 200, 200),
    # REMS enrollment is paperwork every role ticks (booking a REMS session waits for it).
    ("GET", "/api/v1/patients/{patient_id}/rems-enrollment/"): (401, 200, 200, 200),
    ("POST", "/api/v1/patients/{patient_id}/rems-enrollment/"): (401, 200, 200, 200),
    ("GET", "/api/v1/patients/{patient_id}/questionnaires/"): (401, 403, 200, 200),
    ("POST", "/api/v1/patients/{patient_id}/questionnaires/send/"): (401, 403, 400, 400),  # no instrument named
    ("GET", "/api/v1/staff/inquiries/{reference}/screening/"): (401, 403, 404, 404),  # none recorded yet
    ("PUT", "/api/v1/staff/inquiries/{reference}/screening/"): (401, 403, 200, 200),
    ("GET", "/api/v1/measures/fhir/Questionnaire/{code}"): (401, 403, 200, 200),
    ("GET", "/api/v1/measures/fhir/QuestionnaireResponse/{pk}"): (401, 403, 200, 200),
    # Inquiry triage.
    ("GET", "/api/v1/staff/inquiries/"): (401, 200, 200, 200),
    ("GET", "/api/v1/staff/inquiries/{reference}/"): (401, 200, 200, 200),
    ("PATCH", "/api/v1/staff/inquiries/{reference}/"): (401, 200, 200, 200),
    ("POST", "/api/v1/staff/inquiries/{reference}/assign/"): (401, 400, 400, 400),
    ("POST", "/api/v1/staff/inquiries/{reference}/convert/"): (401, 400, 400, 400),
    ("GET", "/api/v1/staff/inquiries/{reference}/notes/"): (401, 200, 200, 200),
    ("POST", "/api/v1/staff/inquiries/{reference}/notes/"): (401, 400, 400, 400),
    ("POST", "/api/v1/staff/inquiries/{reference}/transition/"): (401, 400, 400, 400),
}

# Allowed calls that touch no patient's data, so they leave no audit event.
NOT_PATIENT_DATA = {
    "/api/v1/inquiries/",  # the public form: the inquiry records its own consent and origin
    "/api/v1/auth/token/",
    "/api/v1/auth/token/revoke/",
    "/api/schema/",
    "/api/docs/",
    "/api/v1/auth/me/",
    "/api/v1/availability/",
    "/api/v1/series-plans/",
    "/api/v1/providers/",
    "/api/v1/rooms/",
    "/api/v1/session-types/",
}

OPERATIONS = api_operations()

# The admin's list page of every registered model. Anonymous visitors are sent to the login page.
ADMIN_LISTS: dict[str, tuple[int, int, int, int]] = {
    "auth/group": (302, 403, 403, 200),
    "auth/user": (302, 403, 403, 200),
    "accounts/apitoken": (302, 403, 403, 200),
    "axes/accessattempt": (302, 403, 403, 200),
    "axes/accesslog": (302, 403, 403, 403),
    "axes/accessfailurelog": (302, 403, 403, 200),
    "accounts/auditevent": (302, 403, 403, 200),
    "checkins/alert": (302, 403, 200, 200),
    "checkins/checkin": (302, 403, 200, 200),
    "checkins/checkinstep": (302, 403, 200, 200),
    "checkins/checkinhold": (302, 403, 200, 200),
    "oncall/oncallclinician": (302, 403, 200, 200),
    "oncall/oncallshift": (302, 200, 200, 200),
    "todos/stafftask": (302, 200, 200, 200),
    "core/clinic": (302, 200, 200, 200),
    "core/organization": (302, 403, 403, 200),
    "scheduling/provider": (302, 200, 200, 200),
    "scheduling/room": (302, 200, 200, 200),
    "scheduling/sessiontype": (302, 200, 200, 200),
    "scheduling/seriesplan": (302, 200, 200, 200),
    "scheduling/appointment": (302, 200, 200, 200),
    "scheduling/series": (302, 200, 200, 200),
    "patients/patient": (302, 200, 200, 200),
    "intake/inquiry": (302, 200, 200, 200),
    "intake/reason": (302, 200, 200, 200),
    "messaging/outboundmessage": (302, 200, 200, 200),
    "messaging/inboundmessage": (302, 200, 200, 200),
    "messaging/phonenumberstate": (302, 200, 200, 200),
    "messaging/emailaddressstate": (302, 200, 200, 200),
    "messaging/deliveryreport": (302, 403, 403, 403),
    "messaging/messagetemplate": (302, 403, 403, 200),
    "waitlist/waitlistentry": (302, 200, 200, 200),
    "waitlist/waitlistoffer": (302, 200, 200, 200),
    "waitlist/freedslot": (302, 200, 200, 200),
    "waitlist/waitlistsettings": (302, 200, 200, 200),
    "visitlinks/visitlinkpolicy": (302, 200, 200, 200),
    "rems/remssessiontype": (302, 200, 200, 200),
    "rems/remslocationsettings": (302, 200, 200, 200),
    "rems/remsenrollment": (302, 200, 200, 200),
    "rems/monitoringrecord": (302, 403, 200, 200),
    "measures/measureplan": (302, 200, 200, 200),
    "measures/questionnaireassignment": (302, 403, 200, 200),
    "selfbooking/selfbookabletype": (302, 200, 200, 200),
    "selfbooking/selfbookinglocation": (302, 200, 200, 200),
    "selfbooking/selfbooking": (302, 200, 200, 200),
}
# Admin lists that show patients' data: each viewing leaves an audit event.
ADMIN_PATIENT_DATA = {
    "checkins/alert",
    "checkins/checkin",
    "checkins/checkinhold",
    "measures/questionnaireassignment",
    "todos/stafftask",
    "scheduling/appointment",
    "scheduling/series",
    "patients/patient",
    "intake/inquiry",
    "messaging/outboundmessage",
    "messaging/inboundmessage",
    "messaging/phonenumberstate",
    "messaging/emailaddressstate",
    "waitlist/waitlistentry",
    "waitlist/waitlistoffer",
    "rems/remsenrollment",
    "rems/monitoringrecord",
    "selfbooking/selfbooking",
}


def _base(operation: Operation) -> tuple[str, str]:
    """A DRF format suffix (`/notes.json`) is the same operation as its plain route (`/notes/`)."""
    route = operation.route
    if route.endswith(".{format}"):
        route = route.removesuffix(".{format}") + "/"
    return operation.method, route


@pytest.fixture(autouse=True)
def _form_throttles_off(settings: Settings) -> None:
    # Every role posts the public form here; the throttles have tests of their own.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"inquiry_burst": "10000/min", "inquiry_daily": "10000/day"},
    }


@pytest.fixture
def world(db: None) -> World:
    return world_build()


def _client(world: World, caller: str) -> APIClient:
    client = APIClient(REMOTE_ADDR="203.0.113.9")
    if caller != ANONYMOUS:
        client.credentials(HTTP_AUTHORIZATION=f"Token {world.token_for(caller)}")
    return client


def test_every_api_operation_has_a_row_in_the_table() -> None:
    declared = set(EXPECTED)
    served = {_base(operation) for operation in OPERATIONS}
    assert served - declared == set(), "new API operations need a row in EXPECTED (who may call them?)"
    assert declared - served == set(), "EXPECTED lists operations the URL configuration no longer serves"
    assert len(OPERATIONS) >= 45


@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
def test_each_role_gets_exactly_the_expected_status(world: World, operation: Operation) -> None:
    expected = dict(zip(CALLERS, EXPECTED[_base(operation)], strict=True))
    path = operation.path(world.path_values(operation.route))
    answered: dict[str, int] = {}
    audited: dict[str, bool] = {}
    for caller in CALLERS:
        # Each caller meets the records as they were: one role's change must not decide the next one's status.
        savepoint = transaction.savepoint()
        before = AuditEvent.objects.count()
        response = getattr(_client(world, caller), operation.method.lower())(path, {}, format="json")
        answered[caller] = response.status_code
        events = AuditEvent.objects.order_by("id")[before:]
        audited[caller] = any(
            event.actor == world.staff.get(caller) and event.ip_address == "203.0.113.9" for event in events
        )
        transaction.savepoint_rollback(savepoint)
    assert answered == expected

    if _base(operation)[1] in NOT_PATIENT_DATA:
        return
    for caller, status in answered.items():
        if caller != ANONYMOUS and 200 <= status < 300:
            assert audited[caller], f"{operation} answered {status} to {caller} without an audit event"


def test_anonymous_callers_are_asked_to_sign_in_not_told_what_exists(world: World) -> None:
    client = _client(world, ANONYMOUS)
    real = client.get(f"/api/v1/patients/{world.patient.pk}/")
    missing = client.get("/api/v1/patients/999999/")
    assert real.status_code == missing.status_code == 401
    assert real.json() == missing.json()


def test_front_desk_sees_reschedule_tasks_but_not_clinical_ones(world: World) -> None:
    clinical = StaffTask.objects.create(
        kind=StaffTask.Kind.UNPARSED_ANSWER, patient=world.patient, key="matrix-clinical", is_clinical=True
    )

    front_desk = _client(world, FRONT_DESK)
    listed = {task["id"] for task in front_desk.get("/api/v1/tasks/").json()["results"]}
    assert world.task.pk in listed
    assert clinical.pk not in listed
    assert front_desk.post(f"/api/v1/tasks/{clinical.pk}/done/").status_code == 404
    clinical.refresh_from_db()
    assert clinical.done_at is None

    clinician = _client(world, CLINICIAN)
    listed = {task["id"] for task in clinician.get("/api/v1/tasks/").json()["results"]}
    assert {world.task.pk, clinical.pk} <= listed


def test_front_desk_cannot_read_or_acknowledge_an_alert_a_clinician_can(world: World) -> None:
    front_desk = _client(world, FRONT_DESK)
    assert front_desk.get("/api/v1/alerts/").status_code == 403
    assert front_desk.get(f"/api/v1/alerts/{world.alert.pk}/").status_code == 403
    refused = front_desk.post(f"/api/v1/alerts/{world.alert.pk}/acknowledge/", {"note": "seen"}, format="json")
    assert refused.status_code == 403
    world.alert.refresh_from_db()
    assert world.alert.acknowledged_at is None

    clinician = _client(world, CLINICIAN)
    assert [alert["id"] for alert in clinician.get("/api/v1/alerts/").json()["results"]] == [world.alert.pk]
    done = clinician.post(
        f"/api/v1/alerts/{world.alert.pk}/acknowledge/", {"note": "Called the patient; safe."}, format="json"
    )
    assert done.status_code == 200
    world.alert.refresh_from_db()
    assert world.alert.acknowledged_by == world.staff[CLINICIAN]


def test_every_admin_list_has_a_row_and_answers_each_role_as_expected(world: World) -> None:
    registered = {f"{model._meta.app_label}/{model._meta.model_name}" for model in admin.site._registry}
    assert registered == set(ADMIN_LISTS), "a model registered in the admin needs a row in ADMIN_LISTS"
    wrong: list[str] = []
    for label, statuses in ADMIN_LISTS.items():
        for caller, expected in zip(CALLERS, statuses, strict=True):
            client = Client(REMOTE_ADDR="203.0.113.9")
            if caller != ANONYMOUS:
                client.force_login(world.staff[caller])
            before = AuditEvent.objects.count()
            status = client.get(f"/admin/{label}/").status_code
            if status != expected:
                wrong.append(f"/admin/{label}/ answered {status} to {caller}, expected {expected}")
            if status == 200 and label in ADMIN_PATIENT_DATA:
                listed = AuditEvent.objects.order_by("id")[before:]
                if not any(e.action == AuditEvent.Action.LIST and e.actor == world.staff[caller] for e in listed):
                    wrong.append(f"/admin/{label}/ shown to {caller} without an audit event")
    assert wrong == []
