"""Back-office forms that book and move sessions through the services, so the admin keeps every rule."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.admin import AdminSite
from django.contrib.admin.widgets import AdminDateWidget, AdminTimeWidget, AutocompleteSelect
from django.core.exceptions import ValidationError
from django.db import transaction

from clinic.accounts.actor import Actor
from clinic.patients.models import Patient

from . import services
from .models import Appointment, Provider, Room, Series, SeriesPlan
from .selectors import provider_works_at
from .series import ProposedSession, SeriesSession, series_book, series_propose
from .services import Booking, BookingConflict

MOVING_FIELDS = ("starts_at", "provider", "room")


class _Rehearsal(Exception):
    """Raised to roll back a service call made only to learn whether it would succeed."""


def rehearse(operation: Callable[[], object]) -> None:
    """Run a booking service and undo all it wrote: a form then reports exactly what saving would.

    Cheaper checks (appointment_check alone) would miss what the services add on top: the free
    chair picked for an empty room, a series' spacing, the status a session may be moved in.
    """
    try:
        with transaction.atomic():
            operation()
            raise _Rehearsal
    except _Rehearsal:
        pass


class AppointmentAdminForm(forms.ModelForm[Appointment]):
    """Book (add) or move (change) a session; the admin saves it through the same services."""

    class Meta:
        model = Appointment
        fields = ["patient", "provider", "session_type", "room", "starts_at"]
        help_texts = {
            "room": "Leave empty for a chair session to take the first free treatment chair.",
            "starts_at": "In the time zone of the session type's location.",
        }

    # The rehearsal is rolled back, so who it is done as leaves no trace.
    rehearsal_actor = Actor(user=None)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:  # field errors first; the rules need every field
            return data
        try:
            if self.instance.pk is None:
                rehearse(lambda: services.appointment_book(actor=self.rehearsal_actor, booking=self.booking()))
            elif self.moves():
                rehearse(
                    lambda: services.appointment_reschedule(
                        actor=self.rehearsal_actor, appointment=self.instance, **self.move()
                    )
                )
        except BookingConflict as conflict:
            self.add_error(None, conflict.message)
        except ValidationError as error:
            self._add_service_errors(error)
        return data

    def booking(self) -> Booking:
        data = self.cleaned_data
        return Booking(
            patient=data["patient"],
            provider=data["provider"],
            session_type=data["session_type"],
            starts_at=data["starts_at"],
            room=data.get("room"),
        )

    def moves(self) -> bool:
        return any(name in self.changed_data for name in MOVING_FIELDS)

    def move(self) -> dict[str, Any]:
        """What appointment_reschedule needs: the new start, and the provider and room if changed."""
        data = self.cleaned_data
        starts_at: datetime.datetime = data.get("starts_at") or self.instance.starts_at
        provider: Provider | None = data.get("provider")
        room: Room | None = data.get("room")
        return {"starts_at": starts_at, "provider": provider, "room": room}

    def _add_service_errors(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, messages in error.message_dict.items():
            # A rule about something not on this form (e.g. the status) belongs at the top.
            self.add_error(field if field in self.fields else None, messages)


class CancelForm(forms.Form):
    reason = forms.CharField(
        max_length=200,
        widget=forms.TextInput(attrs={"size": 60}),
        help_text="Why the sessions are cancelled (staff-facing).",
    )


class SeriesBookForm(forms.Form):
    """Choose a plan, a patient, a provider and where to start; the page proposes the dates, then books them."""

    plan = forms.ModelChoiceField(
        queryset=SeriesPlan.objects.filter(is_active=True).select_related("session_type__clinic")
    )
    patient = forms.ModelChoiceField(queryset=Patient.objects.all())  # a search box: see __init__
    provider = forms.ModelChoiceField(queryset=Provider.objects.filter(is_active=True))
    first_day = forms.DateField(widget=AdminDateWidget, help_text="The first day the series may start.")
    preferred_time = forms.TimeField(
        required=False,
        widget=AdminTimeWidget,
        help_text="Aim each session at this time of day (the plan's location's time), e.g. 10:00. "
        "Empty: the earliest free time.",
    )

    def __init__(self, *args: Any, admin_site: AdminSite, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The admin's patient search, so a clinic with thousands of patients still gets a usable field.
        self.fields["patient"] = forms.ModelChoiceField(
            queryset=Patient.objects.all(),
            widget=AutocompleteSelect(Series._meta.get_field("patient"), admin_site),
            help_text="Type part of the name or phone number.",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        plan: SeriesPlan | None = data.get("plan")
        provider: Provider | None = data.get("provider")
        if (
            plan is not None
            and provider is not None
            and not provider_works_at(provider=provider, clinic_id=plan.session_type.clinic_id)
        ):
            self.add_error(
                "provider", f"{provider.display_name} has no working hours at {plan.session_type.clinic.name}."
            )
        return data

    def choice_key(self) -> str:
        """What the dates were proposed for: booking checks the fields have not changed since."""
        data = self.cleaned_data
        chosen = [data["plan"].pk, data["patient"].pk, data["provider"].pk, data["first_day"]]
        return ":".join(str(value) for value in [*chosen, data.get("preferred_time")])

    def propose(self) -> list[ProposedSession]:
        data = self.cleaned_data
        return series_propose(
            plan=data["plan"],
            patient=data["patient"],
            provider=data["provider"],
            first_day=data["first_day"],
            preferred_time=data.get("preferred_time"),
        )

    def book(self, *, actor: Actor, chosen: list[str], proposed_for: str) -> Series:
        """Book the proposed sessions the page carried back (see proposal_value), all or none."""
        if proposed_for != self.choice_key():
            raise ValidationError("The choices changed after the dates were proposed: check the new dates.")
        data = self.cleaned_data
        series, _ = series_book(
            actor=actor,
            plan=data["plan"],
            patient=data["patient"],
            provider=data["provider"],
            sessions=[_proposal_parse(value) for value in chosen],
        )
        return series


def proposal_value(session: ProposedSession) -> str:
    """One proposed session as the page carries it to the booking step: start (UTC, ISO 8601) and chair."""
    return f"{session.starts_at.astimezone(datetime.UTC).isoformat()}|{session.room_id or ''}"


def _proposal_parse(value: str) -> SeriesSession:
    raw_start, _, raw_room = value.partition("|")
    try:
        starts_at = datetime.datetime.fromisoformat(raw_start)
        room = Room.objects.get(pk=int(raw_room)) if raw_room else None
    except (ValueError, Room.DoesNotExist) as exc:
        raise ValidationError("The proposed dates could not be read: propose them again.") from exc
    if starts_at.tzinfo is None:
        raise ValidationError("The proposed dates could not be read: propose them again.")
    return SeriesSession(starts_at=starts_at, room=room)
