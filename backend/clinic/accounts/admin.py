from __future__ import annotations

from typing import Any

from axes.admin import AccessAttemptAdmin
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from rest_framework.authtoken.models import TokenProxy

from .actor import Actor
from .admin_audit import AuditedAdminMixin
from .admin_base import StaffModelAdmin
from .models import ApiToken, AuditEvent, StaffLocation
from .roles import CLINIC_ADMIN, CLINICIAN, FRONT_DESK, user_roles
from .services import audit_by
from .tokens import api_token_revoke

# A clinic admin manages staff within the three roles, never above their own.
ROLE_RANK = {FRONT_DESK: 1, CLINICIAN: 2, CLINIC_ADMIN: 3}
# Fields only a superuser sets: they grant what no role does.
SUPERUSER_ONLY_FIELDS = ("is_superuser", "user_permissions")


def _rank(user: Any) -> int:
    if getattr(user, "is_superuser", False):
        return len(ROLE_RANK) + 1
    return max((ROLE_RANK[role] for role in user_roles(user)), default=0)


def _roles_up_to(rank: int) -> list[str]:
    return [role for role, role_rank in ROLE_RANK.items() if role_rank <= rank]


@admin.register(AuditEvent)
class AuditEventAdmin(StaffModelAdmin):
    list_display = ["occurred_at", "actor", "action", "target_type", "target_id", "detail", "ip_address"]
    list_filter = ["action", "target_type", ("actor", admin.RelatedOnlyFieldListFilter), "occurred_at"]
    search_fields = ["target_id", "actor__username", "ip_address"]
    date_hierarchy = "occurred_at"

    # Append-only: the back office can read the trail, never edit it.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False


admin.site.unregister(User)
admin.site.unregister(Group)
if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)  # registered again below, with actions a clinic admin may use


class StaffLocationInline(admin.TabularInline[StaffLocation, User]):
    """The locations a staff member works at (accounts/locations.py): they see those locations' records only."""

    model = StaffLocation
    extra = 0
    fields = ["clinic"]
    verbose_name = "location"
    verbose_name_plural = "locations (none: every location; clinic admins always see every location)"


@admin.register(User)
class StaffUserAdmin(AuditedAdminMixin, UserAdmin[User]):
    """Staff accounts. Below superuser, no superuser flag, no raw permissions, and roles up to one's own.

    Clinic admins also say where each person works (their locations), audited like the account's other fields.
    """

    inlines = [StaffLocationInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        users: QuerySet[User] = super().get_queryset(request)
        if request.user.is_superuser:
            return users
        # Superusers and anyone in a role above the reader's are neither listed nor opened (password form included).
        above = [role for role, rank in ROLE_RANK.items() if rank > _rank(request.user)]
        return users.exclude(Q(is_superuser=True) | Q(groups__name__in=above)).distinct()

    def get_fieldsets(self, request: HttpRequest, obj: User | None = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in SUPERUSER_ONLY_FIELDS]})
            for name, options in fieldsets
        ]

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "groups" and not request.user.is_superuser:
            kwargs["queryset"] = Group.objects.filter(name__in=_roles_up_to(_rank(request.user)))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not request.user.is_superuser:
            obj.is_superuser = False  # never set below a superuser, whatever the form was sent
        super().save_model(request, obj, form, change)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not StaffLocation:
            super().save_formset(request, form, formset, change)
            return
        user = form.instance
        before = set(StaffLocation.objects.filter(user=user).values_list("clinic_id", flat=True))
        super().save_formset(request, form, formset, change)
        after = set(StaffLocation.objects.filter(user=user).values_list("clinic_id", flat=True))
        if before != after:
            # Location ids, not names: the trail says what changed, never any content.
            audit_by(
                Actor.from_request(request),
                action=AuditEvent.Action.UPDATE,
                target=user,
                detail="admin: locations "
                + (", ".join(str(pk) for pk in sorted(after)) if after else "none (every location)"),
            )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if request.user.is_superuser:
            return
        user = form.instance
        user.user_permissions.clear()
        user.groups.remove(*user.groups.exclude(name__in=_roles_up_to(_rank(request.user))))


