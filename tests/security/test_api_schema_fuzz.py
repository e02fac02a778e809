"""Schema-driven fuzzing of the whole API, in process, against PostgreSQL, as anonymous and as every staff role.

Schemathesis reads the OpenAPI document the service publishes at /api/schema/ and, for every operation,
sends generated requests (valid and invalid) through the real WSGI application. Every answer must be
one the document promises: no 5xx, a documented status code and content type, a body that matches
its schema, and invalid input refused. Anonymous callers must be turned away from every staff
operation, and staff requests must get past authentication into the views.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote, urlsplit

import hypothesis
import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck
from rest_framework.serializers import BooleanField
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import AcceptedNegativeData
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from clinic.accounts.roles import CLINIC_ADMIN
from tests.security.api_world import ANONYMOUS, ROLES, FuzzWorld, fuzz_world_seed

CONFIG = schemathesis.Config.from_dict(
    {
        "phases": {
            # Values lifted from earlier responses differ from run to run (ids, times), and so would the
            # requests: the tests aim at existing objects themselves (_aim_at_known_objects), repeatably.
            "fuzzing": {"extra-data-sources": {"responses": False}},
            # Methods a path does not document answer 405 before any view runs; DRF's own tests cover that.
            "coverage": {"extra-data-sources": {"responses": False}, "unexpected-methods": []},
        }
    }
)
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application(), config=CONFIG)

# Generated examples per operation and role, on top of the coverage phase's boundary cases.
EXAMPLES = 10
FORM_MEDIA_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
BOUNDARY_CASES_ROLE = CLINIC_ADMIN


def invalid_data_refused(headers: dict[str, str]) -> Any:
    """Schemathesis' negative_data_rejection, less what DRF accepts on purpose (its documented input rules).

    - Coercion: a text field takes a number, a boolean takes 0, 1, "true", "off"..., a number takes "12".
    - It trims the whitespace around a string before checking its length (CharField.trim_whitespace), so a
      value over maxLength only by surrounding whitespace is, once trimmed, a valid one.
    - The public inquiry endpoint also reads form-encoded bodies (the staff API reads JSON only), as a
      browser form: an optional field sent empty counts as not sent. Such a case is sent again as JSON,
      which must refuse it.
    Everything else invalid (too long, out of range, not in the enum, a required field missing, text
    for a boolean that is no boolean word...) must still be refused.
    """

    def invalid_data_refused(ctx: Any, response: Any, case: schemathesis.Case) -> bool | None:
        try:
            return negative_data_rejection(ctx, response, case)
        except AcceptedNegativeData:
            data = case.meta.phase.data if case.meta else None
            mutations = getattr(data, "mutations", ())
            if mutations and all(_drf_reads_as_valid(case, mutation) for mutation in mutations):
                return None
            if not mutations and getattr(getattr(data, "scenario", None), "value", "") == "incorrect_type":
                # Boundary cases name no value to judge; a wrong type DRF took is one it coerces (see above).
                return None
            if _refused_as_json(case, headers):
                return None
            raise

    return invalid_data_refused


def _sent_value(case: schemathesis.Case, mutation: Any) -> Any:
    value: Any = case.body if mutation.parameter_location.value == "body" else case.query
    for key in mutation.path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _drf_reads_as_valid(case: schemathesis.Case, mutation: Any) -> bool:
    value = _sent_value(case, mutation)
    if mutation.keywords == ("maxLength",):
        return isinstance(value, str) and value != value.strip()
    if mutation.keywords != ("type",):
        return False
    wanted = mutation.original_value
    if wanted == "string":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if wanted == "boolean":
        words = BooleanField.TRUE_VALUES | BooleanField.FALSE_VALUES
        return isinstance(value, str | int | float) and value in words
    if wanted in ("integer", "number"):
        return isinstance(value, str) and _is_number_text(value, integer=wanted == "integer")
    return False


def _is_number_text(text: str, *, integer: bool) -> bool:
    try:
        number = float(text)
    except ValueError:
        return False
    return not integer or number.is_integer()


def _refused_as_json(case: schemathesis.Case, headers: dict[str, str]) -> bool:
    if (case.media_type or "").split(";")[0] not in FORM_MEDIA_TYPES or not isinstance(case.body, dict):
        return False
    as_json = case.operation.Case(
        path_parameters=case.path_parameters,
        query=case.query,
        body=case.body,
        media_type="application/json",
    )
    again = as_json.call(headers=headers)
    return bool(400 <= again.status_code < 500)


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def in_process_requests() -> Iterator[None]:
    """Keep the test's database connection open across requests, as Django's own test client does."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def throttles_relaxed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let every fuzzed inquiry reach the view. (429 is documented; the throttles have tests of their own.)

    DRF's throttles copy DEFAULT_THROTTLE_RATES when imported, so a settings override would not reach them.
    """
    rates = dict.fromkeys(SimpleRateThrottle.THROTTLE_RATES, "100000/min")
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)


@pytest.fixture
def fuzz_world(db: None, in_process_requests: None, throttles_relaxed: None) -> FuzzWorld:
    return fuzz_world_seed()


@pytest.fixture
def answers(request: pytest.FixtureRequest) -> Iterator[list[int]]:
    """The status of every answer one (operation, role) test got; checked once all its examples have run."""
    statuses: list[int] = []
    yield statuses
    role = request.node.callspec.params["role"]
    if role == ANONYMOUS or not statuses or 403 in statuses:
        return  # anonymous callers are checked request by request; a role without access gets 403s (or 404s)
    reached = [status for status in statuses if status < 300 or status in (400, 409)]
    assert reached, f"{role}: no request got past routing and permissions into the view: {sorted(set(statuses))}"


def _pick(known: list[object], value: object, salt: str) -> object:
    """Mostly a known value, else the generated one, chosen by a stable hash: repeatable, and both get sent."""
    choices = [*known, *known, *known, value]
    return choices[zlib.crc32(f"{salt}={value!r}".encode()) % len(choices)]


def _aim_at_known_objects(case: schemathesis.Case, world: FuzzWorld, serial: int) -> None:
    """Point generated ids at objects that exist, and give valid requests plausible field values.

    Random ids almost never exist and random phone numbers never parse, so without this most requests
    would stop at a 404 or a 400 and the code behind them would go untested. `serial` (the request's
    number within its test) varies the choice between requests that were generated alike.
    """
    if case.meta is None:
        return
    invalid = {location.value for location, info in case.meta.components.items() if info.mode.is_negative}
    if "path" not in invalid:  # an invalid part of a request stays invalid
        for name, value in list((case.path_parameters or {}).items()):
            known = world.values_for(case.operation.path, name)
            if known and isinstance(value, type(known[0])):
                case.path_parameters[name] = _pick(known, value, f"{serial}:{name}")
    if invalid:
        return
    for fields in (case.query, case.body):
        if isinstance(fields, dict):
            for name, value in list(fields.items()):
                if name in world.field_values:
                    fields[name] = _pick(world.field_values[name], value, f"{serial}:{name}")
    if case.operation.path == "/api/v1/inquiries/" and isinstance(case.body, dict):
        # Optional in the document, but an inquiry is taken only with both confirmed (as the form asks).
        for name in ("is_adult", "privacy_acknowledged"):
            case.body[name] = _pick([True], case.body.get(name, False), f"{serial}:{name}")


def _requires_credentials(case: schemathesis.Case) -> bool:
    # The document has no global requirement: an operation without one (or with an empty one) is public.
    security = case.operation.definition.raw.get("security") or []
    return bool(security) and all(security)


def _is_negative_coverage_case(case: schemathesis.Case) -> bool:
    return case.meta is not None and case.meta.phase.name.value == "coverage" and case.meta.generation.mode.is_negative


def _anonymous_answer(url: str) -> int:
    """What a staff operation answers a caller without credentials, before any view runs: 404 for a path that
    names no route (e.g. a generated id that is no number), else 401 (token authentication asks for one)."""
    try:
        resolve(unquote(urlsplit(url).path))
    except Resolver404:
        return 404
    return 401


@pytest.mark.parametrize("role", ROLES)
@schema.parametrize()
@hypothesis.settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    # State builds up across one test's examples on purpose (a cancelled session stays cancelled).
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_operation_answers_as_documented(
    case: schemathesis.Case, role: str, fuzz_world: FuzzWorld, answers: list[int]
) -> None:
    secured = _requires_credentials(case)
    if _is_negative_coverage_case(case) and role != BOUNDARY_CASES_ROLE and (secured or role != ANONYMOUS):
        # The coverage phase's thousands of invalid variants test input validation, which is the same for
        # every caller: clinic admins (who may call every operation) send them, and anonymous callers for
        # the public operations. Every role still sends the generated (fuzzing) cases.
        return
    _aim_at_known_objects(case, fuzz_world, serial=len(answers))
    headers = fuzz_world.headers_for(role)
    response = case.call_and_validate(headers=headers, checks=[*CHECKS, invalid_data_refused(headers)])
    answers.append(response.status_code)
    if role == ANONYMOUS and secured:
        assert response.status_code == _anonymous_answer(response.request.url), response.status_code
    elif role != ANONYMOUS:
        assert response.status_code != 401, "a staff token was not accepted"
