"""The sandbox's pages: the numbers with texts and the mailbox, one number's conversation (reply as the
patient), one email (plain and HTML parts), failure rules.

No login: the sandbox is a development tool that production settings never install.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .forms import FailureRuleForm, NumberOpenForm, PatientReplyForm
from .selectors import (
    sandbox_conversation,
    sandbox_email_get,
    sandbox_email_list,
    sandbox_failure_rule_list,
    sandbox_number_list,
)
from .services import (
    inbound_webhook_url,
    phone_is_e164,
    sandbox_failure_rule_create,
    sandbox_failure_rule_delete,
    sandbox_reply_as_patient,
)


def _page_context(**context: object) -> dict[str, object]:
    return {
        "clinic_number": settings.TWILIO_FROM_NUMBER,
        "clinic_email": settings.DEFAULT_FROM_EMAIL,
        "clinic_timezone": settings.CLINIC_TIMEZONE,
        **context,
    }


@require_GET
def number_list(request: HttpRequest) -> HttpResponse:
    form = NumberOpenForm(request.GET) if "number" in request.GET else NumberOpenForm()
    if form.is_bound and form.is_valid():
        return redirect("sms_sandbox:conversation", number=form.cleaned_data["number"])
    context = _page_context(numbers=sandbox_number_list(), emails=sandbox_email_list(), open_form=form)
    return render(request, "sms_sandbox/numbers.html", context)


@require_GET
def email_detail(request: HttpRequest, email_id: int) -> HttpResponse:
    email = sandbox_email_get(email_id=email_id)
    if email is None:
        raise Http404("No such email in the sandbox mailbox.")
    return render(request, "sms_sandbox/email.html", _page_context(email=email))


@require_http_methods(["GET", "POST"])
def conversation(request: HttpRequest, number: str) -> HttpResponse:
    if not phone_is_e164(number):
        raise Http404("Not an E.164 phone number.")
    form = PatientReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reply = sandbox_reply_as_patient(patient_number=number, body=form.cleaned_data["body"])
        status = reply.inbound.webhook_status
        if status is None:
            messages.error(request, f"The app's webhook at {inbound_webhook_url()} could not be reached.")
        else:
            level = messages.SUCCESS if 200 <= status < 300 else messages.WARNING
            answered = f"{len(reply.replies)} TwiML repl{'y' if len(reply.replies) == 1 else 'ies'}"
            messages.add_message(request, level, f"Sent. The webhook answered HTTP {status} with {answered}.")
        return redirect("sms_sandbox:conversation", number=number)
    context = _page_context(number=number, conversation=sandbox_conversation(number=number), form=form)
    return render(request, "sms_sandbox/conversation.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def failure_rules(request: HttpRequest) -> HttpResponse:
    form = FailureRuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        sandbox_failure_rule_create(**form.cleaned_data)
        messages.success(request, "Failure rule added.")
        return redirect("sms_sandbox:failures")
    context = _page_context(rules=sandbox_failure_rule_list(), form=form)
    return render(request, "sms_sandbox/failures.html", context, status=400 if form.errors else 200)


@require_POST
def failure_rule_delete(request: HttpRequest, rule_id: int) -> HttpResponseRedirect:
    if sandbox_failure_rule_delete(rule_id=rule_id):
        messages.success(request, "Failure rule removed.")
    return redirect("sms_sandbox:failures")
