"""The page a session's link opens (/v/<token>): see the visit, confirm it, cancel it, or pick another time.

Works without JavaScript (plain forms, each POST answered with a redirect), in the patient's language unless the
visitor chose another with the page's switch. Every request is throttled per client address; a link that is
unknown, malformed, tampered with or expired gets the same polite page (the clinic's number, nothing else).
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from clinic.core.client_ip import client_ip
from clinic.core.clinics import clinic_text_values, clinic_timezone
from clinic.core.languages import language_supported
from clinic.core.throttling import ClientAddressThrottle
from clinic.patients.selectors import patient_timezone
from clinic.scheduling.availability import Slot
from clinic.scheduling.services import BookingConflict
from clinic.scheduling.session_time import session_time_values, zone_label
from clinic.waitlist.selectors import waitlist_enabled_for

from .models import VisitLink
from .selectors import visit_link_find, visit_policy, visit_state, visit_time_pages, visit_times
from .services import (
    ChangeRefused,
    visit_call_back_request,
    visit_cancel,
    visit_confirm,
    visit_earlier_entries,
    visit_earlier_set,
    visit_move,
)


class VisitLinkThrottle(ClientAddressThrottle):
    """Every request to a link's pages: guessing tokens from one address soon stops."""

    scope = "visit_link"


class VisitLinkChangeThrottle(ClientAddressThrottle):
    """Every confirm, cancel, move or call-back request."""

    scope = "visit_link_change"


def _throttled(request: HttpRequest) -> int | None:
    """Seconds to wait when a throttle refuses this request, else None (each throttle counts it)."""
    throttles: list[ClientAddressThrottle] = [VisitLinkThrottle()]
    if request.method == "POST":
        throttles.append(VisitLinkChangeThrottle())
    waits: list[float] = []
    for throttle in throttles:
        if not throttle.allow_request(request, None):  # type: ignore[arg-type]
            wait = throttle.wait()
            waits.append(60.0 if wait is None else wait)
    return math.ceil(max(waits)) if waits else None


def _respond(request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    response = render(request, template, context, status=status)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    # The token never leaves for another site in a Referer header ("no-referrer" would make Chromium send
    # "Origin: null" with the page's own forms, which CSRF protection then refuses).
    response["Referrer-Policy"] = "same-origin"
    return response


def _unknown(request: HttpRequest, *, status: int = 404) -> HttpResponse:
    """The one answer for every link that opens nothing: the clinic's number, nothing about any visit."""
    return _respond(
        request, "visitlinks/unknown.html", {**clinic_text_values(), "throttled": status == 429}, status=status
    )


def _language(request: HttpRequest, link: VisitLink) -> str:
    """The visitor's choice on the page's switch if they made one, else the patient's language."""
    if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME):
        return language_supported(getattr(request, "LANGUAGE_CODE", None))
    return language_supported(link.appointment.patient.language)


def _page_url(token: str, name: str = "visit") -> str:
    return reverse(f"visitlinks:{name}", kwargs={"token": token})


def _guarded(request: HttpRequest, token: str) -> tuple[VisitLink | None, HttpResponse | None]:
    """The link, or the response to give instead (throttled, or unknown)."""
    wait = _throttled(request)
    if wait is not None:
        response = _unknown(request, status=429)
        response["Retry-After"] = str(wait)
        return None, response
    link = visit_link_find(token)
    if link is None:
        return None, _unknown(request)
    return link, None


@dataclass(frozen=True)
class TimeChoice:
    value: str  # the start as a Unix timestamp
    label: str  # "10:00 AM", and the patient's own time when their zone differs


@dataclass(frozen=True)
class DayChoices:
    day: str
    times: list[TimeChoice]


def _clock(moment: datetime.datetime) -> str:
    return date_format(moment, pgettext("sms date", "g:i A"))


def _day(moment: datetime.datetime) -> str:
    return date_format(moment, pgettext("sms date", "l, F j"))


