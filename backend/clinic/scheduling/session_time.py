"""How a session's date and time are written in a text to its patient: the one place that decides.

A session happens at its session type's location, in that location's time zone.

- In person: the location's time (where the patient will be), and when the patient's own zone differs,
  the location's zone is named with the patient's time beside it: "2:00 PM ET (11:00 AM your time)".
  When both zones go by the same everyday name but differ on that day (Denver in summer, MDT, and
  Phoenix, MST all year: both "MT"), the location's exact one is named: "2:00 PM MDT (1:00 PM your time)".
- Video or phone: the patient's own time, naming its zone when it differs from the location's:
  "11:00 AM PT".

Every text that names a session's date or time fills `{date}` and `{time}` from `session_time_values`,
in the patient's language: "Wednesday, September 30" and "2:00 PM", or "miércoles, 30 de septiembre"
and "2:00 p. m." (the formats are translated strings, context "sms date").
"""

from __future__ import annotations

import datetime
import zoneinfo

from django.utils import translation
from django.utils.dateformat import format as date_format
from django.utils.translation import pgettext

from clinic.core.clinics import clinic_timezone
from clinic.patients.selectors import patient_timezone

from .models import Appointment

# US zones by their everyday names, the same all year ("ET", not "EST" in winter and "EDT" in summer).
US_ZONE_NAMES = {
    "EST": "ET",
    "EDT": "ET",
    "CST": "CT",
    "CDT": "CT",
    "MST": "MT",
    "MDT": "MT",
    "PST": "PT",
    "PDT": "PT",
    "AKST": "AKT",
    "AKDT": "AKT",
}
US_ZONE_PREFIXES = ("America/", "US/")


def appointment_timezone(appointment: Appointment) -> zoneinfo.ZoneInfo:
    """The zone a session happens in: its location's (the session type's), which staff read its times in."""
    return clinic_timezone(appointment.session_type.clinic)


def zone_label(moment: datetime.datetime, tz: zoneinfo.ZoneInfo, *, exact: bool = False) -> str:
    """The zone's short name at that moment as a patient reads it: "ET", "PT", "CET", "UTC+03"; with `exact`,
    the name of that season ("MDT" rather than "MT")."""
    name = moment.astimezone(tz).tzname() or tz.key
    if not exact and tz.key.startswith(US_ZONE_PREFIXES) and name in US_ZONE_NAMES:
        return US_ZONE_NAMES[name]
    if name[:1] in "+-":  # zones without a common abbreviation report only their offset
        return f"UTC{name}"
    return name


def _distinct_label(moment: datetime.datetime, tz: zoneinfo.ZoneInfo, other: zoneinfo.ZoneInfo) -> str:
    """`tz`'s label, exact when the everyday one would read the same as `other`'s at a different clock."""
    label = zone_label(moment, tz)
    return zone_label(moment, tz, exact=True) if label == zone_label(moment, other) else label


# Django date format strings (https://docs.djangoproject.com/en/5.2/ref/templates/builtins/#date), translated.
def _clock(local: datetime.datetime) -> str:
    return date_format(local, pgettext("sms date", "g:i A"))


def _day(local: datetime.datetime) -> str:
    return date_format(local, pgettext("sms date", "l, F j"))


def _weekday(local: datetime.datetime) -> str:
    return date_format(local, pgettext("sms date", "l"))


def _same_clock(moment: datetime.datetime, one: zoneinfo.ZoneInfo, other: zoneinfo.ZoneInfo) -> bool:
    return moment.astimezone(one).utcoffset() == moment.astimezone(other).utcoffset()


def session_time_values(appointment: Appointment, language: str | None = None) -> dict[str, str]:
    """`date` and `time` of this session as its patient's texts write them (see the module docstring), in
    `language` (default: the patient's)."""
    with translation.override(language or appointment.patient.language):
        return _session_time_values(appointment)


def _session_time_values(appointment: Appointment) -> dict[str, str]:
    clinic = appointment.session_type.clinic
    clinic_tz = clinic_timezone(clinic)
    patient_tz = patient_timezone(appointment.patient, clinic)
    starts_at = appointment.starts_at
    same_clock = _same_clock(starts_at, clinic_tz, patient_tz)
    if appointment.session_type.is_remote:
        theirs = starts_at.astimezone(patient_tz)
        time = _clock(theirs) if same_clock else f"{_clock(theirs)} {_distinct_label(starts_at, patient_tz, clinic_tz)}"
        return {"date": _day(theirs), "time": time}
    there = starts_at.astimezone(clinic_tz)
    time = _clock(there)
    if not same_clock:
        theirs = starts_at.astimezone(patient_tz)
        own = _clock(theirs) if theirs.date() == there.date() else f"{_clock(theirs)} {_weekday(theirs)}"
        # Translators: "2:00 PM ET (11:00 AM your time)": the clinic's time, then the patient's own.
        time = pgettext("sms date", "{time} {zone} ({own} your time)").format(
            time=time, zone=_distinct_label(starts_at, clinic_tz, patient_tz), own=own
        )
    return {"date": _day(there), "time": time}
