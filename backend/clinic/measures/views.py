"""The questionnaire page a text links to: no sign-in, one question per screen, works without JavaScript.

Each answer is a button (one tap answers and moves on) that POSTs and is saved at once; the browser's Back
and the page's own Back link both work, because every screen is a plain GET (`?q=3`, `?q=review`).
An unknown, used, expired or cancelled link gets the same polite 404 with the clinic's number: the
page never tells a guess from a link that once worked. The token never reaches a log line: Django's
own 4xx log lines (which quote the path) are skipped for these responses.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone, translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from clinic.core.clinics import clinic_text_values
from clinic.core.languages import language_supported
from clinic.core.throttling import ClientAddressThrottle

from .answers import answer_save, assignment_by_token, assignment_opened, assignment_submit, assignment_urgent
from .instruments import AnswerError, Instrument, instrument_get, instrument_score
from .models import QuestionnaireAssignment

logger = logging.getLogger(__name__)

TEMPLATE = "measures/questionnaire.html"
REVIEW = "review"


class QuestionnaireThrottle(ClientAddressThrottle):
    """Every request to a questionnaire page, per client address (a patient needs about two per question)."""

    scope = "questionnaire"


class QuestionnaireMissThrottle(ClientAddressThrottle):
    """Links that open nothing, per client address: guessing is slowed to a crawl."""

    scope = "questionnaire_miss"


def _quiet(response: HttpResponse) -> HttpResponse:
    """No caching, no indexing, and no Django 4xx log line (it would quote the path, and so the token)."""
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    # The path holds the token: it never goes to another site (same-origin keeps the language switch's
    # Origin header, which its CSRF check reads).
    response["Referrer-Policy"] = "same-origin"
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


def _page(request: HttpRequest, state: str, *, status: int = 200, **context: Any) -> HttpResponse:
    return _quiet(render(request, TEMPLATE, {"state": state, **clinic_text_values(), **context}, status=status))


def _gone(request: HttpRequest) -> HttpResponse:
    return _page(request, "gone", status=404)


def _language(request: HttpRequest, assignment: QuestionnaireAssignment) -> str:
    """The patient's language, unless they chose another with the page's switch (its cookie)."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen and language_supported(chosen) == chosen:
        return chosen
    return language_supported(assignment.language)


def _step_url(request: HttpRequest, step: int | str) -> str:
    return f"{request.path}?q={step}"


def _first_unanswered(instrument: Instrument, answers: dict[str, int]) -> int | None:
    for item in instrument.items:
        if item.link_id not in answers:
            return item.position
    return None


# The link's token is the credential, and a forged POST would have to know it: a CSRF cookie would add
# nothing but a way to fail (phones' in-app browsers that drop cookies).
@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def questionnaire_view(request: HttpRequest, token: str) -> HttpResponse:
    if not QuestionnaireThrottle().allow_request(request, None):  # type: ignore[arg-type]
        return _page(request, "throttled", status=429)
    assignment = assignment_by_token(token)
    if assignment is None:
        if not QuestionnaireMissThrottle().allow_request(request, None):  # type: ignore[arg-type]
            return _page(request, "throttled", status=429)
        logger.info("questionnaire link refused")  # never the token
        return _gone(request)
    instrument = instrument_get(assignment.instrument)
    with translation.override(_language(request, assignment)):
        if request.method == "POST":
            return _post(request, assignment, instrument)
        return _get(request, assignment, instrument)


def _post(request: HttpRequest, assignment: QuestionnaireAssignment, instrument: Instrument) -> HttpResponse:
    if request.POST.get("action") == "submit":
        try:
            score = assignment_submit(assignment_id=assignment.pk)
        except AnswerError:
            return HttpResponseRedirect(_step_url(request, _first_unanswered(instrument, assignment.answers) or 1))
        if score is None:
            return _gone(request)
        urgent = assignment_urgent(assignment)
        return _quiet(render(request, TEMPLATE, {"state": "thanks", "urgent": urgent, **clinic_text_values()}))
    # The form names the question by its number: the page carries no instrument code.
    try:
        position = int(request.POST.get("item", ""))
        if not 1 <= position <= len(instrument.items):
            raise AnswerError(f"no question {position}")
        value = int(request.POST.get("value", ""))
        saved = answer_save(assignment_id=assignment.pk, link_id=instrument.items[position - 1].link_id, value=value)
    except (ValueError, AnswerError):
        return _page(request, "bad", status=400)
    if saved is None:
        return _gone(request)
    following = _first_unanswered(instrument, saved.assignment.answers)
    # Straight on to the next question; after a change made going back, to the next unanswered one.
    if position < len(instrument.items) and f"{instrument.code}-{position + 1}" not in saved.assignment.answers:
        following = position + 1
    return HttpResponseRedirect(_step_url(request, following or REVIEW), status=303)


def _get(request: HttpRequest, assignment: QuestionnaireAssignment, instrument: Instrument) -> HttpResponse:
    assignment_opened(assignment=assignment, now=timezone.now())
    answers: dict[str, int] = dict(assignment.answers)
    language = translation.get_language() or "en"
    urgent = assignment_urgent(assignment)
    asked = request.GET.get("q", "")
    if asked == REVIEW or (not asked and _first_unanswered(instrument, answers) is None):
        missing = _first_unanswered(instrument, answers)
        if missing is not None:
            return HttpResponseRedirect(_step_url(request, missing))
        rows = [
            {
                "position": item.position,
                "text": item.text_in(language),
                "answer": next(o.label_in(language) for o in instrument.options if o.value == answers[item.link_id]),
            }
            for item in instrument.items
        ]
        context: dict[str, Any] = {
            "rows": rows,
            "urgent": urgent,
            "back_url": _step_url(request, len(instrument.items)),
        }
        return _page(request, "review", **context)
    if asked:
        if not asked.isdigit() or not 1 <= int(asked) <= len(instrument.items):
            return _page(request, "bad", status=400)
        position = int(asked)
    else:
        position = _first_unanswered(instrument, answers) or 1
    item = instrument.items[position - 1]
    question: dict[str, Any] = {
        "item": item,
        "item_text": item.text_in(language),
        "stem": instrument.stem_in(language),
        "position": position,
        "count": len(instrument.items),
        "percent": round(100 * len(answers) / len(instrument.items)),
        "options": [
            {"value": o.value, "label": o.label_in(language), "chosen": answers.get(item.link_id) == o.value}
            for o in instrument.options
        ],
        "back_url": _step_url(request, position - 1) if position > 1 else "",
        "review_url": _step_url(request, REVIEW) if instrument_score(instrument, answers).complete else "",
        "urgent": urgent,
    }
    return _page(request, "question", **question)
