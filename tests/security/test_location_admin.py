"""The role matrix's location dimension in the back office: every admin page, as staff limited to one location.

The same two locations as the API's side (tests/security/location_world.py). For staff limited to North,
every list (rows, counts, every cell, every filter's choices, searches), add page (the choices of its
fields), North record's page (inlines included), autocomplete, the home page's alert banner, the day
schedule and the series booking page answer the same whatever South holds; South's records' pages answer
as missing ones; actions on South's records change nothing.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.templatetags.admin_list import results
from django.db import models, transaction
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from clinic.accounts.locations import model_is_located
from clinic.accounts.models import AuditEvent
from clinic.checkins.models import CheckIn, CheckInHold, CheckInStep
from clinic.measures.models import MeasurePlan, QuestionnaireAssignment
from clinic.messaging.models import EmailAddressState, PhoneNumberState
from clinic.rems.models import RemsEnrollment, RemsLocationSettings, RemsSessionType
from clinic.todos.models import StaffTask
from clinic.visitlinks.models import VisitLinkPolicy
from clinic.waitlist.models import WaitlistSettings
from tests.security.location_world import (
    CLINICIAN_NORTH,
    DESK_ALL,
    DESK_NORTH,
    LIMITED,
    MISSING_ID,
    UNLIMITED_PEER,
    LocationWorld,
    Site,
    location_world_build,
    south_grow,
)
from tests.support.selfbooking_site import selfbooking_site_records


@pytest.fixture
def world(db: None) -> LocationWorld:
    return location_world_build()


def _client(world: LocationWorld, caller: str) -> Client:
    client = Client(REMOTE_ADDR="203.0.113.9")
    client.force_login(world.staff[caller])
    return client


def _admins() -> list[tuple[type[models.Model], admin.ModelAdmin[Any]]]:
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def _url(model: type[models.Model], view: str, *args: Any) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def site_records(site: Site) -> dict[type[models.Model], models.Model]:
    """One record of each located model shown in the admin, at this site."""
    records: list[models.Model] = [
        site.clinic,
        site.provider,
        site.room,
        site.session_type,
        site.plan,
        site.patient,
        site.appointment,
        site.series,
        site.inquiry,
        site.alert,
        site.task,
        site.inbound,
        site.outbound,
        site.shift,
        CheckIn.objects.get(patient=site.patient),
        CheckInHold.objects.get(patient=site.patient),
        CheckInStep.objects.get(session_type=site.session_type),
        MeasurePlan.objects.get(session_type=site.session_type),
        QuestionnaireAssignment.objects.get(patient=site.patient, status=QuestionnaireAssignment.Status.IN_PROGRESS),
        AuditEvent.objects.filter(target_type="patients.Patient", target_id=str(site.patient.pk)).first(),
        PhoneNumberState.objects.get(phone=site.patient.phone),
        EmailAddressState.objects.get(email=site.patient.email),
        site.waitlist_entry,
        site.waitlist_offer,
        site.waitlist_offer.slot,
        WaitlistSettings.objects.get(clinic=site.clinic),
        VisitLinkPolicy.objects.get(clinic=site.clinic),
        site.rems_record,
        RemsSessionType.objects.get(session_type=site.session_type),
        RemsLocationSettings.objects.get(clinic=site.clinic),
        RemsEnrollment.objects.get(patient=site.patient),
        *selfbooking_site_records(site.clinic),
    ]
    return {type(record): record for record in records}


def _page(response: HttpResponse) -> tuple[Any, ...]:
    html = response.content.decode(errors="replace")
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    return (response.status_code, response.get("Location", ""), html)


def _changelist(client: Client, model: type[models.Model], params: dict[str, str]) -> tuple[Any, ...]:
    response = client.get(_url(model, "changelist"), params)
    if response.status_code != 200 or response.context is None or "cl" not in response.context:
        return (response.status_code, response.get("Location", ""))
    cl = response.context["cl"]
    cells = [[str(cell) for cell in row] for row in results(cl)]
    filters = [(str(spec.title), [str(choice["display"]) for choice in spec.choices(cl)]) for spec in cl.filter_specs]
    return (200, cl.result_count, cl.full_result_count, [row.pk for row in cl.result_list], cells, filters)


def _ask_everything(world: LocationWorld, caller: str) -> dict[str, tuple[Any, ...]]:
    client = _client(world, caller)
    request = RequestFactory().get("/")
    request.user = world.staff[caller]
    north = world.north
    answers: dict[str, tuple[Any, ...]] = {}
    for model, model_admin in _admins():
        if not model_admin.has_view_or_change_permission(request):
            continue
        for params in ({}, {"q": north.patient.last_name}, {"q": "South"}, {"q": north.patient.phone[-7:]}):
            answers[f"{model._meta.label} list {params}"] = _changelist(client, model, params)
        if model_admin.has_add_permission(request):
            answers[f"{model._meta.label} add"] = _page(client.get(_url(model, "add")))
        for field in model_admin.get_autocomplete_fields(request):
            for term in ("", north.patient.last_name, "South"):
                query = {"app_label": model._meta.app_label, "model_name": model._meta.model_name}
                response = client.get("/admin/autocomplete/", {**query, "field_name": field, "term": term})
                answers[f"{model._meta.label}.{field} autocomplete {term!r}"] = _page(response)
    for model, record in site_records(north).items():
        answers[f"{model._meta.label} North's page"] = _page(client.get(_url(model, "change", record.pk)))
    answers["home page"] = _page(client.get("/admin/"))
    answers["day schedule"] = _page(client.get("/admin/scheduling/schedule/", {"date": world.day.isoformat()}))
    answers["book a series"] = _page(client.get("/admin/scheduling/series/book/"))
    answers["scores"] = _page(client.get(reverse("admin:checkins_patient_scores", args=[north.patient.pk])))
    return answers


def test_no_admin_page_changes_with_what_another_location_holds(world: LocationWorld) -> None:
    callers = (*LIMITED, DESK_ALL)
    before = {caller: _ask_everything(world, caller) for caller in callers}
    south_grow(world)
    after = {caller: _ask_everything(world, caller) for caller in callers}
    for caller in LIMITED:
        differ = sorted(key for key in before[caller] if before[caller][key] != after[caller][key])
        assert differ == [], f"{caller} can tell what South holds through: {differ}"
        assert len(before[caller]) > 90
    # Staff who see every location see South change on the same pages: the questions reach South's records.
    assert sum(before[DESK_ALL][key] != after[DESK_ALL][key] for key in before[DESK_ALL]) > 10


def test_every_located_admin_is_probed(world: LocationWorld) -> None:
    located = {model for model, _ in _admins() if model_is_located(model)}
    assert located - set(site_records(world.south)) == set(), "a located model in the admin needs a record here"


def test_another_locations_record_page_answers_as_a_missing_one(world: LocationWorld) -> None:
    wrong: list[str] = []
    for caller in LIMITED:
        client, peer = _client(world, caller), _client(world, UNLIMITED_PEER[caller])
        for model, record in site_records(world.south).items():
            for view in ("change", "history", "delete"):
                south = client.get(_url(model, view, record.pk))
                missing = client.get(_url(model, view, MISSING_ID))
                if (south.status_code, south.get("Location")) != (missing.status_code, missing.get("Location")):
                    wrong.append(f"{caller}: {model._meta.label} {view} answered {south.status_code}")
            if client.get(_url(model, "change", site_records(world.north)[model].pk)).status_code != 200:
                continue  # the role may not read this kind of record at all
            if peer.get(_url(model, "change", record.pk)).status_code != 200:
                wrong.append(f"{UNLIMITED_PEER[caller]}: South's {model._meta.label} was not shown")
        scores = reverse("admin:checkins_patient_scores", args=[world.south.patient.pk])
        missing_scores = reverse("admin:checkins_patient_scores", args=[MISSING_ID])
        if client.get(scores).status_code != client.get(missing_scores).status_code:
            wrong.append(f"{caller}: South's patient's scores page answered apart from a missing patient's")
    assert wrong == []


@pytest.mark.parametrize("caller", LIMITED)
def test_actions_on_another_locations_records_change_nothing(world: LocationWorld, caller: str) -> None:
    client = _client(world, caller)
    south = world.south
    for model, action, record in (
        (StaffTask, "mark_done", south.task),
        (type(south.inbound), "mark_handled", south.inbound),
        (type(south.outbound), "cancel_pending", south.outbound),
        (type(south.appointment), "mark_no_show", south.appointment),
        (type(south.inquiry), "mark_closed", south.inquiry),
        (type(south.alert), "acknowledge_selected", south.alert),
        (CheckInHold, "resume_selected", CheckInHold.objects.get(patient=south.patient)),
    ):
        before = list(model._default_manager.filter(pk=record.pk).values())
        savepoint = transaction.savepoint()
        client.post(
            _url(model, "changelist"), {"action": action, ACTION_CHECKBOX_NAME: [record.pk], "note": "x", "apply": "1"}
        )
        assert list(model._default_manager.filter(pk=record.pk).values()) == before, f"{action} changed South's record"
        transaction.savepoint_rollback(savepoint)


def test_filter_choices_name_only_the_readers_locations(world: LocationWorld) -> None:
    """The clinic filter of the patient list offers North to North's staff, both to staff of every location."""
    for caller, expected in (
        (DESK_NORTH, ["North Clinic"]),
        (CLINICIAN_NORTH, ["North Clinic"]),
        (DESK_ALL, ["North Clinic", "South Clinic"]),
    ):
        answer = _changelist(_client(world, caller), type(world.north.patient), {})
        choices = dict(answer[5])["home location"]
        assert [choice for choice in choices if choice.endswith("Clinic")] == expected, caller
