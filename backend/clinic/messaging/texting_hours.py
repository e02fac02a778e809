"""When we may text a patient: inside the clinic's texting hours, in the patient's own time zone."""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass

from clinic.core.clinics import person_timezone
from clinic.core.models import Clinic

DEFAULT_START = datetime.time(8, 0)
DEFAULT_END = datetime.time(21, 0)


def texting_allowed_at(
    moment: datetime.datetime,
    *,
    tz: zoneinfo.ZoneInfo,
    starts: datetime.time = DEFAULT_START,
    ends: datetime.time = DEFAULT_END,
) -> bool:
    local = moment.astimezone(tz).time()
    return starts <= local < ends


def texting_next_allowed(
    moment: datetime.datetime,
    *,
    tz: zoneinfo.ZoneInfo,
    starts: datetime.time = DEFAULT_START,
    ends: datetime.time = DEFAULT_END,
) -> datetime.datetime:
    """The first moment at or after `moment` inside texting hours (correct across DST changes)."""
    if texting_allowed_at(moment, tz=tz, starts=starts, ends=ends):
        return moment
    local = moment.astimezone(tz)
    day = local.date() if local.time() < starts else local.date() + datetime.timedelta(days=1)
    # Build the wall-clock time in the zone, so a DST change between now and then is honoured.
    return datetime.datetime.combine(day, starts, tzinfo=tz).astimezone(datetime.UTC)


@dataclass(frozen=True)
class TextingWindow:
    """The hours a person may be texted: the clinic's texting hours, in the person's time zone."""

    tz: zoneinfo.ZoneInfo
    starts: datetime.time = DEFAULT_START
    ends: datetime.time = DEFAULT_END

    def allows(self, moment: datetime.datetime) -> bool:
        return texting_allowed_at(moment, tz=self.tz, starts=self.starts, ends=self.ends)

    def next_allowed(self, moment: datetime.datetime) -> datetime.datetime:
        return texting_next_allowed(moment, tz=self.tz, starts=self.starts, ends=self.ends)


def texting_window(*, timezone_name: str, clinic: Clinic | None) -> TextingWindow:
    """A person's texting window: their own time zone (else the clinic's), the clinic's hours."""
    tz = person_timezone(timezone_name, clinic)
    if clinic is None:
        return TextingWindow(tz=tz)
    return TextingWindow(tz=tz, starts=clinic.texting_starts, ends=clinic.texting_ends)
