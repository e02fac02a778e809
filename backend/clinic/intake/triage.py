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


def triage_rank() -> Any:
    """The rank as an expression (0 for the first flag, ...; the number of flags when none holds), to order by."""
    if not TRIAGE_FLAGS:
        return Value(0, output_field=IntegerField())
    return Case(
        *(When(flag.condition(), then=Value(rank)) for rank, flag in enumerate(TRIAGE_FLAGS)),
        default=Value(len(TRIAGE_FLAGS)),
        output_field=IntegerField(),
    )


def triage_annotate(queryset: QuerySet[Inquiry]) -> QuerySet[Inquiry]:
    """Add `triage_rank` (see triage_rank) and `triage_badge` (the first flag's badge that holds, else "")."""
    badge: Any = Value("", output_field=CharField())
    if TRIAGE_FLAGS:
        badge = Case(
            *(When(flag.condition(), then=Value(flag.badge)) for flag in TRIAGE_FLAGS),
            default=Value(""),
            output_field=CharField(),
        )
    return queryset.annotate(triage_rank=triage_rank(), triage_badge=badge)
