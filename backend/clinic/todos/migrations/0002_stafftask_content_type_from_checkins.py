"""Staff tasks moved from the check-ins app: their content type follows, so role grants keep working.

Permissions belong to a content type ("checkins", "stafftask"): renaming its app label to "todos"
keeps every permission row, and so every group's and person's grant of them (front desk, clinicians
and clinic admins view tasks and mark them done; checkins 0004 granted it). Should the new content
type exist already (made by hand, or by a test), the grants move onto its permissions and the old
content type goes. tests/roles.py reads MOVED_MODELS to find today's name of a permission an earlier
migration granted by its old one.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import migrations

MOVED_MODELS = {"checkins.stafftask": "todos.stafftask"}


def content_types_move(apps: Any, schema_editor: Any, moves: dict[str, str] = MOVED_MODELS) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    LogEntry = apps.get_model("admin", "LogEntry")
    for old_label, new_label in moves.items():
        old_app, old_model = old_label.split(".")
        new_app, new_model = new_label.split(".")
        old = ContentType.objects.filter(app_label=old_app, model=old_model).first()
        if old is None:
            continue  # moved already
        new = ContentType.objects.filter(app_label=new_app, model=new_model).first()
        if new is None:
            old.app_label, old.model = new_app, new_model
            old.save(update_fields=["app_label", "model"])
            continue
        for permission in Permission.objects.filter(content_type=old):
            codename = permission.codename.replace(old_model, new_model)
            target, _ = Permission.objects.get_or_create(
                content_type=new, codename=codename, defaults={"name": permission.name}
            )
            for group in Group.objects.filter(permissions=permission):
                group.permissions.add(target)
            for user in User.objects.filter(user_permissions=permission):
                user.user_permissions.add(target)
        LogEntry.objects.filter(content_type=old).update(content_type=new)
        old.delete()  # and its permissions, whose grants now live on the new ones


def content_types_move_back(apps: Any, schema_editor: Any) -> None:
    content_types_move(apps, schema_editor, moves={new: old for old, new in MOVED_MODELS.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("todos", "0001_initial"),
        ("checkins", "0004_checkin_role_permissions"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(content_types_move, content_types_move_back)]
