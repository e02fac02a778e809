"""What the scheduling endpoints share: times in the location's zone, strict ids and dates, 409 answers."""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import Model
from django.utils.dateparse import parse_datetime
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from clinic.accounts.permissions import LocatedPrimaryKeyField
from clinic.core.clinics import clinic_timezone
from clinic.patients.models import Patient

from ..availability import local_day_start
from ..models import Provider, Room, SessionType
from ..services import BookingConflict

_MT = TypeVar("_MT", bound=Model)

# Far from any real booking, and near enough that no date arithmetic on them can overflow.
EARLIEST_DATE = datetime.date(2000, 1, 1)
LATEST_DATE = datetime.date(2999, 12, 31)
# Primary keys are PostgreSQL integers: a bigger number names nothing, so no need to ask the database.
MAX_ID = 2**31 - 1


def context_timezone(context: dict[str, Any]) -> zoneinfo.ZoneInfo:
    """The zone a serializer renders times in: the view's choice, else the clinic's."""
    tz = context.get("tz")
    return tz if isinstance(tz, zoneinfo.ZoneInfo) else clinic_timezone()


__all__ = ["local_day_start"]  # kept importable from here for older callers


class LocalDateTimeField(serializers.DateTimeField):
    """An instant: read only with an explicit offset, written in the clinic's zone with its offset."""

    default_error_messages = {
        "invalid": "Use ISO 8601 with a UTC offset, e.g. 2026-12-07T09:00:00-05:00.",
        "naive": "Give the time with its UTC offset (e.g. -05:00, or Z): without one it is ambiguous.",
        "out_of_range": f"Choose a time between {EARLIEST_DATE.year} and {LATEST_DATE.year}.",
    }

    def to_internal_value(self, value: datetime.datetime | str) -> datetime.datetime:
        parsed: datetime.datetime | None = None
        if isinstance(value, datetime.datetime):
            parsed = value
        elif isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except (ValueError, TypeError):  # well formed but impossible, e.g. month 13 or offset +99:00
                parsed = None
        if parsed is None:
            self.fail("invalid")
        assert parsed is not None  # for mypy: fail() raises
        if parsed.tzinfo is None or parsed.utcoffset() is None:
            self.fail("naive")
        # Checked before converting, so the conversion itself cannot overflow at year 1 or 9999.
        if not EARLIEST_DATE <= parsed.date() <= LATEST_DATE:
            self.fail("out_of_range")
        return parsed.astimezone(datetime.UTC)

    def to_representation(self, value: datetime.datetime) -> str:
        return value.astimezone(context_timezone(self.context)).isoformat()


class LocationDateTimeField(LocalDateTimeField):
    """An instant of something that happens at one location (a session), written in that location's zone with
    its offset, whatever zone the rest of the answer uses: `zone_of` finds the zone from the object."""

    def __init__(self, *, zone_of: Callable[[Any], zoneinfo.ZoneInfo], **kwargs: Any) -> None:
        self.zone_of = zone_of
        super().__init__(**kwargs)

    def get_attribute(self, instance: Any) -> Any:
        value = super().get_attribute(instance)
        return value.astimezone(self.zone_of(instance)) if isinstance(value, datetime.datetime) else value

    def to_representation(self, value: datetime.datetime) -> str:
        return value.isoformat()


class LocalDateField(serializers.DateField):
    """A calendar day in the clinic's zone (YYYY-MM-DD), within a range no arithmetic overflows."""

    default_error_messages = {
        "out_of_range": f"Choose a date between {EARLIEST_DATE:%Y-%m-%d} and {LATEST_DATE:%Y-%m-%d}.",
    }

    def to_internal_value(self, value: datetime.date | str) -> datetime.date:
        day = super().to_internal_value(value)
        if not EARLIEST_DATE <= day <= LATEST_DATE:
            self.fail("out_of_range")
        return day


class IdField(LocatedPrimaryKeyField[_MT]):
    """A reference by id that answers junk (booleans, floats, lists, huge numbers) with a 400, never a 500.

    Only records of the caller's locations are found (the serializer needs the request in its context).
    """

    def to_internal_value(self, data: Any) -> _MT:
        if isinstance(data, str) and data.strip().isascii() and data.strip().isdigit():
            data = int(data.strip())
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not 1 <= data <= MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


class PatientBriefSerializer(serializers.ModelSerializer[Patient]):
    class Meta:
        model = Patient
        fields = ["id", "first_name", "last_name"]


class ProviderBriefSerializer(serializers.ModelSerializer[Provider]):
    class Meta:
        model = Provider
        fields = ["id", "display_name", "credentials"]


class RoomBriefSerializer(serializers.ModelSerializer[Room]):
    class Meta:
        model = Room
        fields = ["id", "name", "is_treatment_chair"]


class SessionTypeBriefSerializer(serializers.ModelSerializer[SessionType]):
    class Meta:
        model = SessionType
        fields = ["id", "name", "color"]


class ConflictDetailSerializer(serializers.Serializer[Any]):
    resource = serializers.CharField(help_text="What is already booked: a provider, a room or the patient.")
    starts_at = LocalDateTimeField()
    ends_at = LocalDateTimeField()


class ConflictSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()
    conflict = ConflictDetailSerializer()


class AnswersBookingConflicts(APIView):
    """Answer a taken time with 409: what is busy and when, in the time zone of the booking's location."""

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, BookingConflict):
            context = {"tz": zoneinfo.ZoneInfo(exc.tz)}
            body = ConflictSerializer({"detail": exc.message, "conflict": exc}, context=context).data
            return Response(body, status=status.HTTP_409_CONFLICT)
        return super().handle_exception(exc)
