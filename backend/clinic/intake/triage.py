"""What lifts an inquiry to the top of the triage list, with a badge: flags that apps above intake register.

Each flag is a condition on Inquiry (a Q or an Exists over the higher app's rows) and a short badge for
staff. The triage list (selectors.inquiry_list, the admin list) orders flagged inquiries first, in the
order the flags were registered, then newest first. No column is stored: it is computed per query.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, CharField, IntegerField, QuerySet, Value, When

from .models import Inquiry


@dataclass(frozen=True)
class TriageFlag:
    name: str
    # Returns the condition afresh for each query (an Exists with OuterRef("pk"), or a Q).
    condition: Callable[[], Any]
    badge: str


TRIAGE_FLAGS: list[TriageFlag] = []
TRIAGE_ORDER = ("triage_rank", "-created_at", "-id")


def triage_flag_register(flag: TriageFlag) -> None:
    """Add a flag (from an AppConfig.ready()); registering the same name twice keeps the first."""
    if all(known.name != flag.name for known in TRIAGE_FLAGS):
        TRIAGE_FLAGS.append(flag)


def triage_annotate(queryset: QuerySet[Inquiry]) -> QuerySet[Inquiry]:
    """Add `triage_rank` (0 for the first flag, ...; the number of flags when none holds) and `triage_badge`."""
    if not TRIAGE_FLAGS:
        return queryset.annotate(triage_rank=Value(0), triage_badge=Value(""))
    conditions = [flag.condition() for flag in TRIAGE_FLAGS]
    return queryset.annotate(
        triage_rank=Case(
            *(When(condition, then=Value(rank)) for rank, condition in enumerate(conditions)),
            default=Value(len(TRIAGE_FLAGS)),
            output_field=IntegerField(),
        ),
        triage_badge=Case(
            *(
                When(condition, then=Value(flag.badge))
                for flag, condition in zip(TRIAGE_FLAGS, conditions, strict=True)
            ),
            default=Value(""),
            output_field=CharField(),
        ),
    )
