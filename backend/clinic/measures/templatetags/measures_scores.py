"""The questionnaire scores panel on a patient's admin page (admin/measures/patient_change_form.html)."""

from __future__ import annotations

from typing import Any

from django import template

from clinic.accounts.clinical import can_read_clinical
from clinic.patients.models import Patient

from ..admin_pages import patient_scores_context

register = template.Library()


@register.inclusion_tag("admin/measures/_patient_scores_panel.html", takes_context=True)
def patient_scores_panel(context: template.Context, patient: Patient) -> dict[str, Any]:
    """The panel for clinicians and clinic admins (audited as a read); nothing for anyone else."""
    request = context.get("request")
    if request is None or patient is None or patient.pk is None or not can_read_clinical(request.user):
        return {"show": False}
    return {"show": True, **patient_scores_context(request, patient, where="on the patient page")}
