"""FHIR R4: every instrument as a Questionnaire and every completed questionnaire as a QuestionnaireResponse,
valid against HL7's R4 JSON Schema, answering its Questionnaire, naming the patient by a pseudonym;
clinicians only, audited, another location's answering like a missing one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AbstractBaseUser
from rest_framework.test import APIClient

from clinic.accounts.models import AuditEvent
from clinic.accounts.roles import CLINICIAN
from clinic.core.models import Clinic
from clinic.measures.fhir import fhir_patient_id
from clinic.measures.instruments import INSTRUMENTS
from clinic.measures.models import QuestionnaireAssignment
from clinic.patients.models import Patient
from tests.measures_outcomes.factories import answers_totalling, questionnaire_asked, questionnaire_done, staff_at
from tests.measures_outcomes.fhir_schema import fhir_errors
from tests.support.clock import local

pytestmark = pytest.mark.django_db
ApiAs = Callable[[AbstractBaseUser], APIClient]
BASE = "/api/v1/measures/fhir"
LOINC = {"phq9": ("44249-1", "44261-6"), "gad7": ("69737-5", "70274-6"), "pcl5": ("101697-1", "101698-9")}
TOTALS = {"phq9": 14, "gad7": 9, "pcl5": 41}


def test_the_schema_check_bites() -> None:
    assert fhir_errors({"resourceType": "QuestionnaireResponse", "status": "completed"}) == []
    errors = fhir_errors(
        {
            "resourceType": "QuestionnaireResponse",
            "status": "done",
            "authored": "yesterday",
            "item": [{"linkId": "x", "answer": [{"valueFoo": 1}]}],
        }
    )
    assert len(errors) == 3 and any("'done' is not one of" in e for e in errors)


@pytest.mark.parametrize("code", sorted(INSTRUMENTS))
def test_each_instrument_is_a_valid_questionnaire_with_its_loinc_code(
    code: str, api_as: ApiAs, clinician: AbstractBaseUser
) -> None:
    response = api_as(clinician).get(f"{BASE}/Questionnaire/{code}")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    questionnaire = response.json()
    assert fhir_errors(questionnaire) == []
    instrument = INSTRUMENTS[code]
    panel, total = LOINC[code]
    assert questionnaire["code"][0] == {
        "system": "http://loinc.org",
        "code": panel,
        "display": questionnaire["code"][0]["display"],
    }
    questions, total_item = questionnaire["item"][:-1], questionnaire["item"][-1]
    assert [item["linkId"] for item in questions] == list(instrument.link_ids)
    assert questions[0]["text"] == instrument.items[0].text_in("en")
    assert [o["valueCoding"]["code"] for o in questions[0]["answerOption"]] == [
        str(o.value) for o in instrument.options
    ]
    assert total_item == {
        "linkId": f"{code}-total",
        "text": "Total score",
        "type": "integer",
        "readOnly": True,
        "code": [{"system": "http://loinc.org", "code": total, "display": total_item["code"][0]["display"]}],
    }


def _conforms(response: dict[str, Any], questionnaire: dict[str, Any]) -> None:
    """Each answer names an item of its Questionnaire and one of that item's options."""
    items = {item["linkId"]: item for item in questionnaire["item"]}
    for answered in response["item"]:
        item = items[answered["linkId"]]
        (answer,) = answered["answer"]
        if item["type"] == "choice":
            assert answer["valueCoding"]["code"] in {o["valueCoding"]["code"] for o in item["answerOption"]}
            assert answer["valueCoding"]["system"] == item["answerOption"][0]["valueCoding"]["system"]
        else:
            assert isinstance(answer["valueInteger"], int)


