"""How a session's time is written for its patient: the clinic's time in person, the patient's own remotely."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest

from clinic.core.models import Clinic
from clinic.messaging.segments import sms_segments
from clinic.messaging.wording import SAMPLE_VALUES, text_default
from clinic.patients.models import Patient
from clinic.scheduling.models import Appointment, SessionType
from clinic.scheduling.session_time import session_time_values
from tests.support.clock import NY

IN_PERSON, VIDEO, PHONE = SessionType.Mode.IN_PERSON, SessionType.Mode.VIDEO, SessionType.Mode.PHONE


def session(
    starts_at: datetime.datetime, *, patient_zone: str, mode: str = IN_PERSON, clinic_zone: str = ""
) -> Appointment:
    """An unsaved session: the wording needs no database."""
    clinic = Clinic(timezone=clinic_zone or "America/New_York", short_name="Harbor Clinic")
    return Appointment(
        patient=Patient(timezone=patient_zone, first_name="Robin"),
        session_type=SessionType(clinic=clinic, mode=mode),
        starts_at=starts_at,
    )


WINTER = datetime.datetime(2026, 12, 10, 14, 0, tzinfo=NY)  # Thursday, EST
SUMMER = datetime.datetime(2026, 7, 9, 9, 30, tzinfo=NY)  # Thursday, EDT


@pytest.mark.parametrize(
    ("starts_at", "patient_zone", "mode", "date", "time"),
    [
        # In person, patient in the clinic's zone (or none recorded): nothing to name.
        (WINTER, "America/New_York", IN_PERSON, "Thursday, December 10", "2:00 PM"),
        (WINTER, "", IN_PERSON, "Thursday, December 10", "2:00 PM"),
        # Another zone name on the same clock is the same time: not named.
        (WINTER, "America/Detroit", IN_PERSON, "Thursday, December 10", "2:00 PM"),
        # In person, patient elsewhere: the clinic's time and zone, with theirs beside it.
        (WINTER, "America/Los_Angeles", IN_PERSON, "Thursday, December 10", "2:00 PM ET (11:00 AM your time)"),
        (SUMMER, "America/Chicago", IN_PERSON, "Thursday, July 9", "9:30 AM ET (8:30 AM your time)"),
        (WINTER, "Europe/Berlin", IN_PERSON, "Thursday, December 10", "2:00 PM ET (8:00 PM your time)"),
        # Their own day differs: it is named too.
        (WINTER, "Asia/Tokyo", IN_PERSON, "Thursday, December 10", "2:00 PM ET (4:00 AM Friday your time)"),
        # Video or phone: the patient's own time, its zone named when it is not the clinic's.
        (WINTER, "America/Los_Angeles", VIDEO, "Thursday, December 10", "11:00 AM PT"),
        (SUMMER, "America/Los_Angeles", PHONE, "Thursday, July 9", "6:30 AM PT"),
        (WINTER, "America/New_York", VIDEO, "Thursday, December 10", "2:00 PM"),
        (WINTER, "Europe/Berlin", VIDEO, "Thursday, December 10", "8:00 PM CET"),
        (WINTER, "America/Sao_Paulo", VIDEO, "Thursday, December 10", "4:00 PM UTC-03"),
        (WINTER, "Asia/Tokyo", PHONE, "Friday, December 11", "4:00 AM JST"),
    ],
)
def test_a_session_time_as_its_patient_reads_it(
    starts_at: datetime.datetime, patient_zone: str, mode: str, date: str, time: str
) -> None:
    assert session_time_values(session(starts_at, patient_zone=patient_zone, mode=mode)) == {"date": date, "time": time}


def test_a_clinic_outside_the_us_names_its_own_zone() -> None:
    berlin = session(
        datetime.datetime(2026, 12, 10, 14, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin")),
        patient_zone="Europe/London",
        clinic_zone="Europe/Berlin",
    )
    assert session_time_values(berlin)["time"] == "2:00 PM CET (1:00 PM your time)"


def test_the_reminder_with_a_named_zone_still_fits_three_parts_with_the_longest_instructions() -> None:
    values = {**SAMPLE_VALUES["en"], **session_time_values(session(WINTER, patient_zone="America/Anchorage"))}
    assert values["time"] == "2:00 PM ET (10:00 AM your time)"
    assert sms_segments(text_default("appointment_reminder").format(**values)) <= 3
    assert len(SAMPLE_VALUES["en"]["time"]) >= len(values["time"])  # the save-time check measures a time this long
