"""What only clinicians and clinic admins may read: the one table every staff surface reads.

The admin's masks, filters, search, sorting, popups, autocomplete and actions (admin_base.py), and the
API's inbox and conversation, all ask this module. Models are named by label, so this low layer
imports none of the apps it describes.

A model is clinical as a whole (`whole=True`: alerts, check-ins and their answers, screenings), or
by some of its rows (`kind_field` holds one of `clinical_kinds`: a crisis text, a check-in answer,
an on-call page), or by some of its fields (`fields`: a crisis text's body and our reply). A
relation to a model with clinical rows or fields is clinical too, so `?alerts__isnull=False` on the
patient list, or a filter reaching a check-in through a text, is refused to everyone else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.constants import LOOKUP_SEP

# The permission that makes a reader clinical: clinicians and clinic admins hold it, front desk not.
CLINICAL_PERMISSION = "checkins.view_checkinanswer"
HIDDEN = "(visible to clinicians)"


@dataclass(frozen=True)
class ClinicalRule:
    whole: bool = False
    fields: frozenset[str] = field(default_factory=frozenset)
    kind_field: str = ""
    clinical_kinds: frozenset[Any] = field(default_factory=frozenset)


CLINICAL: dict[str, ClinicalRule] = {
    "checkins.alert": ClinicalRule(whole=True),
    "checkins.checkin": ClinicalRule(whole=True),
    "checkins.checkinanswer": ClinicalRule(whole=True),
    "intake.screening": ClinicalRule(whole=True),
    "measures.questionnaireassignment": ClinicalRule(whole=True),
    # A check-in answer and a crisis text are the clinician's, and so is what we answered.
    "messaging.inboundmessage": ClinicalRule(
        fields=frozenset({"body", "reply"}), kind_field="route", clinical_kinds=frozenset({"checkin", "crisis"})
    ),
    # Check-in questions and pages to the on-call clinician.
    "messaging.outboundmessage": ClinicalRule(
        fields=frozenset({"body"}), kind_field="kind", clinical_kinds=frozenset({"checkin", "staff_alert"})
    ),
    # Tasks raised by check-in answers (an unreadable score, say).
    "todos.stafftask": ClinicalRule(kind_field="is_clinical", clinical_kinds=frozenset({True})),
}


def can_read_clinical(user: User | AnonymousUser | object) -> bool:
    return isinstance(user, User) and user.is_active and user.has_perm(CLINICAL_PERMISSION)


def rule_for(model: type[models.Model]) -> ClinicalRule | None:
    return CLINICAL.get(model._meta.label_lower)


def model_is_clinical(model: type[models.Model]) -> bool:
    rule = rule_for(model)
    return rule is not None and rule.whole


def clinical_kinds(model: type[models.Model]) -> tuple[str, frozenset[Any]] | None:
    """The field that says a row is clinical, and its clinical values (None: no row is)."""
    rule = rule_for(model)
    if rule is None or not rule.kind_field:
        return None
    return rule.kind_field, rule.clinical_kinds


def row_is_clinical(obj: models.Model) -> bool:
    rule = rule_for(type(obj))
    if rule is None:
        return False
    return rule.whole or bool(rule.kind_field and getattr(obj, rule.kind_field) in rule.clinical_kinds)


def clinical_rows(queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
    """The rows of `queryset` only clinicians may act on (an empty queryset when none can be)."""
    rule = rule_for(queryset.model)
    if rule is None:
        return queryset.none()
    if rule.whole:
        return queryset
    if rule.kind_field:
        return queryset.filter(**{f"{rule.kind_field}__in": list(rule.clinical_kinds)})
    return queryset.none()


def _relation_is_clinical(related: type[models.Model]) -> bool:
    rule = rule_for(related)
    return rule is not None and (rule.whole or bool(rule.kind_field) or bool(rule.fields))


def path_is_clinical(model: type[models.Model], path: str) -> bool:
    """Whether a lookup path (`patient__alerts__isnull`, `body__startswith`) reaches clinical data.

    Every step is checked: a clinical field, a clinical model, or a relation to a model that holds
    clinical rows or fields. Parts after the last field are lookups or transforms.
    """
    if model_is_clinical(model):
        return True
    current = model
    for part in path.lstrip("-").split(LOOKUP_SEP):
        if part == "pk":
            part = current._meta.pk.name if current._meta.pk else part
        try:
            found = current._meta.get_field(part)
        except FieldDoesNotExist:
            return False  # a lookup or transform: what it applies to was already checked
        rule = rule_for(current)
        if rule is not None and (rule.whole or found.name in rule.fields):
            return True
        related = found.related_model if found.is_relation else None
        if related is None:
            continue
        if isinstance(related, str) or _relation_is_clinical(related):
            return True
        current = related
    return False