@admin.register(Group)
class RoleGroupAdmin(StaffModelAdmin, GroupAdmin):
    pass


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdminMixin):
    """Staff API tokens by prefix: when issued and last used, and revoked. The keys themselves are not kept."""

    list_display = ["prefix", "user", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "created_at"]
    search_fields = ["prefix", "user__username"]
    readonly_fields = ["prefix", "user", "created_at", "last_used_at", "revoked_at"]
    exclude = ["key_hash"]
    actions = ["revoke"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApiToken]:
        tokens: QuerySet[ApiToken] = super().get_queryset(request).select_related("user")
        if request.user.is_superuser:
            return tokens
        return tokens.filter(user__in=StaffUserAdmin(User, self.admin_site).get_queryset(request))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # issued by signing in (POST /api/v1/auth/token/), shown once there

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # revoked, not deleted: the row says when it was used

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("accounts.change_apitoken")

    @admin.action(description="Revoke selected tokens", permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        actor = Actor.from_request(request)
        count = sum(api_token_revoke(token=token, by=actor) for token in queryset)
        self.message_user(request, f"{count} token{'s' if count != 1 else ''} revoked.")


# DRF's token admin lists every key in clear text; tokens are kept as hashes (ApiToken) instead.
if admin.site.is_registered(TokenProxy):
    admin.site.unregister(TokenProxy)


@admin.register(AccessAttempt)
class AccessAttemptStaffAdmin(AuditedAdminMixin, AccessAttemptAdmin):
    """django-axes' lockouts: one row per username and client address, locked after AXES_FAILURE_LIMIT misses.

    Axes' own cleanup action declares no permission, so the back office (which runs only actions that need
    more than the right to look) hid it. Here a clinic admin lets a locked-out colleague back in with one
    action, which deletes the selected rows (axes' delete permission, which clinic admins have, and front
    desk and clinicians do not), and the trail names the staff account let back in.
    """

    actions = ["clear_lockout", "cleanup_expired_attempts"]

    def has_clear_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("axes.delete_accessattempt")

    @admin.action(description="Clear the lockout of the selected sign-ins", permissions=["clear"])
    def clear_lockout(self, request: HttpRequest, queryset: QuerySet[AccessAttempt]) -> None:
        usernames = set(queryset.values_list("username", flat=True))
        _, deleted = queryset.delete()
        count = deleted.get(AccessAttempt._meta.label, 0)
        # The trail names the staff account let back in, not what was typed (a username can be anything).
        actor = Actor.from_request(request)
        for user in User.objects.filter(username__in=usernames):
            audit_by(actor, action=AuditEvent.Action.UPDATE, target=user, detail="sign-in lockout cleared in admin")
        cleared = f"{count} sign-in{'s' if count != 1 else ''}"
        self.message_user(request, f"Lockout cleared for {cleared}: they can sign in again.", messages.SUCCESS)

    @admin.action(description="Clean up expired attempts", permissions=["clear"])
    def cleanup_expired_attempts(self, request: HttpRequest, queryset: QuerySet[AccessAttempt]) -> None:
        # Axes' handler reads the attempt time axes gives a sign-in request; an admin request has none until given.
        AxesProxyHandler.update_request(request)
        AccessAttemptAdmin.cleanup_expired_attempts(self, request, queryset)


def _wrap_third_party_admins(site: admin.AdminSite) -> None:
    """Give other apps' admin pages (django-axes) the same lookup, search and action rules as ours."""
    for model, model_admin in list(site._registry.items()):
        if isinstance(model_admin, StaffModelAdmin):
            continue
        wrapped = type(type(model_admin).__name__, (StaffModelAdmin, type(model_admin)), {})
        site.unregister(model)
        site.register(model, wrapped)


_wrap_third_party_admins(admin.site)
