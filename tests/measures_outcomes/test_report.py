"""The outcomes report for clinic admins: per series plan and per provider, shares with their denominators,
the date range and location filters, a CSV a spreadsheet will not run, and nobody else's to read."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
import time_machine
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client

from clinic.accounts.models import AuditEvent
from clinic.core.models import Clinic
from clinic.measures.reports import csv_cell
from clinic.patients.models import Patient
from clinic.scheduling.models import Appointment, Provider, SeriesPlan
from tests.factories import PatientFactory, ProviderFactory, SeriesPlanFactory, SessionTypeFactory
from tests.measures_outcomes.factories import Purpose, questionnaire_done, series_of
from tests.support.clock import local

pytestmark = pytest.mark.django_db
NOW = local(2026, 12, 20, 12)
FIRST, LAST = local(2026, 11, 2, 10), local(2026, 11, 16, 10)
URL = "/admin/measures/outcomes/"


def signed_in(user: AbstractBaseUser) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def cohort(robin: Patient, induction: SeriesPlan, doctor: Provider, north: Clinic, south: Clinic) -> None:
    """North's induction: Robin responds and remits (20 -> 8 -> 4 at 4 weeks), Kim has no end measure,
    Lou has no baseline (3 at the end); a second provider, Dr. Blake, held most of Lou's sessions.
    South: one series with the formula-like plan name, first session in October (outside a November range)."""
    kim = PatientFactory(first_name="Kim", clinic=north)
    lou = PatientFactory(first_name="Lou", clinic=north)
    blake = ProviderFactory(clinic=north, display_name="Dr. Blake")
    robin_series = series_of(robin, induction, doctor, [FIRST, local(2026, 11, 9, 10), LAST])
    questionnaire_done(robin, "phq9", 20, local(2026, 10, 30, 9), purpose=Purpose.BASELINE)
    questionnaire_done(robin, "phq9", 8, local(2026, 11, 17, 9))
    questionnaire_done(
        robin, "phq9", 4, local(2026, 12, 14, 9), purpose=Purpose.FOLLOW_UP, series=robin_series, weeks_after=4
    )
    two_hours = datetime.timedelta(hours=2)  # one provider sees one patient at a time
    series_of(kim, induction, doctor, [FIRST + two_hours, LAST + two_hours])
    questionnaire_done(kim, "phq9", 12, local(2026, 11, 1, 9), purpose=Purpose.BASELINE)
    questionnaire_done(kim, "phq9", 7, local(2026, 12, 12, 9))
    lou_series = series_of(lou, induction, blake, [FIRST + 2 * two_hours, local(2026, 11, 9, 10), LAST])
    lou_series.appointments.filter(starts_at=FIRST + 2 * two_hours).update(provider=doctor)
    questionnaire_done(lou, "phq9", 15, local(2026, 9, 1, 9))
    questionnaire_done(lou, "phq9", 3, local(2026, 11, 15, 9))
    # A cancelled last session is not a session: Lou's series still ends on the 16th.
    Appointment.objects.create(
        patient=lou,
        provider=blake,
        session_type=induction.session_type,
        starts_at=local(2026, 11, 30, 10),
        ends_at=local(2026, 11, 30, 11, 45),
        status=Appointment.Status.CANCELLED,
        series=lou_series,
    )
    odd_plan = SeriesPlanFactory(session_type=SessionTypeFactory(clinic=south), name='=HYPERLINK("http://x")')
    south_doctor = ProviderFactory(clinic=south, display_name="-Dr. Minus")
    quinn = PatientFactory(first_name="Quinn", clinic=south)
    series_of(quinn, odd_plan, south_doctor, [local(2026, 10, 5, 10), local(2026, 10, 19, 10)])
    questionnaire_done(quinn, "phq9", 16, local(2026, 10, 4, 9))
    questionnaire_done(quinn, "phq9", 6, local(2026, 10, 20, 9))


def csv_rows(user: AbstractBaseUser, **query: str) -> list[dict[str, str]]:
    with time_machine.travel(NOW, tick=False):  # signed in then: a session does not last weeks
        response = signed_in(user).get(URL, {**query, "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="outcomes.csv"' in response["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_rates_per_plan_and_provider_with_measured_and_missing(clinic_admin: AbstractBaseUser, cohort: None) -> None:
    rows = csv_rows(clinic_admin, **{"from": "2026-11-01", "to": "2026-11-30"})

    def row(grouping: str, group: str, point: str) -> tuple[str, ...]:
        (found,) = [r for r in rows if (r["grouping"], r["group"], r["time_point"]) == (grouping, group, point)]
        keys = (
            "courses_due",
            "not_yet_due",
            "response_patients",
            "response_measured",
            "response_missing",
            "response_percent",
            "remission_patients",
            "remission_measured",
            "remission_missing",
            "remission_percent",
        )
        return tuple(found[key] for key in keys)

    # End: Robin 8 from 20 (response, no remission); Kim missing; Lou 3 without baseline (remission only).
    assert row("Series plan", "IV induction (North)", "End of series") == (
        "3",
        "0",
        "1",
        "1",
        "2",
        "100.0",
        "1",
        "2",
        "1",
        "50.0",
    )
    # 4 weeks: Robin 4 (both), Kim 7 from 12 (neither), Lou's window still open on 20 December.
    assert row("Series plan", "IV induction (North)", "4 weeks") == (
        "2",
        "1",
        "1",
        "2",
        "0",
        "50.0",
        "1",
        "2",
        "0",
        "50.0",
    )
    assert row("Series plan", "IV induction (North)", "12 weeks") == ("0", "3", "0", "0", "0", "", "0", "0", "0", "")
    # Dr. Avery held Robin's and Kim's series; Dr. Blake most of Lou's.
    assert row("Provider", "Dr. Avery, MD", "End of series") == ("2", "0", "1", "1", "1", "100.0", "0", "1", "1", "0.0")
    assert row("Provider", "Dr. Blake, MD", "End of series") == ("1", "0", "0", "0", "1", "", "1", "1", "0", "100.0")
    assert {r["group"] for r in rows} == {"IV induction (North)", "Dr. Avery, MD", "Dr. Blake, MD"}  # October's is out


def test_the_csv_never_starts_a_cell_with_a_formula(
    clinic_admin: AbstractBaseUser, south: Clinic, cohort: None
) -> None:
    rows = csv_rows(clinic_admin, clinic=str(south.pk))

    assert {r["group"] for r in rows} == {'\'=HYPERLINK("http://x") (South)', "'-Dr. Minus, MD"}
    assert csv_cell("@SUM(A1)") == "'@SUM(A1)" and csv_cell("+1") == "'+1" and csv_cell("\t=1") == "'\t=1"
    assert csv_cell(-3) == "'-3" and csv_cell("Dr. Avery") == "Dr. Avery" and csv_cell(None) == ""


def test_the_page_shows_every_share_with_its_denominator_and_is_audited(
    clinic_admin: AbstractBaseUser, cohort: None
) -> None:
    with time_machine.travel(NOW, tick=False):  # signed in then: a session does not last weeks
        page = signed_in(clinic_admin).get(URL, {"from": "2026-11-01", "to": "2026-11-30"})

    html = page.content.decode()
    assert page.status_code == 200
    assert "1 / 1 (100.0%), 2 missing" in html and "1 / 2 (50.0%), 1 missing" in html
    assert "3 series (courses of treatment)" in html
    assert "format=csv" in html
    assert AuditEvent.objects.filter(
        actor=clinic_admin, action="list", detail="outcomes report 2026-11-01 to 2026-11-30: 3 series"
    ).exists()


def test_clinicians_and_front_desk_cannot_read_the_report_and_bad_filters_are_named(
    clinic_admin: AbstractBaseUser, clinician: AbstractBaseUser, front_desk: AbstractBaseUser, cohort: None
) -> None:
    assert signed_in(front_desk).get(URL).status_code == 403
    assert signed_in(clinician).get(URL).status_code == 403
    assert signed_in(front_desk).get(URL, {"format": "csv"}).status_code == 403
    admin = signed_in(clinic_admin)
    bad_date = admin.get(URL, {"from": "2026-13-01"})
    assert bad_date.status_code == 400 and "From: enter the date as YYYY-MM-DD." in bad_date.content.decode()
    reversed_range = admin.get(URL, {"from": "2026-12-01", "to": "2026-11-01"})
    assert reversed_range.status_code == 400 and "To: the end of the range" in reversed_range.content.decode()
    assert admin.get(URL, {"clinic": "99999"}).status_code == 400
    assert admin.get(URL, {"clinic": "x" * 500}).status_code == 400
