from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet

from clinic.core.models import Clinic

from .models import Inquiry
from .triage import TRIAGE_ORDER, triage_annotate


def inquiry_list(
    *,
    status: str | None = None,
    reason: str | None = None,
    assigned_to: int | None = None,
    unassigned: bool = False,
    preferred_language: str | None = None,
    clinic: Clinic | None = None,
    without_clinic: bool = False,
    created_from: datetime.date | None = None,
    created_to: datetime.date | None = None,
    search: str | None = None,
) -> QuerySet[Inquiry]:
    """Inquiries for the triage list, filtered as staff asked: flagged first (triage.py), then newest first."""
    qs = Inquiry.objects.select_related("assigned_to", "clinic").prefetch_related("reasons")
    if status:
        qs = qs.filter(status=status)
    if reason:
        qs = qs.filter(reasons__code=reason)
    if preferred_language:
        qs = qs.filter(preferred_language=preferred_language)
    if without_clinic:
        qs = qs.filter(clinic__isnull=True)
    elif clinic is not None:
        qs = qs.filter(clinic=clinic)
    if unassigned:
        qs = qs.filter(assigned_to__isnull=True)
    elif assigned_to is not None:
        qs = qs.filter(assigned_to_id=assigned_to)
    if created_from:
        qs = qs.filter(created_at__date__gte=created_from)
    if created_to:
        qs = qs.filter(created_at__date__lte=created_to)
    if search:
        term = search.strip()
        digits = "".join(ch for ch in term if ch.isdigit())
        match = (
            Q(first_name__icontains=term)
            | Q(last_name__icontains=term)
            | Q(email__icontains=term)
            | Q(reference__iexact=term)
            | Q(submissions__reference__iexact=term)
        )
        if len(digits) >= 4:
            match |= Q(phone__contains=digits)
        qs = qs.filter(match)
    return triage_annotate(qs.distinct()).order_by(*TRIAGE_ORDER)


def inquiry_get(*, reference: str) -> Inquiry | None:
    """The inquiry with this reference, or the one a submission with this reference was merged into."""
    return (
        triage_annotate(Inquiry.objects.select_related("assigned_to", "patient", "clinic"))
        .prefetch_related("reasons", "notes__author", "submissions")
        # A merged submission's own reference finds the inquiry it was merged into.
        .filter(Q(reference=reference.upper()) | Q(submissions__reference=reference.upper()))
        .distinct()
        .first()
    )
