"""The staff account page (admin /auth/user/<id>/change/) as a browser posts it, locations section included."""

from __future__ import annotations

from django.contrib.auth.models import User

from clinic.accounts.models import StaffLocation


def user_change_form(user: User, **overrides: object) -> dict[str, object]:
    """The page's fields as they are now, with `overrides`."""
    data: dict[str, object] = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "is_staff": "on",
        "groups": [group.pk for group in user.groups.all()],
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        **staff_locations_form(user),
    }
    data.update(overrides)
    return data


def staff_locations_form(user: User, clinic_ids: list[int] | None = None) -> dict[str, object]:
    """The user page's locations section as posted: the rows the user has, or exactly `clinic_ids` (the rows
    not named are ticked for deletion, new ones added)."""
    rows = list(StaffLocation.objects.filter(user=user).order_by("pk"))
    wanted = [row.clinic_id for row in rows] if clinic_ids is None else clinic_ids
    new = [pk for pk in wanted if pk not in {row.clinic_id for row in rows}]
    data: dict[str, object] = {
        "staff_locations-TOTAL_FORMS": len(rows) + len(new),
        "staff_locations-INITIAL_FORMS": len(rows),
    }
    for index, row in enumerate(rows):
        data[f"staff_locations-{index}-id"] = row.pk
        data[f"staff_locations-{index}-user"] = user.pk
        data[f"staff_locations-{index}-clinic"] = row.clinic_id
        if row.clinic_id not in wanted:
            data[f"staff_locations-{index}-DELETE"] = "on"
    for index, pk in enumerate(new, start=len(rows)):
        data[f"staff_locations-{index}-user"] = user.pk
        data[f"staff_locations-{index}-clinic"] = pk
    return data
