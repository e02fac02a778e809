"""Probes of every admin page, generated from the admin registry, as each role: nothing answers about clinical data.

For every registered model admin, every field of its model (reverse relations such as
`alerts__isnull` included) is tried as a filter lookup, with searches, sorting by every column,
raw-id popups naming every field, and autocomplete through every relation of every model. Then:

- a lookup no declared filter reads is refused (400, or the admin's `?e=1` redirect), for every role;
- no declared filter, search field, sortable column or popup field reaches a clinical field
  (accounts/clinical.py) for front desk;
- front desk gets the same answers in two worlds that differ only in clinical data (a crisis
  text's words, our reply, alerts, check-ins, screenings, clinical tasks): whatever is asked, the
  answer cannot tell them apart;
- every admin action needs a permission beyond "view", is refused to front desk on clinical
  records, and leaves an audit event per record when it runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.templatetags.admin_list import results
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import models, transaction
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from clinic.accounts.admin_base import StaffModelAdmin
from clinic.accounts.clinical import can_read_clinical, clinical_rows, path_is_clinical
from clinic.accounts.models import AuditEvent
from clinic.accounts.roles import CLINIC_ADMIN, CLINICIAN, FRONT_DESK
from clinic.checkins.models import Alert, CheckIn, CheckInAnswer
from clinic.intake.models import Screening
from clinic.messaging.models import InboundMessage, OutboundMessage
from clinic.todos.models import StaffTask
from tests.security.world import World, world_build
from tests.support.phones import PHONE

ROLES = (FRONT_DESK, CLINICIAN, CLINIC_ADMIN)
CRISIS_WORDS = "I want to die tonight"
OUR_REPLY = "If you are in danger call 911 or text 988"
REFUSED = "refused"


@dataclass
class ClinicalRecords:
    crisis: InboundMessage
    answer_text: InboundMessage
    check_in_question: OutboundMessage
    page: OutboundMessage


def clinical_records_add(world: World) -> ClinicalRecords:
    """Clinical data of every kind beside the world's ordinary records."""
    patient = world.patient
    crisis = InboundMessage.objects.create(
        message_sid="SM" + "2" * 32,
        from_number=PHONE,
        to_number="+15005550006",
        body=CRISIS_WORDS,
        reply=OUR_REPLY,
        route=InboundMessage.Route.CRISIS,
        patient=patient,
    )
    answer_text = InboundMessage.objects.create(
        message_sid="SM" + "3" * 32,
        from_number=PHONE,
        to_number="+15005550006",
        body="2 worst week",
        reply="Thank you",
        route=InboundMessage.Route.CHECKIN,
        patient=patient,
    )
    outbox = {
        "to_number": PHONE,
        "patient": patient,
        "status": OutboundMessage.Status.SCHEDULED,
        "send_after": timezone.now() + timezone.timedelta(days=1),
    }
    question = OutboundMessage.objects.create(
        kind=OutboundMessage.Kind.CHECKIN, body="How are you feeling, 0 to 10?", idempotency_key="probe:q", **outbox
    )
    page = OutboundMessage.objects.create(
        kind=OutboundMessage.Kind.STAFF_ALERT,
        body="Urgent alert: open the back office",
        idempotency_key="probe:page",
        **{**outbox, "status": OutboundMessage.Status.QUEUED},
    )
    Alert.objects.create(
        key="probe-crisis",
        patient=patient,
        inbound_message=crisis,
        urgency=Alert.Urgency.URGENT,
        reason=Alert.Reason.CRISIS,
        detail="Crisis words",
        opened_at=timezone.now(),
    )
    check_in = CheckIn.objects.create(
        appointment=world.appointment,
        patient=patient,
        step_key="mood:d1",
        kind="mood",
        due_at=timezone.now(),
        message=question,
    )
    CheckInAnswer.objects.create(
        check_in=check_in, raw_text="2 worst week", score=2, inbound_message=answer_text, received_at=timezone.now()
    )
    StaffTask.objects.create(
        kind=StaffTask.Kind.UNPARSED_ANSWER,
        patient=patient,
        key="probe-clinical-task",
        detail="Read the answer",
        is_clinical=True,
    )
    Screening.objects.create(inquiry=world.inquiry, pregnancy=True, result=Screening.Result.NOT_ELIGIBLE, notes="x")
    return ClinicalRecords(crisis=crisis, answer_text=answer_text, check_in_question=question, page=page)


def clinical_values_change(records: ClinicalRecords) -> None:
    """The other world: the same visible records, other clinical data (other words, no alerts, no screening)."""
    InboundMessage.objects.filter(pk=records.crisis.pk).update(body="Running late, sorry", reply="Noted")
    InboundMessage.objects.filter(pk=records.answer_text.pk).update(body="9 great", reply="Glad to hear it")
    OutboundMessage.objects.filter(pk=records.check_in_question.pk).update(body="Another question?")
    OutboundMessage.objects.filter(pk=records.page.pk).update(body="Another page")
    Alert.objects.all().delete()
    CheckIn.objects.all().delete()
    StaffTask.objects.filter(is_clinical=True).delete()
    Screening.objects.all().delete()


