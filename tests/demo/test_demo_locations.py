"""The demo's clinic group: two western locations in two time zones, a provider at both, a patient from one
seen at the other, and an on-call shift per location.

"Now" is Friday 9 July 2027, 10:00 in Denver (MDT, UTC-6), which is 09:00 in Phoenix (MST all year,
UTC-7) and 12:00 in Boston (EDT): in summer Denver and Phoenix read different clocks.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterator

import pytest
import time_machine
from django.test import override_settings

from clinic.core.models import Clinic
from clinic.demo.services import demo_data_load
from clinic.messaging.models import OutboundMessage
from clinic.oncall.selectors import on_call_ladder, shift_at
from clinic.patients.models import Patient
from clinic.scheduling.availability import availability_for
from clinic.scheduling.models import Appointment, Provider, SessionType

pytestmark = pytest.mark.django_db

DENVER = zoneinfo.ZoneInfo("America/Denver")
PHOENIX = zoneinfo.ZoneInfo("America/Phoenix")
NOW = datetime.datetime(2027, 7, 9, 10, 0, tzinfo=DENVER)


@pytest.fixture(autouse=True)
def demo() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False), override_settings(DEBUG=True):
        demo_data_load()
        yield


def location(timezone_name: str) -> Clinic:
    return Clinic.objects.get(timezone=timezone_name)


def test_two_western_locations_each_with_rooms_session_types_and_a_sender() -> None:
    denver, phoenix = location("America/Denver"), location("America/Phoenix")
    assert (denver.name, denver.sms_from_number, denver.postcode) == ("Harbor Mind Denver", "+13035550110", "80202")
    assert (phoenix.name, phoenix.sms_from_number, phoenix.postcode) == ("Harbor Mind Phoenix", "+16025550110", "85004")
    for place in (denver, phoenix):
        assert sorted(place.rooms.values_list("name", flat=True)) == [
            "Consult room",
            "Infusion chair 1",
            "Infusion chair 2",
        ]
        assert place.session_types.filter(slug="iv-infusion").exists()
    assert denver.series_plans.get(session_type__slug="iv-infusion").name == (
        "IV induction: 6 infusions within 3 weeks (Denver)"
    )


def test_one_provider_works_at_both_on_different_days() -> None:
    ortega = Provider.objects.get(user__username="dr.ortega")
    denver, phoenix = location("America/Denver"), location("America/Phoenix")
    assert ortega.clinic == denver  # her home location
    days = {(block.clinic_id, block.weekday) for block in ortega.working_hours.all()}
    assert days == {(denver.pk, 0), (denver.pk, 1), (denver.pk, 2), (phoenix.pk, 3), (phoenix.pk, 4)}

    def bookable_days(place: Clinic) -> set[str]:
        consultation = SessionType.objects.get(clinic=place, slug="consultation")
        slots = availability_for(
            session_type=consultation,
            provider=ortega,
            date_from=datetime.date(2027, 7, 12),
            date_to=datetime.date(2027, 7, 18),
        )
        return {f"{slot.starts_at.astimezone(zoneinfo.ZoneInfo(place.timezone)):%a}" for slot in slots}

    assert bookable_days(denver) == {"Mon", "Tue", "Wed"}
    assert bookable_days(phoenix) == {"Thu", "Fri"}


def test_a_spanish_speaking_patient_from_phoenix_is_booked_at_denver_and_told_both_times() -> None:
    herrera = Patient.objects.get(phone="+16025550144")
    assert (herrera.language, herrera.timezone, herrera.clinic) == (
        "es",
        "America/Phoenix",
        location("America/Phoenix"),
    )
    visit = Appointment.objects.get(patient=herrera)
    assert visit.session_type.clinic == location("America/Denver")
    assert visit.provider.user.username == "dr.ortega"
    # The first free time from tomorrow at Denver: Monday 08:00 there (Ortega is at Denver Mon-Wed).
    assert visit.starts_at == datetime.datetime(2027, 7, 12, 8, 0, tzinfo=DENVER)

    reminders = list(
        OutboundMessage.objects.filter(patient=herrera, kind=OutboundMessage.Kind.REMINDER).order_by("send_after")
    )
    assert [(r.send_after.astimezone(PHOENIX), r.language) for r in reminders] == [
        # 48 hours before is 07:00 in Phoenix: it waits for her texting hours, 08:00 her time.
        (datetime.datetime(2027, 7, 10, 8, 0, tzinfo=PHOENIX), "es"),
        # 3 hours before is 04:00 in Phoenix: it goes the evening before, 20:30 her time (21:30 in Denver).
        (datetime.datetime(2027, 7, 11, 20, 30, tzinfo=PHOENIX), "es"),
    ]
    assert "lunes, 12 de julio, 8:00 AM MDT (7:00 AM en su zona)" in reminders[0].body
    assert reminders[0].body.startswith("Harbor Denver: Hola Lucía,")


def test_each_location_pages_its_own_on_call_shift_and_the_first_the_organization_wide_one() -> None:
    now = NOW.astimezone(datetime.UTC)
    boston, denver, phoenix = (location(name) for name in ("America/New_York", "America/Denver", "America/Phoenix"))
    own = {place.name: shift_at(at=now, clinic=place) for place in (boston, denver, phoenix)}
    assert {name: (shift.clinic_id, str(shift.clinician.user)) for name, shift in own.items() if shift} == {
        "Harbor Mind Clinic": (None, "clinician"),  # no shift of its own: the organization-wide day shift
        "Harbor Mind Denver": (denver.pk, "dr.ortega"),
        "Harbor Mind Phoenix": (phoenix.pk, "clinician"),
    }
    ladder = on_call_ladder(at=now, clinic=denver)
    assert [rung.phone for rung in ladder[:3]] == ["+13035550191", "+16175550193", "+16175550191"]
