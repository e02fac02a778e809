"""What a monitoring record may hold (impossible values are refused, by field) and what it is warned about
(the clinician decides: a warning never blocks saving, and is kept on the record)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from .models import RemsLocationSettings

# Readings no living patient in a chair gives: a typo, refused (the field is named).
SYSTOLIC_RANGE = (50, 300)
DIASTOLIC_RANGE = (20, 200)
DOSE_RANGE = (1, 200)
USUAL_DOSES = (56, 84)
# Every time on the record lies within this of the session's start (a wrong day is a typo).
SESSION_WINDOW = datetime.timedelta(hours=24)
# "About 40 minutes after": readings outside this window are flagged, not refused.
FORTY_MINUTES_WINDOW = (datetime.timedelta(minutes=30), datetime.timedelta(minutes=60))

BP_READINGS = (
    ("bp_pre", "before dosing"),
    ("bp_40", "at about 40 minutes"),
    ("bp_discharge", "before discharge"),
)
TIME_FIELDS = ("first_dose_at", "last_dose_at", "bp_pre_at", "bp_40_at", "bp_discharge_at", "discharged_at")


def record_problems(values: Mapping[str, Any], *, session_starts_at: datetime.datetime) -> dict[str, str]:
    """Impossible values, by field: each makes the save a 400 naming the field."""
    errors: dict[str, str] = {}
    for prefix, when in BP_READINGS:
        systolic, diastolic = values.get(f"{prefix}_systolic"), values.get(f"{prefix}_diastolic")
        low, high = SYSTOLIC_RANGE
        if systolic is not None and not low <= systolic <= high:
            errors[f"{prefix}_systolic"] = f"A systolic pressure {when} is between {low} and {high} mmHg."
        low, high = DIASTOLIC_RANGE
        if diastolic is not None and not low <= diastolic <= high:
            errors[f"{prefix}_diastolic"] = f"A diastolic pressure {when} is between {low} and {high} mmHg."
        if (systolic is None) != (diastolic is None):
            missing = f"{prefix}_diastolic" if diastolic is None else f"{prefix}_systolic"
            errors.setdefault(missing, f"Give both numbers of the reading {when}.")
        elif systolic is not None and diastolic is not None and systolic <= diastolic:
            errors.setdefault(f"{prefix}_diastolic", f"The diastolic pressure {when} must be below the systolic.")
        if systolic is not None and values.get(f"{prefix}_at") is None:
            errors.setdefault(f"{prefix}_at", f"Give the time of the reading {when}.")
    dose = values.get("dose_mg")
    if dose is not None and not DOSE_RANGE[0] <= dose <= DOSE_RANGE[1]:
        errors["dose_mg"] = f"The dose is between {DOSE_RANGE[0]} and {DOSE_RANGE[1]} mg."
    minutes = values.get("ready_to_leave_minutes")
    if minutes is not None and minutes > 24 * 60:
        errors["ready_to_leave_minutes"] = "Give the minutes from the first dose, at most a day."
    for name in TIME_FIELDS:
        moment = values.get(name)
        if moment is not None and abs(moment - session_starts_at) > SESSION_WINDOW:
            errors[name] = "This time is not on the day of the session."
    errors.update({name: text for name, text in _order_problems(values).items() if name not in errors})
    return errors


def _order_problems(values: Mapping[str, Any]) -> dict[str, str]:
    first, last = values.get("first_dose_at"), values.get("last_dose_at")
    discharged = values.get("discharged_at")
    errors: dict[str, str] = {}
    if first is not None and last is not None and last < first:
        errors["last_dose_at"] = "The last device cannot come before the first."
    if first is None and (last is not None or values.get("bp_40_at") is not None):
        errors["first_dose_at"] = "Give the time of the first dose."
    if discharged is not None and first is not None and discharged <= first:
        errors["discharged_at"] = "Discharge cannot come before dosing."
    if discharged is not None and last is not None and discharged <= last:
        errors.setdefault("discharged_at", "Discharge cannot come before the last device.")
    pre_at, forty_at, discharge_bp_at = values.get("bp_pre_at"), values.get("bp_40_at"), values.get("bp_discharge_at")
    if pre_at is not None and first is not None and pre_at > first:
        errors["bp_pre_at"] = "The reading before dosing must be taken before the first dose."
    if forty_at is not None and first is not None and forty_at <= first:
        errors["bp_40_at"] = "The reading at 40 minutes must be taken after the first dose."
    if discharge_bp_at is not None and discharged is not None and discharge_bp_at > discharged:
        errors["bp_discharge_at"] = "The reading before discharge must be taken before the discharge time."
    if discharged is not None and values.get("discharge_decided_by") is None:
        errors["discharge_decided_by"] = "Name who decided the patient could leave."
    return errors


def _warning(code: str, field: str, message: str) -> dict[str, str]:
    return {"code": code, "field": field, "message": message}


def record_warnings(
    values: Mapping[str, Any], *, limits: RemsLocationSettings, now: datetime.datetime
) -> list[dict[str, str]]:
    """What the clinician should see before they go on: kept on the record as it was when saved."""
    found: list[dict[str, str]] = []
    first, discharged = values.get("first_dose_at"), values.get("discharged_at")
    systolic, diastolic = values.get("bp_pre_systolic"), values.get("bp_pre_diastolic")
    if (
        systolic is not None
        and diastolic is not None
        and (systolic > limits.systolic_max or diastolic > limits.diastolic_max)
    ):
        found.append(
            _warning(
                "bp_pre_high",
                "bp_pre_systolic",
                f"Blood pressure before dosing {systolic}/{diastolic} mmHg is above this location's threshold "
                f"({limits.systolic_max}/{limits.diastolic_max}): weigh the risk before dosing.",
            )
        )
    if first is not None and systolic is None:
        found.append(_warning("bp_pre_missing", "bp_pre_systolic", "No blood pressure recorded before dosing."))
    dose = values.get("dose_mg")
    if dose is not None and dose not in USUAL_DOSES:
        found.append(_warning("dose_unusual", "dose_mg", f"A dose of {dose} mg: the usual doses are 56 and 84 mg."))
    forty_at = values.get("bp_40_at")
    forty_due = first is not None and (discharged is not None or now >= first + FORTY_MINUTES_WINDOW[1])
    if forty_due and values.get("bp_40_systolic") is None:
        found.append(_warning("bp_40_missing", "bp_40_systolic", "No blood pressure recorded at about 40 minutes."))
    elif (
        first is not None
        and forty_at is not None
        and not (FORTY_MINUTES_WINDOW[0] <= forty_at - first <= FORTY_MINUTES_WINDOW[1])
    ):
        minutes = int((forty_at - first).total_seconds() // 60)
        found.append(
            _warning("bp_40_timing", "bp_40_at", f"The reading at 40 minutes was taken {minutes} minutes after dosing.")
        )
    if discharged is not None and first is not None:
        monitored = discharged - first
        if monitored < datetime.timedelta(minutes=limits.monitoring_minutes):
            minutes = int(monitored.total_seconds() // 60)
            found.append(
                _warning(
                    "discharge_early",
                    "discharged_at",
                    f"Discharged {minutes} minutes after the first dose: the REMS asks for at least "
                    f"{limits.monitoring_minutes} minutes of monitoring.",
                )
            )
    if discharged is not None and values.get("bp_discharge_systolic") is None:
        found.append(_warning("bp_discharge_missing", "bp_discharge_systolic", "No blood pressure before discharge."))
    return found


# What the Patient Monitoring Form cannot go without: marking it submitted needs these.
FORM_REQUIRED = (
    "dose_mg",
    "lot_number",
    "first_dose_at",
    "bp_pre_systolic",
    "sedation",
    "dissociation",
    "respiratory_depression",
    "discharged_at",
)


def form_missing(values: Mapping[str, Any]) -> list[str]:
    return [name for name in FORM_REQUIRED if values.get(name) in (None, "")]
