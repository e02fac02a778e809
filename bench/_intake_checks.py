"""The intake benchmark's checks: a wrk run counts only if every request stored what it should have."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

from _intake_load import WrkRun

READ_CHUNK = 5000
SETTLE_SECONDS = 30.0


class VerificationError(RuntimeError):
    """A wrk run measured something other than stored inquiries: its figures mean nothing."""


def responses_problems(run: WrkRun) -> list[str]:
    """What is wrong with the answers themselves: socket errors, anything but 201, missing references."""
    problems = []
    socket_errors = {kind: count for kind, count in run.errors.items() if kind != "status" and count}
    if socket_errors:
        problems.append(f"socket errors {socket_errors}")
    others = {code: count for code, count in run.statuses.items() if code != 201}
    if others:
        problems.append(f"responses other than 201: {dict(sorted(others.items()))}")
    if sum(run.statuses.values()) != run.requests:
        problems.append(f"wrk counted {run.requests} responses but the script saw {sum(run.statuses.values())}")
    if len(run.references) != run.created or len(set(run.references)) != run.created:
        problems.append(f"{run.created} 201s carried {len(set(run.references))} distinct references")
    if run.created == 0:
        problems.append("no inquiry was created")
    return problems


def rows_settled(area: str) -> int:
    """The run's stored inquiries, once the requests in flight when wrk stopped have finished."""
    from clinic.intake.models import Inquiry

    rows = Inquiry.objects.filter(phone__startswith=f"+1{area}")
    count, deadline = rows.count(), time.monotonic() + SETTLE_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.5)
        again = rows.count()
        if again == count:
            return count
        count = again
    raise VerificationError(f"inquiries with +1{area} numbers were still being stored {SETTLE_SECONDS:.0f} s after wrk")


def stored_problems(run: WrkRun, *, rows: int, connections: int) -> list[str]:
    """Every reference a 201 carried is a stored inquiry; extra rows only from requests still in flight."""
    from clinic.intake.models import Inquiry

    stored = sum(
        Inquiry.objects.filter(reference__in=run.references[start : start + READ_CHUNK]).count()
        for start in range(0, len(run.references), READ_CHUNK)
    )
    problems = []
    if stored != run.created:
        problems.append(f"only {stored} of the {run.created} references answered are stored inquiries")
    in_flight = rows - run.created
    if in_flight < 0:
        problems.append(f"{rows} rows stored for {run.created} 201s")
    elif in_flight > connections:
        problems.append(f"{rows} rows stored for {run.created} 201s: more than one per connection was in flight")
    return problems


def service_rows_problems(area: str, rows: int) -> list[str]:
    """What the service must have written besides each inquiry: submission, reasons, consent, acknowledgement."""
    from clinic.intake.models import Inquiry, InquirySubmission
    from clinic.messaging.models import OutboundMessage

    inquiries = Inquiry.objects.filter(phone__startswith=f"+1{area}")
    counts = {
        "submissions": InquirySubmission.objects.filter(inquiry__in=inquiries, merged=False).count(),
        "merged submissions": InquirySubmission.objects.filter(inquiry__in=inquiries, merged=True).count(),
        "reason links": Inquiry.reasons.through.objects.filter(inquiry__in=inquiries).count(),
        "with recorded consent": inquiries.filter(sms_consent=True, sms_consent_at__isnull=False)
        .exclude(sms_consent_version="")
        .count(),
        "acknowledgement texts": OutboundMessage.objects.filter(
            inquiry__in=inquiries, kind=OutboundMessage.Kind.INQUIRY_ACK
        ).count(),
    }
    expected = {
        "submissions": rows,
        "merged submissions": 0,
        "reason links": 2 * rows,
        "with recorded consent": rows,
        "acknowledgement texts": rows,
    }
    return [
        f"{counts[what]} {what} for {rows} inquiries (expected {expected[what]})"
        for what in expected
        if counts[what] != expected[what]
    ]


def sample_answer(url: str, area: str) -> str:
    """What the server answers one request like wrk's, to show why a run failed."""
    body = json.dumps(
        {
            "first_name": "Avery",
            "last_name": "Loadtest",
            "phone": f"+1{area}9999999",
            "email": f"load.{area}.sample@example.com",
            "preferred_contact_method": "sms",
            "reasons": ["depression", "anxiety"],
            "sms_consent": True,
            "privacy_acknowledged": True,
            "is_adult": True,
        }
    ).encode()
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError(f"not one of the benchmark's servers: {url}")
    request = urllib.request.Request(  # noqa: S310 (checked above: one of our servers)
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (checked above)
            return f"one request like wrk's now gets {response.status}: {response.read()[:500]!r}"
    except urllib.error.HTTPError as error:
        return f"one request like wrk's now gets {error.code}: {error.read()[:500]!r}"
    except OSError as error:
        return f"one request like wrk's now fails: {error}"
