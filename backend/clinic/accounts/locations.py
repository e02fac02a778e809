"""Which locations a staff member works at, and which records that lets them see: the one rule.

Staff with no StaffLocation rows see every location; staff with rows see only those. Clinic admins and
superusers always see every location. `staff_location_ids` answers None for "no limit".

What "a record of my locations" means is declared per model by the app that owns the model, or by an
app above it that knows another way in (`location_scope_register`, from each app's `ready()`): a patient
by their home location (patients), by a session at one of the locations or with the reader as provider
(scheduling), by an inquiry converted there (intake), and, whatever the locations, by a page about their
alert (checkins: nobody paged about a crisis is kept from it). The scopes of one model add up: a record
any of them admits is visible. A model with no scope is not located (reference data, staff accounts):
the role alone decides who reads it. Models are named by label, so this low layer imports none of the
apps it describes.

Every staff surface reads through `location_limit`: the admin's base (admin_base.StaffModelAdmin: lists,
filters and their choices, search, autocomplete, change and delete pages, actions, form choices,
inlines), the API's views and their id fields (permissions.py), and the audit trail. A record outside
the reader's locations is answered exactly as a record that does not exist.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.apps import apps
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import CharField, Model, Q, QuerySet
from django.db.models.functions import Cast

from .models import StaffLocation
from .roles import CLINIC_ADMIN, user_roles

M = TypeVar("M", bound=Model)

# Kept on the user object for the request, as Django keeps its permission cache.
_CACHE_ATTR = "_staff_location_ids_cache"


@dataclass(frozen=True)
class Reader:
    """A staff member limited to some locations, as the scopes see them."""

    user: User
    location_ids: frozenset[int]

    def visible(self, queryset: QuerySet[M]) -> QuerySet[M]:
        """The rows of `queryset` this reader may see (for scopes that follow another model's)."""
        return _limit(queryset, self)


LocationScope = Callable[[Reader], Q]
# "app_label.model" (lower case) -> the ways a record of it belongs to a reader's locations.
LOCATION_SCOPES: dict[str, list[LocationScope]] = {}


def location_scope_register(*, model: str, scope: LocationScope) -> None:
    """Declare one way a record of `model` ("app_label.model") belongs to a reader's locations."""
    scopes = LOCATION_SCOPES.setdefault(model.lower(), [])
    if scope not in scopes:
        scopes.append(scope)


def model_is_located(model: type[Model]) -> bool:
    return bool(LOCATION_SCOPES.get(model._meta.label_lower))


def staff_location_ids(user: User | AnonymousUser | object) -> set[int] | None:
    """The locations a staff member is limited to; None when they see every location (clinic admins,
    superusers, and staff with no location of their own). Anyone not signed in has none."""
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        return set()
    if _CACHE_ATTR not in user.__dict__:
        ids: frozenset[int] | None = None
        if not user.is_superuser and CLINIC_ADMIN not in user_roles(user):
            ids = frozenset(StaffLocation.objects.filter(user=user).values_list("clinic_id", flat=True)) or None
        user.__dict__[_CACHE_ATTR] = ids
    cached: frozenset[int] | None = user.__dict__[_CACHE_ATTR]
    return None if cached is None else set(cached)


def location_is_limited(user: User | AnonymousUser | object) -> bool:
    return staff_location_ids(user) is not None


def location_limit(queryset: QuerySet[M], *, user: User | AnonymousUser | object) -> QuerySet[M]:
    """The rows of `queryset` the user's locations let them see (all of them when they are not limited)."""
    ids = staff_location_ids(user)
    if ids is None or not model_is_located(queryset.model):
        return queryset
    if not ids:  # nobody signed in (an active staff member limited to locations has at least one)
        return queryset.none()
    assert isinstance(user, User)  # staff_location_ids gives ids to signed-in users only
    return _limit(queryset, Reader(user=user, location_ids=frozenset(ids)))


def _limit(queryset: QuerySet[M], reader: Reader) -> QuerySet[M]:
    scopes = LOCATION_SCOPES.get(queryset.model._meta.label_lower)
    if not scopes:
        return queryset
    admitted = functools.reduce(operator.or_, (scope(reader) for scope in scopes))
    # A subquery of primary keys: a scope may follow a many-valued relation without repeating rows.
    return queryset.filter(pk__in=queryset.model._default_manager.filter(admitted).values("pk"))


def location_record_visible(record: Model, *, user: User | AnonymousUser | object) -> bool:
    return location_limit(type(record)._default_manager.filter(pk=record.pk), user=user).exists()


def location_limit_objects(records: Iterable[M], *, user: User | AnonymousUser | object) -> list[M]:
    """Of records already read (a page's parts), those the user may see, in their order."""
    records = list(records)
    if not location_is_limited(user):
        return records
    visible: set[tuple[type[Model], Any]] = set()
    for model in {type(record) for record in records}:
        pks = [record.pk for record in records if type(record) is model]
        found = location_limit(model._default_manager.filter(pk__in=pks), user=user).values_list("pk", flat=True)
        visible.update((model, pk) for pk in found)
    return [record for record in records if (type(record), record.pk) in visible]


def location_choices_limit(field: Any, *, user: User | AnonymousUser | object) -> Any:
    """A form field choosing records (ModelChoiceField) offers only those of the user's locations; a
    limited user must name one of their locations where a record may name none."""
    queryset = getattr(field, "queryset", None)
    if isinstance(queryset, QuerySet):
        field.queryset = location_limit(queryset, user=user)
        ids = staff_location_ids(user)
        if queryset.model._meta.label_lower == "core.clinic" and ids is not None:
            field.required = True
            if len(ids) == 1:
                field.initial = next(iter(ids))
    return field


# --- The records this app owns -------------------------------------------------------------------------


def _clinic_scope(reader: Reader) -> Q:
    return Q(pk__in=reader.location_ids)


def _staff_location_scope(reader: Reader) -> Q:
    return Q(clinic_id__in=reader.location_ids)


def _pk_texts(queryset: QuerySet[Any]) -> QuerySet[Any]:
    texts: QuerySet[Any] = queryset.annotate(_pk_text=Cast("pk", output_field=CharField())).values("_pk_text")
    return texts


def _audit_scope(reader: Reader) -> Q:
    """Events about records the reader may see or that belong to no location, and the reader's own lists
    of located records (a list names no record: another's would tell how much there is elsewhere)."""
    located = [apps.get_model(label) for label in LOCATION_SCOPES if label != "accounts.auditevent"]
    admitted = ~Q(target_type__in=[model._meta.label for model in located])
    admitted |= Q(actor_id=reader.user.pk, target_id="")
    for model in located:
        visible = reader.visible(model._default_manager.all())
        admitted |= Q(target_type=model._meta.label, target_id__in=_pk_texts(visible))
    return admitted


def location_scopes_register() -> None:
    """The records this app owns: locations, staff locations and the audit trail (from AppConfig.ready())."""
    location_scope_register(model="core.clinic", scope=_clinic_scope)
    location_scope_register(model="accounts.stafflocation", scope=_staff_location_scope)
    location_scope_register(model="accounts.auditevent", scope=_audit_scope)
