"""Create the three staff roles as groups and grant each the permissions its work needs."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.management import create_permissions
from django.db import migrations

FRONT_DESK = [
    "intake.view_reason",
    "intake.view_inquiry",
    "intake.change_inquiry",
    "intake.convert_inquiry",
    "intake.view_inquirynote",
    "intake.add_inquirynote",
    "intake.view_inquirysubmission",
    "patients.view_patient",
    "patients.add_patient",
    "patients.change_patient",
    "scheduling.view_clinic",
    "scheduling.view_provider",
    "scheduling.view_room",
    "scheduling.view_sessiontype",
    "messaging.view_outboundmessage",
    "messaging.add_outboundmessage",
    "messaging.view_inboundmessage",
    "messaging.change_inboundmessage",
    "messaging.view_phonenumberstate",
]
CLINICIAN = [
    *FRONT_DESK,
    "intake.view_screening",
    "intake.add_screening",
    "intake.change_screening",
]
CLINIC_ADMIN = [
    *CLINICIAN,
    "intake.delete_inquiry",
    "intake.delete_inquirynote",
    "scheduling.change_clinic",
    "scheduling.add_provider",
    "scheduling.change_provider",
    "scheduling.add_room",
    "scheduling.change_room",
    "scheduling.add_sessiontype",
    "scheduling.change_sessiontype",
    "messaging.change_phonenumberstate",
    "auth.view_user",
    "auth.add_user",
    "auth.change_user",
    "auth.view_group",
    "accounts.view_auditevent",
    "authtoken.view_tokenproxy",
    "authtoken.add_tokenproxy",
    "authtoken.delete_tokenproxy",
    "axes.view_accessattempt",
    "axes.delete_accessattempt",
    "axes.view_accessfailurelog",
]
ROLES = {"Front desk": FRONT_DESK, "Clinician": CLINICIAN, "Clinic admin": CLINIC_ADMIN}


def grant(apps: Any, schema_editor: Any) -> None:
    # Permissions are normally created after migrations run; create them now so they can be granted.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, names in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        for name in names:
            app_label, codename = name.split(".")
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def revoke(apps: Any, schema_editor: Any) -> None:
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("authtoken", "0004_alter_tokenproxy_options"),
        ("axes", "0009_add_session_hash"),
        ("intake", "0002_seed_reasons"),
        ("patients", "0001_initial"),
        ("scheduling", "0001_initial"),
        ("messaging", "0001_initial"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
