"""Back-office forms that book and move sessions through the services, so the admin keeps every rule."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction

from clinic.accounts.actor import Actor

from . import services
from .models import Appointment, Provider, Room
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
            "starts_at": "In the clinic's time zone.",
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