def _admins() -> list[tuple[type[models.Model], admin.ModelAdmin[Any]]]:
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def _changelist(model: type[models.Model]) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def _probes(model: type[models.Model], model_admin: admin.ModelAdmin[Any]) -> Iterator[dict[str, str]]:
    """Query strings that ask about each field of the model, about clinical words, and by each column."""
    for field in model._meta.get_fields():
        name = field.name
        yield {f"{name}__isnull": "False"}
        if not field.is_relation:
            yield {f"{name}__startswith": CRISIS_WORDS[:1]}
    yield {"route__exact": "crisis", "body__startswith": CRISIS_WORDS[:3]}
    yield {"reply__icontains": "988"}
    for term in ("die", "988"):
        yield {"q": term}
    for index in range(len(model_admin.list_display) + 1):
        yield {"o": str(index)}
    for field in model._meta.concrete_fields:
        yield {"_popup": "1", "_to_field": field.attname}


def _without_tokens(html: bytes) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html.decode(errors="replace"))


def _answer(response: HttpResponse) -> tuple[Any, ...]:
    if response.status_code == 400 or (response.status_code == 302 and "e=1" in response.get("Location", "")):
        return (REFUSED,)
    if response.status_code != 200:
        return (response.status_code, response.get("Location", ""))
    return (200, _without_tokens(response.content))


def _is_refused(response: HttpResponse) -> bool:
    return _answer(response) == (REFUSED,)


@pytest.fixture
def world(db: None) -> World:
    return world_build()


@pytest.fixture
def records(world: World) -> ClinicalRecords:
    return clinical_records_add(world)


def _client(world: World, role: str) -> Client:
    client = Client(REMOTE_ADDR="203.0.113.9")
    client.force_login(world.staff[role])
    return client


def _ask_directly(model_admin: admin.ModelAdmin[Any], user: Any, params: dict[str, str]) -> tuple[Any, ...]:
    """The admin's list as it would answer `params`: rows, counts and every cell, without the page around them."""
    request = RequestFactory().get(_changelist(model_admin.model), params, REMOTE_ADDR="203.0.113.9")
    request.user = user
    request._messages = CookieStorage(request)  # type: ignore[attr-defined]  # pages may add a notice (e.g. a rota gap)
    try:
        response = model_admin.changelist_view(request)
    except SuspiciousOperation:
        return (REFUSED,)
    except PermissionDenied:
        return (403,)
    if response.status_code != 200:
        return _answer(response)
    cl = response.context_data["cl"]  # type: ignore[attr-defined]
    cells = [[str(cell) for cell in row] for row in results(cl)]
    return (200, cl.result_count, cl.full_result_count, [row.pk for row in cl.result_list], cells)


def _ask_everything(client: Client, user: Any) -> dict[str, tuple[Any, ...]]:
    request = RequestFactory().get("/")
    request.user = user
    answers: dict[str, tuple[Any, ...]] = {}
    for model, model_admin in _admins():
        url = _changelist(model)
        probes = list(_probes(model, model_admin))
        if not model_admin.has_view_or_change_permission(request):
            probes = probes[:1]  # refused whatever is asked: one probe says so
        for params in probes:
            key = f"{url}?{'&'.join(f'{k}={v}' for k, v in params.items())}"
            answers[key] = _ask_directly(model_admin, user, params)
        for source in model._meta.get_fields():
            if not (source.is_relation and source.concrete):
                continue
            params = {
                "app_label": model._meta.app_label,
                "model_name": model._meta.model_name,
                "field_name": source.name,
                "term": "a",
            }
            response = client.get("/admin/autocomplete/", params)
            answers[f"autocomplete {model._meta.label}.{source.name}"] = (
                response.status_code,
                response.content.decode(errors="replace"),
            )
    return answers


def test_every_registered_admin_derives_from_the_base_that_enforces_roles() -> None:
    outside = [label for model, ma in _admins() if not isinstance(ma, StaffModelAdmin) for label in [model._meta.label]]
    assert outside == [], "every admin must derive from clinic.accounts.admin_base.StaffModelAdmin"