def _time_choices(link: VisitLink, slots: list[Slot]) -> list[DayChoices]:
    """Times grouped by day, in the location's zone (named), with the patient's own time beside when it differs."""
    appointment = link.appointment
    location_tz = clinic_timezone(appointment.session_type.clinic)
    own_tz = patient_timezone(appointment.patient, appointment.session_type.clinic)
    days: dict[str, list[TimeChoice]] = {}
    for slot in slots:
        there, theirs = slot.starts_at.astimezone(location_tz), slot.starts_at.astimezone(own_tz)
        label = f"{_clock(there)} {zone_label(slot.starts_at, location_tz)}"
        if there.utcoffset() != theirs.utcoffset():
            label += " " + _("(%(time)s your time)") % {"time": _clock(theirs)}
        days.setdefault(_day(there), []).append(TimeChoice(str(int(slot.starts_at.timestamp())), label))
    return [DayChoices(day, times) for day, times in days.items()]


def _visit_context(link: VisitLink, token: str, language: str) -> dict[str, Any]:
    appointment = link.appointment
    clinic = appointment.session_type.clinic
    policy = visit_policy(clinic)
    return {
        **clinic_text_values(clinic),
        "token": token,
        "appointment": appointment,
        "location": clinic,
        "when": session_time_values(appointment, language),
        "provider": appointment.provider.display_name,
        "preparation": appointment.session_type.preparation_in(language),
        "state": visit_state(appointment, policy),
        "policy": policy,
        "policy_text": policy.policy_in(language),
        "seen": str(int(appointment.starts_at.timestamp())),
        "earlier_offered": waitlist_enabled_for(clinic),
        "earlier_wanted": bool(visit_earlier_entries(appointment)),
    }


@never_cache
@require_http_methods(["GET", "HEAD"])
def visit(request: HttpRequest, token: str) -> HttpResponse:
    link, refused = _guarded(request, token)
    if link is None:
        assert refused is not None
        return refused
    language = _language(request, link)
    with translation.override(language):
        return _respond(request, "visitlinks/visit.html", _visit_context(link, token, language))


def _week(request: HttpRequest) -> int:
    try:
        return max(int(request.GET.get("week", "0")), 0)
    except ValueError:
        return 0


def _times_page(
    request: HttpRequest, link: VisitLink, token: str, language: str, *, week: int, notice: str = "", status: int = 200
) -> HttpResponse:
    policy = visit_policy(link.appointment.session_type.clinic)
    pages = visit_time_pages(policy)
    week = min(week, pages - 1)
    context = {
        **_visit_context(link, token, language),
        "days": _time_choices(link, visit_times(link.appointment, policy, page=week)),
        "week": week,
        "previous_week": week - 1 if week > 0 else None,
        "next_week": week + 1 if week + 1 < pages else None,
        "in_series": link.appointment.series_id is not None,
        "notice": notice,
    }
    return _respond(request, "visitlinks/times.html", context, status=status)


@never_cache
@require_http_methods(["GET", "HEAD"])
def times(request: HttpRequest, token: str) -> HttpResponse:
    link, refused = _guarded(request, token)
    if link is None:
        assert refused is not None
        return refused
    language = _language(request, link)
    with translation.override(language):
        return _times_page(request, link, token, language, week=_week(request))


def _back_to_visit(request: HttpRequest, token: str, level: int, text: str) -> HttpResponse:
    messages.add_message(request, level, text)
    return HttpResponseRedirect(_page_url(token), status=303)


