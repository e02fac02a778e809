"""The base of every admin page: lookups, search, sorting, popups, autocomplete and actions by role.

Django's admin accepts a filter on any of a model's own fields in the query string
(`?body__startswith=a`), sorts by any column's index (`?o=3`), and runs an action the role may only
view. Each can answer a question about data the role may not read, one row or none at a time. Here
only what an admin declares is accepted (`list_filter`, `date_hierarchy`, `search_fields`,
`autocomplete_fields`), and nothing that reaches a clinical field (accounts/clinical.py) unless the
reader is a clinician or a clinic admin. Every action needs a permission beyond "view", is refused
on clinical records to other roles, and leaves an audit event per record.

Staff limited to some locations (accounts/locations.py) meet only their locations' records, here once
for every page: the rows of lists, change and delete pages, history, actions and autocomplete (all read
`get_queryset`), the choices of list filters and of form fields, and the rows of inlines.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin import (
    AllValuesFieldListFilter,
    FieldListFilter,
    ListFilter,
    RelatedFieldListFilter,
    RelatedOnlyFieldListFilter,
)
from django.contrib.admin.options import InlineModelAdmin
from django.contrib.admin.utils import get_fields_from_path, reverse_field_path
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseBase

from .actor import Actor
from .clinical import can_read_clinical, clinical_rows, path_is_clinical
from .locations import location_choices_limit, location_is_limited, location_limit, model_is_located
from .models import AuditEvent
from .services import audit_by

# How many selected records an action names in the trail one by one; beyond that, one event says how many.
AUDIT_EACH_UP_TO = 500


def _search_path(search_field: str) -> str:
    return search_field.lstrip("^=@")


def _filter_choices_limit(
    spec: ListFilter, request: HttpRequest, model: type[Any], model_admin: Any, field_path: str
) -> None:
    """A list filter offers only the choices of the reader's locations (a choice names a record too): the
    related records of their locations, or, for records that belong to no location (staff, reasons), those
    the listed rows name."""
    user = request.user
    if not location_is_limited(user) or isinstance(spec, RelatedOnlyFieldListFilter):
        return  # RelatedOnlyFieldListFilter reads its choices from the admin's own rows, already limited
    if isinstance(spec, RelatedFieldListFilter):
        related = spec.field.related_model
        if isinstance(related, type) and model_is_located(related):
            visible = set(location_limit(related._default_manager.all(), user=user).values_list("pk", flat=True))
        elif model_is_located(model):
            visible = set(model_admin.get_queryset(request).values_list(f"{field_path}__pk", flat=True))
        else:
            return
        spec.lookup_choices = [(pk, label) for pk, label in spec.lookup_choices if pk in visible]
    elif isinstance(spec, AllValuesFieldListFilter):
        parent_model, _ = reverse_field_path(model, field_path)
        if parent_model is not model and model_is_located(parent_model):
            rows = location_limit(parent_model._default_manager.all(), user=user)
            name = spec.field.name
            spec.lookup_choices = rows.distinct().order_by(name).values_list(name, flat=True)


def _located_filter(create: Callable[..., ListFilter]) -> Callable[..., ListFilter]:
    """A field list filter (Django's own choice of class, or the one an admin names) with located choices."""

    def make(
        field: Any, request: HttpRequest, params: Any, model: type[Any], model_admin: Any, field_path: str
    ) -> ListFilter:
        spec = create(field, request, params, model, model_admin, field_path=field_path)
        _filter_choices_limit(spec, request, model, model_admin, field_path)
        return spec

    return make


class LocatedInlineMixin:
    """An inline's rows and form choices, as the parent page's: only the reader's locations'."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return location_limit(super().get_queryset(request), user=request.user)  # type: ignore[misc]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]
        return location_choices_limit(field, user=request.user)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]
        return location_choices_limit(field, user=request.user)


_LOCATED_INLINES: dict[type[Any], type[Any]] = {}


def _located_inline(inline: type[InlineModelAdmin[Any, Any]]) -> type[InlineModelAdmin[Any, Any]]:
    if issubclass(inline, LocatedInlineMixin):
        return inline
    if inline not in _LOCATED_INLINES:
        _LOCATED_INLINES[inline] = type(
            inline.__name__, (LocatedInlineMixin, inline), {"__module__": inline.__module__}
        )
    return _LOCATED_INLINES[inline]


class RoleChangeList(ChangeList):
    """Sorts only by the columns the admin lets this role sort by (`?o=` included)."""

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        self.reader = request  # before super(), which sorts the rows
        super().__init__(request, *args, **kwargs)

    def get_ordering_field(self, field_name: Any) -> Any:
        if isinstance(field_name, str) and field_name not in (self.sortable_by or ()):
            return None
        ordering = super().get_ordering_field(field_name)
        model_admin = self.model_admin
        if (
            isinstance(ordering, str)
            and isinstance(model_admin, StaffModelAdmin)
            and model_admin.reaches_clinical(self.reader, ordering)
        ):
            return None
        return ordering


class StaffModelAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Every admin page of the back office derives from this (a test checks every registered one)."""

    # --- Locations: the reader's locations' records only (accounts/locations.py) ----------------------

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return location_limit(super().get_queryset(request), user=request.user)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        return location_choices_limit(field, user=request.user)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        return location_choices_limit(field, user=request.user)

    def get_inlines(self, request: HttpRequest, obj: Any) -> Any:
        return [_located_inline(inline) for inline in super().get_inlines(request, obj)]

    # --- What reaches clinical data, for this reader ---------------------------------------------------

    def reaches_clinical(self, request: HttpRequest | None, path: str) -> bool:
        if request is not None and can_read_clinical(request.user):
            return False
        return path_is_clinical(self.model, path)

    # --- Lookups: only the declared filters -------------------------------------------------------------

    def declared_lookups(self, request: HttpRequest) -> set[str]:
        """Every query-string parameter the declared filters and date hierarchy read, for this reader."""
        cache: dict[type[Any], set[str]] = request.__dict__.setdefault("_declared_admin_lookups", {})
        if type(self) in cache:
            return cache[type(self)]
        allowed: set[str] = set()
        for item in self.get_list_filter(request):
            spec: ListFilter
            if isinstance(item, type) and issubclass(item, ListFilter):
                spec = item(request, {}, self.model, self)
            else:
                field_path, filter_class = item if isinstance(item, list | tuple) else (item, FieldListFilter.create)
                field = get_fields_from_path(self.model, field_path)[-1]
                spec = filter_class(field, request, {}, self.model, self, field_path=field_path)
            allowed.update(param for param in spec.expected_parameters() if param)
        if self.date_hierarchy and not self.reaches_clinical(request, self.date_hierarchy):
            allowed.update(f"{self.date_hierarchy}__{part}" for part in ("year", "month", "day"))
        cache[type(self)] = allowed
        return allowed

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        if request is None:
            return False
        return lookup in self.declared_lookups(request)

    def get_list_filter(self, request: HttpRequest) -> Any:
        kept: list[Any] = []
        for item in super().get_list_filter(request):
            if isinstance(item, type) and issubclass(item, ListFilter):
                kept.append(item)  # a custom filter declares its own query; it is the admin's to keep clean
                continue
            path, create = item if isinstance(item, list | tuple) else (item, FieldListFilter.create)
            if isinstance(path, str) and callable(create) and not self.reaches_clinical(request, path):
                kept.append((path, _located_filter(create)))
        return kept

    # --- Search, columns, sorting -------------------------------------------------------------------------

    def get_search_fields(self, request: HttpRequest) -> list[str]:
        return [f for f in super().get_search_fields(request) if not self.reaches_clinical(request, _search_path(f))]

    def get_list_display(self, request: HttpRequest) -> Any:
        return [
            column
            for column in super().get_list_display(request)
            if not (isinstance(column, str) and self._is_field_path(column) and self.reaches_clinical(request, column))
        ]

    def get_sortable_by(self, request: HttpRequest) -> Any:
        columns = super().get_sortable_by(request)
        return [column for column in columns if not self._column_sorts_clinical(request, column)]

    def _is_field_path(self, name: str) -> bool:
        try:
            get_fields_from_path(self.model, name)
        except (FieldDoesNotExist, admin.utils.NotRelationField):
            return False
        return True

    def _column_sorts_clinical(self, request: HttpRequest, column: Any) -> bool:
        if not isinstance(column, str):
            return False
        if self._is_field_path(column):
            return self.reaches_clinical(request, column)
        ordering = getattr(getattr(self, column, None) or getattr(self.model, column, None), "admin_order_field", None)
        return isinstance(ordering, str) and self.reaches_clinical(request, ordering)

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return RoleChangeList

    def get_ordering(self, request: HttpRequest) -> Any:
        return [
            item
            for item in super().get_ordering(request)
            if not (isinstance(item, str) and self.reaches_clinical(request, item))
        ]

    # --- Popups and autocomplete ----------------------------------------------------------------------

    def to_field_allowed(self, request: HttpRequest, to_field: str) -> bool:
        return super().to_field_allowed(request, to_field) and not self.reaches_clinical(request, to_field)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        match = getattr(request, "resolver_match", None)
        if match is not None and match.url_name == "autocomplete" and not self._autocomplete_declared(request):
            raise PermissionDenied
        return super().get_search_results(request, queryset, search_term)

    def _autocomplete_declared(self, request: HttpRequest) -> bool:
        """Autocomplete answers only for a field some admin declares in `autocomplete_fields`."""
        try:
            source = apps.get_model(request.GET["app_label"], request.GET["model_name"])
        except (KeyError, LookupError, ValueError):
            return False
        source_admin = self.admin_site._registry.get(source)
        if source_admin is None:
            return False
        field_name = request.GET.get("field_name", "")
        if field_name not in source_admin.get_autocomplete_fields(request):
            return False
        return bool(source_admin.has_view_or_change_permission(request) or source_admin.has_add_permission(request))

    # --- Actions --------------------------------------------------------------------------------------

    def get_actions(self, request: HttpRequest) -> Any:
        guarded = {}
        for name, found in super().get_actions(request).items():
            if found is None:
                continue
            func, action_name, description = found
            needed = set(getattr(func, "allowed_permissions", ())) - {"view"}
            if not needed:
                continue  # an action needs more than the right to look: declare the permission it needs
            guarded[name] = (self._guard_action(func, action_name), action_name, description)
        return guarded

    def _guard_action(self, func: Callable[..., Any], name: str) -> Callable[..., Any]:
        def run(modeladmin: StaffModelAdmin, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
            if not can_read_clinical(request.user) and clinical_rows(queryset).exists():
                modeladmin.message_user(
                    request,
                    "Check-ins, crisis texts and pages are for clinicians: nothing was changed.",
                    messages.ERROR,
                )
                return None
            selected = list(queryset.values_list("pk", flat=True)[: AUDIT_EACH_UP_TO + 1])
            response = func(modeladmin, request, queryset)
            asked = isinstance(response, HttpResponseBase)
            detail = f"admin action {name}" + (" (asked to confirm)" if asked else "")
            actor = Actor.from_request(request)
            label = modeladmin.model._meta.label
            if len(selected) > AUDIT_EACH_UP_TO:
                audit_by(actor, action=AuditEvent.Action.UPDATE, target_type=label, detail=f"{detail} on many")
            else:
                for pk in selected:
                    audit_by(
                        actor, action=AuditEvent.Action.UPDATE, target_type=label, target_id=str(pk), detail=detail
                    )
            return response

        run.allowed_permissions = getattr(func, "allowed_permissions", ())  # type: ignore[attr-defined]
        run.short_description = getattr(func, "short_description", name)  # type: ignore[attr-defined]
        run.__name__ = name
        return run


def inline_add(model_admin: type[admin.ModelAdmin[Any]], inline: type[InlineModelAdmin[Any, Any]]) -> None:
    """Add a section to a lower app's admin page from a higher app's admin module (the lower app never
    imports the higher one): e.g. scheduling adds a patient's coming sessions to the patient's page."""
    if inline not in model_admin.inlines:
        model_admin.inlines = [*model_admin.inlines, inline]