@pytest.mark.parametrize("role", ROLES)
def test_undeclared_lookups_are_refused_and_declared_ones_reach_nothing_clinical(
    world: World, records: ClinicalRecords, role: str
) -> None:
    client = _client(world, role)
    request = RequestFactory().get("/")
    request.user = world.staff[role]
    reader_is_clinical = can_read_clinical(world.staff[role])
    wrong: list[str] = []
    for model, model_admin in _admins():
        assert isinstance(model_admin, StaffModelAdmin)
        if not model_admin.has_view_or_change_permission(request):
            continue
        declared = model_admin.declared_lookups(request)
        if not reader_is_clinical:
            reached = [p for p in declared if path_is_clinical(model, p)]
            reached += [f for f in model_admin.get_search_fields(request) if path_is_clinical(model, f.lstrip("^=@"))]
            sortable = [c for c in model_admin.get_sortable_by(request) if isinstance(c, str)]
            reached += [c for c in sortable if model_admin._column_sorts_clinical(request, c)]
            if reached:
                wrong.append(f"{model._meta.label}: {role} may filter, search or sort by clinical {reached}")
        url = _changelist(model)
        undeclared = []
        for params in _probes(model, model_admin):
            lookups = [key for key in params if key not in ("q", "o", "_popup", "_to_field")]
            refused = [key for key in lookups if not model_admin.lookup_allowed(key, params[key], request)]
            allowed = [key for key in lookups if key not in refused]
            if not set(allowed) <= declared:
                wrong.append(f"{url}: {role} may filter by {allowed}, which no declared filter reads")
            if not reader_is_clinical and any(path_is_clinical(model, key) for key in allowed):
                wrong.append(f"{url}: {role} may filter by clinical {allowed}")
            if refused:
                undeclared.append(params)
        # The admin itself refuses them (not only the method above): one request per model.
        if undeclared and not _is_refused(client.get(url, undeclared[0])):
            wrong.append(f"{url} answered {undeclared[0]} to {role}")
    assert wrong == []


def test_front_desk_gets_the_same_answers_whatever_the_clinical_data(world: World, records: ClinicalRecords) -> None:
    client = _client(world, FRONT_DESK)
    before = _ask_everything(client, world.staff[FRONT_DESK])
    clinical_values_change(records)
    after = _ask_everything(client, world.staff[FRONT_DESK])
    assert len(before) > 300
    differ = sorted(key for key in before if before[key] != after[key])
    assert differ == [], f"front desk can tell the clinical data apart through: {differ[:20]}"
    # and the mask itself: the pages never show the words
    assert not any(CRISIS_WORDS in str(answer) or OUR_REPLY in str(answer) for answer in before.values())


def _all_actions() -> Iterator[tuple[type[models.Model], StaffModelAdmin, str, Any]]:
    for model, model_admin in _admins():
        assert isinstance(model_admin, StaffModelAdmin)
        for action in model_admin.actions or ():
            func, name, _ = model_admin.get_action(action) or (None, "", "")
            yield model, model_admin, name, func
        site_actions = dict(admin.site.actions)
        if "delete_selected" in site_actions:
            yield model, model_admin, "delete_selected", site_actions["delete_selected"]


def test_an_action_that_needs_only_view_permission_is_offered_to_no_one(world: World) -> None:
    request = RequestFactory().get("/")
    request.user = world.staff[CLINIC_ADMIN]
    request.user.is_superuser = True  # every permission: only the rule itself can withhold the action
    offered = [
        f"{model._meta.label}.{name}"
        for model, model_admin, name, func in _all_actions()
        if not set(getattr(func, "allowed_permissions", ())) - {"view"} and name in model_admin.get_actions(request)
    ]
    assert offered == []


def _snapshot(model: type[models.Model], pks: list[Any]) -> list[dict[str, Any]]:
    return list(model._default_manager.filter(pk__in=pks).order_by("pk").values())


@pytest.mark.parametrize("role", ROLES)
def test_every_action_checks_the_role_for_the_kind_of_record_and_is_audited(
    world: World, records: ClinicalRecords, role: str
) -> None:
    client = _client(world, role)
    user = world.staff[role]
    request = RequestFactory().get("/")
    request.user = user
    wrong: list[str] = []
    for model, model_admin, name, _ in _all_actions():
        everything = model._default_manager.all()
        clinical = list(clinical_rows(everything).values_list("pk", flat=True))
        plain = list(everything.exclude(pk__in=clinical).values_list("pk", flat=True))
        available = name in model_admin.get_actions(request)
        for selected in (plain, clinical):
            if not selected:
                continue
            savepoint = transaction.savepoint()
            before_rows = _snapshot(model, selected)
            first_event = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
            client.post(_changelist(model), {"action": name, ACTION_CHECKBOX_NAME: selected, "index": 0})
            events = AuditEvent.objects.filter(id__gt=first_event, actor=user, target_type=model._meta.label)
            changed = _snapshot(model, selected) != before_rows
            audited = {event.target_id for event in events if event.detail.startswith(f"admin action {name}")}
            label = f"{model._meta.label}.{name} as {role} on {'clinical' if selected is clinical else 'other'} rows"
            if changed and not available:
                wrong.append(f"{label}: changed records without the permission")
            if selected is clinical and not can_read_clinical(user) and (changed or audited):
                wrong.append(f"{label}: ran on clinical records")
            if changed and audited != {str(pk) for pk in selected}:
                wrong.append(f"{label}: changed records without an audit event for each")
            transaction.savepoint_rollback(savepoint)
    assert wrong == []