@never_cache
@require_http_methods(["POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    link, refused = _guarded(request, token)
    if link is None:
        assert refused is not None
        return refused
    with translation.override(_language(request, link)):
        try:
            visit_confirm(link=link, ip=client_ip(request))
        except ChangeRefused:
            return _no_longer_changeable(request, token)
        return _back_to_visit(request, token, messages.SUCCESS, _("Thank you: your visit is confirmed."))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def cancel(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks "are you sure?" with the location's policy; POST cancels (a link scanner never cancels anything)."""
    link, refused = _guarded(request, token)
    if link is None:
        assert refused is not None
        return refused
    language = _language(request, link)
    with translation.override(language):
        if request.method != "POST":
            return _respond(request, "visitlinks/cancel.html", _visit_context(link, token, language))
        try:
            visit_cancel(link=link, ip=client_ip(request))
        except ChangeRefused as refusal:
            if refusal.reason == "late":
                context = _visit_context(link, token, language)
                return _respond(request, "visitlinks/cancel.html", context, status=409)
            return _no_longer_changeable(request, token)
        return _back_to_visit(request, token, messages.SUCCESS, _("Your visit is cancelled."))


def _no_longer_changeable(request: HttpRequest, token: str) -> HttpResponse:
    return _back_to_visit(request, token, messages.WARNING, _("This visit can no longer be changed here."))


def _timestamp(value: str) -> datetime.datetime | None:
    try:
        return datetime.datetime.fromtimestamp(int(value), tz=datetime.UTC)
    except (ValueError, OverflowError, OSError):
        return None


@never_cache
@require_http_methods(["POST"])
def move(request: HttpRequest, token: str) -> HttpResponse:
    link, refused = _guarded(request, token)
    if link is None:
        assert refused is not None
        return refused
    language = _language(request, link)
    week = _week(request)
    with translation.override(language):
        starts_at, seen = _timestamp(request.POST.get("starts_at", "")), _timestamp(request.POST.get("seen", ""))
        if starts_at is None or seen is None:
            return _times_page(request, link, token, language, week=week, notice="pick", status=400)
        try:
            moved = visit_move(link=link, ip=client_ip(request), starts_at=starts_at, seen_starts_at=seen)
        except BookingConflict:
            return _times_page(request, link, token, language, week=week, notice="taken", status=409)
        except ChangeRefused as refusal:
            if refusal.reason == "taken":
                return _times_page(request, link, token, language, week=week, notice="taken", status=409)
            if refusal.reason == "late":
                return _times_page(request, link, token, language, week=week, status=409)
            if refusal.reason == "changed":
                text = _("Your visit was changed a moment ago (in another window?). Here it is now.")
                return _back_to_visit(request, token, messages.WARNING, text)
            return _no_longer_changeable(request, token)
        when = session_time_values(moved, language)
        text = _("Done: your visit is now on %(date)s at %(time)s.") % when
        return _back_to_visit(request, token, messages.SUCCESS, text)


@never_cache
@require_http_methods(["POST"])
def call_back(request: HttpRequest, token: str) -> HttpResponse:
    link, refused = _guarded(request, token)
    if link is None:
        assert refused is not None
        return refused
    with translation.override(_language(request, link)):
        try:
            visit_call_back_request(link=link)
        except ChangeRefused:
            return _no_longer_changeable(request, token)
        text = _("Thank you: we will call you to find another time. Your visit stays booked until then.")
        return _back_to_visit(request, token, messages.SUCCESS, text)


@never_cache
@require_http_methods(["POST"])
def earlier(request: HttpRequest, token: str) -> HttpResponse:
    """Tick "earlier if possible" to join the location's waitlist for this session; untick to leave it."""
    link, refused = _guarded(request, token)
    if link is None:
        assert refused is not None
        return refused
    with translation.override(_language(request, link)):
        try:
            wanted = visit_earlier_set(link=link, ip=client_ip(request), wanted=request.POST.get("earlier") == "on")
        except ChangeRefused:
            return _no_longer_changeable(request, token)
        if wanted:
            text = _("We will text you if an earlier time opens up. Your visit stays booked until you take one.")
        else:
            text = _("You will not get texts about earlier times for this visit.")
        return _back_to_visit(request, token, messages.SUCCESS, text)