@pytest.mark.parametrize("code", sorted(INSTRUMENTS))
def test_a_completed_questionnaire_is_a_valid_response_to_its_questionnaire(
    code: str, api_as: ApiAs, clinician: AbstractBaseUser, robin: Patient
) -> None:
    done = questionnaire_done(robin, code, TOTALS[code], local(2026, 11, 30, 19, 5))
    client = api_as(clinician)

    response = client.get(f"{BASE}/QuestionnaireResponse/{done.pk}")

    assert response.status_code == 200 and response["Content-Type"] == "application/fhir+json"
    body = response.json()
    assert fhir_errors(body) == []
    questionnaire = client.get(f"{BASE}/Questionnaire/{code}").json()
    assert body["questionnaire"] == f"{questionnaire['url']}|{questionnaire['version']}"
    assert body["status"] == "completed"
    assert body["authored"] == "2026-12-01T00:05:00Z"
    _conforms(body, questionnaire)
    answers = answers_totalling(code, TOTALS[code])
    assert {i["linkId"]: int(i["answer"][0]["valueCoding"]["code"]) for i in body["item"][:-1]} == answers
    assert body["item"][-1] == {
        "linkId": f"{code}-total",
        "text": "Total score",
        "answer": [{"valueInteger": TOTALS[code]}],
    }


def test_the_patient_is_named_by_a_stable_pseudonym_never_by_what_identifies_them(
    api_as: ApiAs, clinician: AbstractBaseUser, robin: Patient
) -> None:
    first = questionnaire_done(robin, "phq9", 12, local(2026, 11, 2, 9))
    second = questionnaire_done(robin, "gad7", 8, local(2026, 11, 9, 9))
    client = api_as(clinician)

    subjects = {
        client.get(f"{BASE}/QuestionnaireResponse/{a.pk}").json()["subject"]["reference"] for a in (first, second)
    }

    assert subjects == {f"Patient/{fhir_patient_id(robin.pk)}"}
    text = client.get(f"{BASE}/QuestionnaireResponse/{first.pk}").content.decode()
    pseudonym = fhir_patient_id(robin.pk)
    assert len(pseudonym) == 32 and str(robin.pk) != pseudonym
    for identifying in (robin.first_name, robin.last_name, robin.phone, f'Patient/{robin.pk}"'):
        assert identifying not in text
    assert fhir_patient_id(robin.pk + 1) != pseudonym


def test_front_desk_is_refused_and_another_locations_clinician_finds_nothing(
    api_as: ApiAs, front_desk: AbstractBaseUser, robin: Patient, north: Clinic, south: Clinic
) -> None:
    done = questionnaire_done(robin, "phq9", 12, local(2026, 11, 2, 9))
    unfinished = questionnaire_asked(robin, "phq9", local(2026, 11, 9, 9))
    elsewhere = staff_at("southclinician", CLINICIAN, south)
    here = staff_at("northclinician", CLINICIAN, north)

    refused = api_as(front_desk).get(f"{BASE}/QuestionnaireResponse/{done.pk}")
    assert refused.status_code == 403
    assert refused.json()["resourceType"] == "OperationOutcome" and refused.json()["issue"][0]["code"] == "forbidden"
    assert api_as(front_desk).get(f"{BASE}/Questionnaire/phq9").status_code == 403

    missing = api_as(elsewhere).get(f"{BASE}/QuestionnaireResponse/{done.pk}")
    never = api_as(elsewhere).get(f"{BASE}/QuestionnaireResponse/999999")
    assert missing.status_code == never.status_code == 404
    assert missing.json() == never.json()
    assert api_as(here).get(f"{BASE}/QuestionnaireResponse/{done.pk}").status_code == 200
    assert api_as(here).get(f"{BASE}/QuestionnaireResponse/{unfinished.pk}").status_code == 404
    assert api_as(here).get(f"{BASE}/Questionnaire/nope").status_code == 404
    assert APIClient().get(f"{BASE}/Questionnaire/phq9").status_code in (401, 403)


def test_each_read_is_audited_without_scores(api_as: ApiAs, clinician: AbstractBaseUser, robin: Patient) -> None:
    done = questionnaire_done(robin, "phq9", 12, local(2026, 11, 2, 9))
    client = api_as(clinician)

    client.get(f"{BASE}/QuestionnaireResponse/{done.pk}")
    client.get(f"{BASE}/Questionnaire/phq9")

    events = list(
        AuditEvent.objects.order_by("id").values_list("actor__username", "action", "target_type", "target_id", "detail")
    )
    assert events[-2:] == [
        ("clinician", "view", QuestionnaireAssignment._meta.label, str(done.pk), "FHIR QuestionnaireResponse"),
        ("clinician", "view", "measures.Questionnaire", "phq9", "FHIR Questionnaire"),
    ]
