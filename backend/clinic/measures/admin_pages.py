"""Back-office pages for what clinicians and directors see: a patient's scores chart, the outcomes report
(HTML and CSV), the scores before each session on the day schedule, and a scores panel on the
patient's page.

The pages are not models: `install` serves them under the admin site's URLs (as scheduling's day
schedule does), lists the report under the Questionnaires section for clinic admins, registers the
day schedule's notes, and gives the patient page a template that adds the panel to the one other
apps made (admin/measures/patient_change_form.html extends it). Called once from MeasuresConfig.ready().

Who sees what: scores, charts and the report are clinical (accounts.clinical.can_read_clinical); the
report is the clinic admin's (reports.can_read_outcomes). Front desk sees none of it, except on the
day schedule a neutral "questionnaire not answered" so they can remind the patient, never which one or
a score. Every clinical read leaves an audit event; another location's patient answers 404.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, URLResolver, path, reverse

from clinic.accounts.actor import Actor
from clinic.accounts.clinical import can_read_clinical
from clinic.accounts.locations import location_limit
from clinic.accounts.models import AuditEvent
from clinic.accounts.services import audit_by
from clinic.core.locations import locations_open
from clinic.core.models import Clinic
from clinic.patients.models import Patient
from clinic.patients.selectors import patient_timezone
from clinic.scheduling.models import Appointment
from clinic.scheduling.schedule_notes import ScheduleNote, schedule_note_register

from .charts import chart_svg, chart_table
from .models import QuestionnaireAssignment
from .outcomes import BASELINE_LOOKBACK, END_AFTER, END_BEFORE, FOLLOW_UP_WINDOW, REMISSION_BELOW
from .reports import BY_PLAN, BY_PROVIDER, GROUPINGS, ReportFilter, can_read_outcomes, outcome_csv, outcome_report
from .scores import appointment_score_summaries, patient_chart_series, patient_score_summaries

SCORES_URL_NAME = "measures_patient_scores"
OUTCOMES_URL_NAME = "measures_outcomes"
ASSIGNMENT_TYPE = QuestionnaireAssignment._meta.label
PATIENT_FORM_TEMPLATE = "admin/measures/patient_change_form.html"


def patient_scores_url(patient_id: int) -> str:
    return reverse(f"admin:{SCORES_URL_NAME}", args=[patient_id])


# --- A patient's scores -------------------------------------------------------------------------


def patient_scores_context(request: HttpRequest, patient: Patient, *, where: str) -> dict[str, Any]:
    """The chart, its table and the summary lines for a patient the caller may read; audited."""
    tz = patient_timezone(patient)
    series = patient_chart_series(patient_id=patient.pk)
    audit_by(
        Actor.from_request(request),
        action=AuditEvent.Action.VIEW,
        target=patient,
        detail=f"questionnaire scores {where}",
    )
    return {
        "patient": patient,
        "tz": tz,
        "chart": chart_svg(series, tz=tz, title=f"Scores over time: {patient.first_name} {patient.last_name}"),
        "chart_rows": chart_table(series),
        "has_scores": any(one.points for one in series),
        "summaries": patient_score_summaries(patient_id=patient.pk),
        "scores_url": patient_scores_url(patient.pk),
    }


def patient_scores_view(request: HttpRequest, patient_id: int) -> HttpResponse:
    if not can_read_clinical(request.user):
        raise PermissionDenied
    patient = get_object_or_404(location_limit(Patient.objects.all(), user=request.user), pk=patient_id)
    completed = QuestionnaireAssignment.objects.filter(
        patient=patient, status=QuestionnaireAssignment.Status.COMPLETED
    ).order_by("-completed_at", "-id")[:50]
    context = {
        **admin.site.each_context(request),
        **patient_scores_context(request, patient, where="chart page"),
        "title": f"Questionnaire scores: {patient.first_name} {patient.last_name}",
        "completed": completed,
    }
    return TemplateResponse(request, "admin/measures/patient_scores.html", context)


# --- The outcomes report ------------------------------------------------------------------------


def _parse_date(raw: str, name: str) -> datetime.date | None:
    if not raw:
        return None
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError as exc:
        raise ValueError(f"{name}: enter the date as YYYY-MM-DD.") from exc


def _parse_filter(request: HttpRequest) -> ReportFilter:
    start = _parse_date(request.GET.get("from", "").strip()[:20], "From")
    end = _parse_date(request.GET.get("to", "").strip()[:20], "To")
    if start and end and end < start:
        raise ValueError("To: the end of the range comes before its start.")
    raw = request.GET.get("clinic", "").strip()
    location = None
    if raw:
        if raw.isdigit() and len(raw) < 10:
            location = location_limit(Clinic.objects.all(), user=request.user).filter(pk=int(raw)).first()
        if location is None:
            raise ValueError("Location: choose one of the locations.")
    return ReportFilter(start=start, end=end, location=location)


def outcomes_view(request: HttpRequest) -> HttpResponse:
    if not can_read_outcomes(request.user):
        raise PermissionDenied
    context: dict[str, Any] = {
        **admin.site.each_context(request),
        "title": "Outcomes: response and remission (PHQ-9)",
        "locations": list(location_limit(locations_open(), user=request.user)),
        "raw": {key: request.GET.get(key, "")[:20] for key in ("from", "to", "clinic")},
        "rules": {
            "baseline_days": BASELINE_LOOKBACK.days,
            "end_before_days": END_BEFORE.days,
            "end_after_days": END_AFTER.days,
            "week_4_days": FOLLOW_UP_WINDOW[4].days,
            "week_12_days": FOLLOW_UP_WINDOW[12].days,
            "remission_below": REMISSION_BELOW,
        },
    }
    try:
        report_filter = _parse_filter(request)
    except ValueError as exc:
        context["error"] = str(exc)
        return TemplateResponse(request, "admin/measures/outcomes.html", context, status=400)
    reports = [
        outcome_report(user=request.user, report_filter=report_filter, grouping=grouping)
        for grouping in (BY_PLAN, BY_PROVIDER)
    ]
    where = f" at location {report_filter.location.pk}" if report_filter.location else ""
    span = f"{report_filter.start or '...'} to {report_filter.end or '...'}"
    as_csv = request.GET.get("format") == "csv"
    audit_by(
        Actor.from_request(request),
        action=AuditEvent.Action.LIST,
        target_type=ASSIGNMENT_TYPE,
        detail=f"outcomes report{' CSV' if as_csv else ''} {span}{where}: {reports[0].course_count} series",
    )
    if as_csv:
        response = HttpResponse(outcome_csv(reports), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="outcomes.csv"'
        response["Cache-Control"] = "no-store"
        return response
    context.update(reports=[(GROUPINGS[r.grouping], r) for r in reports], course_count=reports[0].course_count)
    query = request.GET.copy()
    query["format"] = "csv"
    context["csv_query"] = query.urlencode()
    return TemplateResponse(request, "admin/measures/outcomes.html", context)


# --- Before each session on the day schedule --------------------------------------------------


def schedule_score_notes(request: HttpRequest, appointments: Sequence[Appointment]) -> Mapping[int, list[ScheduleNote]]:
    """Clinicians: each questionnaire's latest score and change from baseline, or "no baseline".
    Front desk: only that a planned questionnaire went unanswered."""
    summaries = appointment_score_summaries(appointments)
    if not can_read_clinical(request.user):
        return {
            appointment_id: [ScheduleNote("Questionnaire not answered yet", warning=True)]
            for appointment_id, lines in summaries.items()
            if any(line.no_baseline for line in lines)
        }
    notes = {
        appointment.pk: [
            ScheduleNote(line.text(), warning=line.no_baseline, url=patient_scores_url(appointment.patient_id))
            for line in summaries.get(appointment.pk, [])
        ]
        for appointment in appointments
    }
    shown = {appointment.patient_id for appointment in appointments if notes.get(appointment.pk)}
    if shown:
        audit_by(
            Actor.from_request(request),
            action=AuditEvent.Action.LIST,
            target_type=ASSIGNMENT_TYPE,
            detail=f"questionnaire scores on the day schedule: {len(shown)} patients",
        )
    return {key: value for key, value in notes.items() if value}


# --- Wiring ---------------------------------------------------------------------------------------


def _report_entry() -> dict[str, Any]:
    return {
        "model": None,
        "name": "Outcomes report",
        "object_name": "OutcomesReport",
        "perms": {"add": False, "change": False, "delete": False, "view": True},
        "admin_url": reverse(f"admin:{OUTCOMES_URL_NAME}"),
        "add_url": None,
        "view_only": True,
    }


def install(site: admin.AdminSite) -> None:
    """Serve the pages, list the report for clinic admins, add the day schedule's notes and the patient panel."""
    if getattr(site, "_measures_pages_installed", False):
        return
    original_get_urls: Callable[[], list[URLPattern | URLResolver]] = site.get_urls
    original_get_app_list: Callable[..., list[Any]] = site.get_app_list

    def get_urls() -> list[URLPattern | URLResolver]:
        pages = [
            path(
                "measures/patient/<int:patient_id>/scores/", site.admin_view(patient_scores_view), name=SCORES_URL_NAME
            ),
            path("measures/outcomes/", site.admin_view(outcomes_view), name=OUTCOMES_URL_NAME),
        ]
        return [*pages, *original_get_urls()]

    def get_app_list(request: HttpRequest, app_label: str | None = None) -> list[Any]:
        app_list = original_get_app_list(request, app_label)
        if can_read_outcomes(request.user):
            for app in app_list:
                if app["app_label"] == "measures":
                    app["models"].append(_report_entry())
        return app_list

    site.get_urls = get_urls  # type: ignore[method-assign]
    site.get_app_list = get_app_list  # type: ignore[method-assign]
    site._measures_pages_installed = True  # type: ignore[attr-defined]
    schedule_note_register(name="measures", reader=schedule_score_notes)
    patient_admin = site._registry.get(Patient)
    if patient_admin is not None:
        # Extends whichever patient form template other apps provide (checkins adds its links there).
        type(patient_admin).change_form_template = PATIENT_FORM_TEMPLATE
