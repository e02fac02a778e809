"""Back office for staff tasks: the list of things to do, and marking them done."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import F, QuerySet
from django.http import HttpRequest

from clinic.accounts.actor import Actor
from clinic.accounts.admin_audit import AuditedAdminMixin

from .models import StaffTask
from .selectors import staff_tasks_visible
from .services import staff_task_done


@admin.register(StaffTask)
class StaffTaskAdmin(AuditedAdminMixin):
    """Opened by the services, done by people: nobody adds, edits or deletes a task by hand."""

    list_display = ["created_at", "kind", "patient", "detail", "done_at", "done_by"]
    list_filter = [("done_at", admin.EmptyFieldListFilter), "kind", "created_at"]
    search_fields = ["patient__last_name", "patient__first_name"]
    readonly_fields = [field.name for field in StaffTask._meta.fields]
    actions = ["mark_done"]
    ordering = [F("done_at").asc(nulls_first=True), "-created_at"]  # type: ignore[list-item]  # open first

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[StaffTask]:
        # Front desk never sees tasks about check-in answers.
        return staff_tasks_visible(user=request.user, tasks=super().get_queryset(request))

    def has_done_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("todos.change_stafftask")

    @admin.action(description="Mark selected tasks done", permissions=["done"])
    def mark_done(self, request: HttpRequest, queryset: QuerySet[StaffTask]) -> None:
        actor = Actor.from_request(request)
        for task in queryset.filter(done_at__isnull=True):
            staff_task_done(task=task, by=actor)
        self.message_user(request, "Tasks marked done.", messages.SUCCESS)
