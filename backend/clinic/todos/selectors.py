"""Reads of staff tasks."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import F, QuerySet

from clinic.accounts.clinical import can_read_clinical
from clinic.accounts.locations import location_limit

from .models import StaffTask


def staff_tasks_visible(*, user: User | AnonymousUser, tasks: QuerySet[StaffTask] | None = None) -> QuerySet[StaffTask]:
    """The tasks (of `tasks`, else all) the user may see: clinical ones (about check-in answers) only for
    clinicians, and only about the patients of their locations (accounts/locations.py)."""
    tasks = (StaffTask.objects.all() if tasks is None else tasks).select_related("patient", "done_by")
    tasks = location_limit(tasks, user=user)
    return tasks if can_read_clinical(user) else tasks.filter(is_clinical=False)


def staff_task_list(*, user: User | AnonymousUser, state: str = "") -> QuerySet[StaffTask]:
    """Staff tasks the user may see, open ones first, newest first; `state` "open" or "done" keeps those only."""
    tasks = staff_tasks_visible(user=user)
    if state == "open":
        tasks = tasks.filter(done_at__isnull=True)
    elif state == "done":
        tasks = tasks.filter(done_at__isnull=False)
    return tasks.order_by(F("done_at").asc(nulls_first=True), "-created_at", "-id")
