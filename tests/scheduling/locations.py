"""Three locations in three time zones and a provider who works at two of them, for the location tests.

Boston (the first location, America/New_York), Denver (America/Denver) and Phoenix (America/Phoenix,
no daylight saving time). Dr. Lucia Ortega's home is Denver; she works at Denver Monday to Wednesday
08:00-17:00 and at Phoenix Thursday and Friday 08:00-16:00, each in that location's time. In 2027
Denver and Boston move their clocks forward on Sunday 14 March; Phoenix never does.
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass

from clinic.core.models import Clinic
from clinic.scheduling.models import Provider, Room, SessionType, WorkingHours
from tests.factories import ClinicFactory, ProviderFactory, RoomFactory, SessionTypeFactory

BOSTON = zoneinfo.ZoneInfo("America/New_York")
DENVER = zoneinfo.ZoneInfo("America/Denver")
PHOENIX = zoneinfo.ZoneInfo("America/Phoenix")
EIGHT, FOUR_PM, FIVE_PM = datetime.time(8), datetime.time(16), datetime.time(17)


def at(tz: zoneinfo.ZoneInfo, *args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=tz)


@dataclass(frozen=True)
class Group:
    boston: Clinic
    denver: Clinic
    phoenix: Clinic
    ortega: Provider
    consult: dict[str, SessionType]  # 60 minutes, no chair, by location key
    denver_infusion: SessionType
    denver_chair: Room


def hours_add(
    provider: Provider, clinic: Clinic, weekdays: tuple[int, ...], starts: datetime.time, ends: datetime.time
) -> None:
    WorkingHours.objects.bulk_create(
        WorkingHours(provider=provider, clinic=clinic, weekday=day, starts=starts, ends=ends) for day in weekdays
    )


def group_create() -> Group:
    boston = ClinicFactory()
    denver = ClinicFactory(name="Denver", short_name="Denver Clinic", timezone="America/Denver", phone="+13035550100")
    phoenix = ClinicFactory(
        name="Phoenix", short_name="Phoenix Clinic", timezone="America/Phoenix", phone="+16025550100"
    )
    ortega = ProviderFactory(clinic=denver, display_name="Dr. Lucia Ortega", hours=[])
    hours_add(ortega, denver, (0, 1, 2), EIGHT, FIVE_PM)
    hours_add(ortega, phoenix, (3, 4), EIGHT, FOUR_PM)
    consult = {
        key: SessionTypeFactory(
            clinic=place,
            name="Consultation",
            slug=f"consult-{key}",
            duration_minutes=60,
            monitoring_minutes=0,
            needs_chair=False,
            needs_driver=False,
            fasting_hours=0,
        )
        for key, place in (("boston", boston), ("denver", denver), ("phoenix", phoenix))
    }
    chair = RoomFactory(clinic=denver, name="Denver chair")
    return Group(
        boston=boston,
        denver=denver,
        phoenix=phoenix,
        ortega=ortega,
        consult=consult,
        denver_infusion=SessionTypeFactory(clinic=denver, slug="iv-denver"),
        denver_chair=chair,
    )
