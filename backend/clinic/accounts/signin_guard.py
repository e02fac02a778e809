"""Sign-in limits beyond django-axes' per (username, address) lockout: a slower one per username.

Axes locks a username at one client address after AXES_FAILURE_LIMIT misses, so a guesser who
spreads attempts over many addresses (password spraying) is never locked. Locking the username
itself would let anyone lock a clinician out. Instead, once a username has had
SIGNIN_USERNAME_FAILURE_LIMIT misses within SIGNIN_USERNAME_FAILURE_WINDOW_HOURS, from any
addresses, it can sign in only from addresses it signed in from with its password before (within
SIGNIN_KNOWN_ADDRESS_DAYS). Everywhere else is refused without checking the password, so guesses
stop counting and the right password is not revealed. Its own usual places keep working, and the
limit lifts by itself as misses age out of the window.
"""

from __future__ import annotations

import datetime
from typing import Any

from axes.models import AccessFailureLog
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone

from clinic.core.client_ip import client_ip

from .models import SignInAddress


def signin_username_is_sprayed(*, username: str, now: datetime.datetime) -> bool:
    """Whether this username has had too many misses, from any addresses, within the window."""
    since = now - datetime.timedelta(hours=settings.SIGNIN_USERNAME_FAILURE_WINDOW_HOURS)
    misses: int = AccessFailureLog.objects.filter(username=username, attempt_time__gte=since).count()
    return misses >= int(settings.SIGNIN_USERNAME_FAILURE_LIMIT)


def signin_address_is_known(*, username: str, address: str, now: datetime.datetime) -> bool:
    if not address:
        return False
    since = now - datetime.timedelta(days=settings.SIGNIN_KNOWN_ADDRESS_DAYS)
    return SignInAddress.objects.filter(
        user__username=username, ip_address=address, last_signed_in_at__gte=since
    ).exists()


def signin_allowed(*, username: str, address: str) -> bool:
    """Whether a sign-in for this username from this address may check its password at all."""
    now = timezone.now()
    return not signin_username_is_sprayed(username=username, now=now) or signin_address_is_known(
        username=username, address=address, now=now
    )


def signin_address_remember(*, user: AbstractBaseUser, address: str) -> None:
    if not address:
        return
    SignInAddress.objects.bulk_create(
        [SignInAddress(user_id=user.pk, ip_address=address, last_signed_in_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["user", "ip_address"],
        update_fields=["last_signed_in_at"],
    )


class GuardedModelBackend(ModelBackend):
    """Django's username and password check, behind the per-username limit; remembers where it succeeded.

    Both the admin login and POST /api/v1/auth/token/ sign in through it. A refusal is marked as
    django-axes marks its own lockouts, so both answer 429 the same way.
    """

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        if request is None or username is None:
            return super().authenticate(request, username=username, password=password, **kwargs)
        address = client_ip(request)
        if not signin_allowed(username=username, address=address):
            request.axes_locked_out = True  # type: ignore[attr-defined]
            raise PermissionDenied("Too many failed sign-ins for this username from elsewhere.")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None:
            signin_address_remember(user=user, address=address)
        return user
