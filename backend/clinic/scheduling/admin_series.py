"""The admin's "Book a series" page: propose a plan's dates for a patient, then book them all or none.

SeriesAdmin (scheduling/admin.py) serves it at /admin/scheduling/series/book/ and links it from the
series list. The work is done by the services (series.py: series_propose, series_book), which audit
what they book; this page collects the choices and shows the proposed dates in the time of the plan's
location (the plan's session type's), where the sessions happen.
"""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from clinic.accounts.actor import Actor
from clinic.accounts.locations import location_choices_limit
from clinic.accounts.models import AuditEvent
from clinic.accounts.services import audit_by
from clinic.core.clinics import clinic_timezone

from .forms import SeriesBookForm, proposal_value
from .models import Room
from .series import ProposedSession
from .services import BookingConflict

# The same permissions the API asks of a caller who books a series.
BOOK_PERMISSIONS = ("scheduling.add_series", "scheduling.add_appointment", "patients.view_patient")
URL_NAME = "scheduling_series_book"
TEMPLATE = "admin/scheduling/series/book.html"


def series_book_allowed(request: HttpRequest) -> bool:
    return request.user.has_perms(BOOK_PERMISSIONS)


def _proposal_rows(proposal: list[ProposedSession], tz: zoneinfo.ZoneInfo) -> list[dict[str, Any]]:
    rooms = Room.objects.in_bulk([session.room_id for session in proposal if session.room_id])
    return [
        {
            "position": session.position,
            "starts": timezone.localtime(session.starts_at, tz).strftime("%a %Y-%m-%d %H:%M %Z"),
            "ends": timezone.localtime(session.ends_at, tz).strftime("%H:%M"),
            "room": rooms[session.room_id].name if session.room_id in rooms else "",
            "value": proposal_value(session),
        }
        for session in proposal
    ]


def series_book_view(request: HttpRequest, site: admin.AdminSite) -> HttpResponse:
    """Step 1 proposes the plan's dates (nothing is written); step 2 books exactly those, or none."""
    if not series_book_allowed(request):
        raise PermissionDenied
    tz = clinic_timezone()
    form = SeriesBookForm(
        request.POST if request.method == "POST" else None,
        admin_site=site,
        initial={"first_day": timezone.localdate(timezone=tz)},
    )
    for name in ("plan", "patient", "provider"):  # the caller's locations' only
        location_choices_limit(form.fields[name], user=request.user)
    proposal: list[ProposedSession] = []
    if request.method == "POST" and form.is_valid():
        tz = clinic_timezone(form.cleaned_data["plan"].session_type.clinic)
        actor = Actor.from_request(request)
        if "book" in request.POST:
            try:
                series = form.book(
                    actor=actor,
                    chosen=request.POST.getlist("session"),
                    proposed_for=request.POST.get("proposed_for", ""),
                )
            except BookingConflict as conflict:
                form.add_error(None, f"Nothing was booked: {conflict.message} Here are new dates.")
            except ValidationError as refused:
                form.add_error(None, ValidationError(["Nothing was booked.", *refused.messages]))
            else:
                count = series.appointments.count()
                messages.success(request, f"Booked {count} sessions of {series.plan} for {series.patient}.")
                return HttpResponseRedirect(reverse("admin:scheduling_series_change", args=[series.pk]))
        try:
            proposal = form.propose()
        except ValidationError as refused:
            form.add_error(None, refused)
        else:
            audit_by(
                actor,
                action=AuditEvent.Action.VIEW,
                target=form.cleaned_data["patient"],
                detail=f"admin: series dates proposed ({form.cleaned_data['plan']})",
            )
    context = {
        **site.each_context(request),
        "title": "Book a series",
        "form": form,
        "proposal": _proposal_rows(proposal, tz),
        "proposed_for": form.choice_key() if proposal else "",
        "timezone": tz.key,
        "changelist_url": reverse("admin:scheduling_series_changelist"),
    }
    return TemplateResponse(request, TEMPLATE, context, status=400 if form.errors else 200)
