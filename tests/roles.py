"""The staff roles as their migrations define them, for tests that run after a transactional test.

A transactional test empties every table when it ends, groups included, and the migrations that
created the roles do not run again. Tests rebuild the groups from the same definitions: every
migration that grants a role permissions declares them in ROLES ({group name: ["app_label.codename",
...]}) and, if it takes some away, in REVOKED, and its own grant reads the same lists. The
migrations are found by those names and applied in migration order, so a new one needs no entry
here (tests/accounts/test_roles_rebuilt.py checks the rebuilt roles match what the migrations grant).

A model that moved to another app took its permissions along (a migration declares MOVED_MODELS,
{"old_app.model": "new_app.model"}): a grant an earlier migration wrote by the old name is found
under the new one.
"""

from __future__ import annotations

import functools
import sys
from types import ModuleType

from django.contrib.auth.models import Group, Permission
from django.db.migrations.loader import MigrationLoader

RoleGrants = dict[str, list[str]]


def migrations_in_order(loader: MigrationLoader) -> list[tuple[str, str]]:
    """Every migration node, each once, in an order `migrate` could run them."""
    ordered: dict[tuple[str, str], None] = {}
    for leaf in sorted(loader.graph.leaf_nodes()):
        ordered.update(dict.fromkeys(loader.graph.forwards_plan(leaf)))
    return list(ordered)


@functools.cache
def _clinic_migrations() -> tuple[ModuleType, ...]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    modules = [sys.modules[type(loader.graph.nodes[node]).__module__] for node in migrations_in_order(loader)]
    return tuple(module for module in modules if module.__name__.startswith("clinic."))


def role_migrations() -> tuple[ModuleType, ...]:
    """The clinic's migration modules that declare role grants, in the order the migrations run."""
    return tuple(module for module in _clinic_migrations() if _grants(module, "ROLES") or _grants(module, "REVOKED"))


@functools.cache
def models_moved() -> dict[str, str]:
    """Each model that moved between apps: {"old_app.model": "app.model" it has now}, chains followed."""
    moved: dict[str, str] = {}
    for module in _clinic_migrations():
        declared = getattr(module, "MOVED_MODELS", None)
        for old, new in (declared if isinstance(declared, dict) else {}).items():
            moved.update({earlier: new for earlier, later in moved.items() if later == old})
            moved[old] = new
    return moved


def _grants(module: ModuleType, name: str) -> RoleGrants:
    declared = getattr(module, name, None)
    return declared if isinstance(declared, dict) else {}


def permission_name_now(name: str) -> str:
    """ "app_label.codename" as it reads today: a moved model's permissions carry its new app label."""
    app_label, codename = name.split(".")
    for old, new in models_moved().items():
        (old_app, old_model), (new_app, new_model) = old.split("."), new.split(".")
        if old_app == app_label and codename.endswith("_" + old_model):
            return f"{new_app}.{codename.replace(old_model, new_model)}"
    return name


def _permission(name: str) -> Permission:
    """The permission a migration granted as "app_label.codename", under its model's app today."""
    app_label, codename = name.split(".")
    found = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
    if found is not None:
        return found
    for old, new in models_moved().items():
        (old_app, old_model), (new_app, new_model) = old.split("."), new.split(".")
        if old_app != app_label:
            continue
        moved = Permission.objects.filter(
            content_type__app_label=new_app,
            content_type__model=new_model,
            codename=codename.replace(old_model, new_model),
        ).first()
        if moved is not None:
            return moved
    raise Permission.DoesNotExist(f"No permission {name}")


def _permissions(names: list[str]) -> list[Permission]:
    return [_permission(name) for name in names]


def roles_rebuild() -> None:
    """Grant and take away, migration by migration, what the role migrations do."""
    for module in role_migrations():
        for role, names in _grants(module, "ROLES").items():
            group, _ = Group.objects.get_or_create(name=role)
            group.permissions.add(*_permissions(names))
        for role, names in _grants(module, "REVOKED").items():
            for group in Group.objects.filter(name=role):
                group.permissions.remove(*_permissions(names))


def roles_ensure() -> None:
    """Create the role groups with their permissions if a flush removed them."""
    if Group.objects.filter(name="Clinic admin", permissions__isnull=False).exists():
        return
    roles_rebuild()
