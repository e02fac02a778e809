"""The public page behind a self-booking link (/b/<token>/): the times on offer, and choosing one.

No sign-in: the random token is the key. An unknown and an expired token get the same 404; a used one
shows the time chosen. Choosing is throttled per client address and has a honeypot; a time taken a moment
ago answers 409 with the next free times. The page speaks the language the person asked for, unless they
switched language on the page.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from redis.exceptions import RedisError

from clinic.accounts.actor import Actor
from clinic.core.clinics import clinic_timezone
from clinic.core.throttling import ClientAddressThrottle
from clinic.scheduling.session_time import zone_label

from .models import SelfBooking, SelfBookingOffer
from .pages import choice_context, clock_label, day_label, slot_parse
from .selectors import offer_by_token
from .services import OfferUnusable, OfferUsed, SlotTaken, selfbooking_book

logger = logging.getLogger(__name__)


class SelfBookingThrottle(ClientAddressThrottle):
    scope = "selfbooking"

    def allow_request(self, request: Any, view: Any) -> bool:
        try:
            return super().allow_request(request, view)
        except (RedisError, OSError) as exc:
            # While the cache is down a person's booking matters more than the limit; the token still guards it.
            logger.warning("self-booking throttle: cache unreachable (%s); not throttling", type(exc).__name__)
            return True


def _language(request: HttpRequest, offer: SelfBookingOffer) -> str:
    """The person's language, unless they chose another with the page's language switch."""
    if settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
        return translation.get_language() or offer.language
    return offer.language


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def choose(request: HttpRequest, token: str) -> HttpResponse:
    offer = offer_by_token(token)
    if offer is None:
        return render(request, "selfbooking/gone.html", status=404)
    with translation.override(_language(request, offer)):
        if request.method == "POST":
            return _choose_post(request, offer, token)
        if offer.used_at is not None:
            return _chosen(request, offer)
        return _page(request, offer, token)


def _page(
    request: HttpRequest, offer: SelfBookingOffer, token: str, *, message: str = "", status: int = 200
) -> HttpResponse:
    context = choice_context(offer, token=token, message=message)
    return render(request, "selfbooking/choose.html", context, status=status)


def _chosen(request: HttpRequest, offer: SelfBookingOffer) -> HttpResponse:
    booking = SelfBooking.objects.filter(offer=offer).first()
    tz = clinic_timezone(offer.location)
    starts_at = offer.chosen_starts_at
    local = starts_at.astimezone(tz) if starts_at else None
    context = {
        "when": f"{day_label(local)}, {clock_label(local)} {zone_label(local, tz)}" if local else "",
        "confirmed": booking is not None and booking.state == SelfBooking.State.CONFIRMED,
        "cancelled": booking is not None and booking.state == SelfBooking.State.CANCELLED,
    }
    return render(request, "selfbooking/chosen.html", context)


def _choose_post(request: HttpRequest, offer: SelfBookingOffer, token: str) -> HttpResponse:
    throttle = SelfBookingThrottle()
    if not throttle.allow_request(request, None):
        response = _page(
            request, offer, token, message=_("Too many tries from this connection. Please wait a minute."), status=429
        )
        response["Retry-After"] = str(math.ceil(throttle.wait() or 60))
        return response
    if request.POST.get("website"):
        # Honeypot: people never see this field. Answer as if nothing happened and book nothing.
        logger.info("self-booking honeypot filled; nothing booked")
        return HttpResponseRedirect(request.path, status=303)
    starts_at = slot_parse(request.POST.get("slot", ""))
    if starts_at is None:
        return _page(request, offer, token, message=_("Please choose one of the times shown."), status=400)
    try:
        selfbooking_book(token=token, starts_at=starts_at, actor=Actor.from_request(request))
    except OfferUnusable:
        return render(request, "selfbooking/gone.html", status=404)
    except OfferUsed:
        offer.refresh_from_db()
        return _chosen(request, offer) if offer.used_at else _page(request, offer, token, status=409)
    except SlotTaken:
        message = _("Sorry, that time was just taken. Here are the next free times.")
        return _page(request, offer, token, message=message, status=409)
    # 303: reloading the page that follows never books again.
    return HttpResponseRedirect(request.path, status=303)
