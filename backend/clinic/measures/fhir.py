"""Questionnaires and their answers as FHIR R4 resources, so a clinic can move its outcomes into an EHR.

- An instrument is a `Questionnaire`: id = the instrument's code, `url` a canonical URL under the
  service's public address, `code` the LOINC panel where LOINC has one; one `choice` item per
  question (linkId = the definition's link_id, English text with the Spanish as a `translation`
  extension) whose `answerOption`s are codings (code = the value, display = the English label) with
  the value again as an `ordinalValue` extension; and a last, read-only `integer` item, linkId
  "<code>-total", for the total score (coded with LOINC's total-score code where there is one).
- A completed assignment is a `QuestionnaireResponse`: status "completed", `questionnaire` the
  canonical URL with its version, `subject` a reference to the Patient by a pseudonymous id (below),
  `authored` the completion time, one item per answered question with a `valueCoding`, and the total
  as the "<code>-total" item's `valueInteger`. The total is an item rather than an extension because
  every EHR reads items and few read a private extension; the Questionnaire marks it read-only, so
  it is plainly computed, not asked.
- The Patient is named by `fhir_patient_id`: an HMAC of the patient's internal id under the
  SECRET_KEY, stable as long as that key is, never a name, date of birth or phone number, and not
  guessable from the internal id.

Pure functions of the instrument and the answers; api_fhir.py serves them.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from .instruments import Instrument

FHIR_JSON = "application/fhir+json"
LOINC = "http://loinc.org"
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
TRANSLATION = "http://hl7.org/fhir/StructureDefinition/translation"
TRANSLATED_LANGUAGES = ("es",)


@dataclass(frozen=True)
class LoincCodes:
    panel: str
    panel_display: str
    total: str
    total_display: str


# LOINC codes for the instruments that have them (checked against loinc.org's published terms).
LOINC_CODES: dict[str, LoincCodes] = {
    "phq9": LoincCodes("44249-1", "PHQ-9 quick depression assessment panel", "44261-6", "PHQ-9 total score"),
    "gad7": LoincCodes("69737-5", "Generalized anxiety disorder 7 item (GAD-7)", "70274-6", "GAD-7 total score"),
    "pcl5": LoincCodes(
        "101697-1",
        "Post traumatic stress disorder checklist - civilian version DSM-5 [PCL-5]",
        "101698-9",
        "PTSD PCL-5 score",
    ),
}


def fhir_base() -> str:
    return f"{settings.PUBLIC_BASE_URL}/api/v1/measures/fhir"


def questionnaire_url(instrument: Instrument) -> str:
    return f"{fhir_base()}/Questionnaire/{instrument.code}"


def answers_system(instrument: Instrument) -> str:
    """The code system of an instrument's answer values (the value itself is the code)."""
    return f"{fhir_base()}/CodeSystem/{instrument.code}-answers"


def total_link_id(instrument: Instrument) -> str:
    return f"{instrument.code}-total"


def fhir_patient_id(patient_id: int) -> str:
    """A stable pseudonym for a patient in FHIR resources: no PHI, not derivable from the internal id."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"clinic.measures.fhir.patient:{patient_id}".encode(), hashlib.sha256).hexdigest()[:32]


def _translated(texts: Mapping[str, str]) -> dict[str, Any] | None:
    """The `_text` element carrying the other languages' wording as translation extensions."""
    extensions = [
        {
            "url": TRANSLATION,
            "extension": [{"url": "lang", "valueCode": language}, {"url": "content", "valueString": texts[language]}],
        }
        for language in TRANSLATED_LANGUAGES
        if texts.get(language)
    ]
    return {"extension": extensions} if extensions else None


def _fhir_name(code: str) -> str:
    # A computer-friendly name: starts with a capital letter, then letters, digits and underscores.
    cleaned = "".join(ch if ch.isalnum() else "_" for ch in code.upper())
    return cleaned if cleaned[:1].isalpha() else f"Q{cleaned}"


def questionnaire_resource(instrument: Instrument) -> dict[str, Any]:
    """The instrument as a FHIR R4 Questionnaire."""
    options = [
        {
            "valueCoding": {
                "extension": [{"url": ORDINAL_VALUE, "valueDecimal": option.value}],
                "system": answers_system(instrument),
                "code": str(option.value),
                "display": option.label_in("en"),
            }
        }
        for option in instrument.options
    ]
    items: list[dict[str, Any]] = []
    for item in instrument.items:
        entry: dict[str, Any] = {
            "linkId": item.link_id,
            "prefix": str(item.position),
            "text": item.text_in("en"),
            "type": "choice",
            "required": True,
            "answerOption": options,
        }
        translated = _translated(item.text)
        if translated:
            entry["_text"] = translated
        items.append(entry)
    loinc = LOINC_CODES.get(instrument.code)
    total: dict[str, Any] = {
        "linkId": total_link_id(instrument),
        "text": "Total score",
        "type": "integer",
        "readOnly": True,
    }
    if loinc:
        total["code"] = [{"system": LOINC, "code": loinc.total, "display": loinc.total_display}]
    items.append(total)
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": instrument.code,
        "url": questionnaire_url(instrument),
        "version": instrument.version,
        "name": _fhir_name(instrument.code),
        "title": instrument.title_in("en"),
        "status": "active",
        "subjectType": ["Patient"],
        "description": instrument.stem_in("en"),
        "copyright": instrument.source.copyright,
        "item": items,
    }
    title_translation = _translated(instrument.title)
    if title_translation:
        resource["_title"] = title_translation
    if loinc:
        resource["code"] = [{"system": LOINC, "code": loinc.panel, "display": loinc.panel_display}]
    return resource


def _instant(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def questionnaire_response_resource(
    *,
    response_id: int,
    instrument: Instrument,
    patient_id: int,
    answers: Mapping[str, int],
    total: int,
    completed_at: datetime.datetime,
    language: str = "en",
) -> dict[str, Any]:
    """A completed questionnaire as a FHIR R4 QuestionnaireResponse (items in the instrument's order)."""
    labels = {option.value: option.label_in("en") for option in instrument.options}
    items: list[dict[str, Any]] = []
    for item in instrument.items:
        if item.link_id not in answers:
            continue
        value = answers[item.link_id]
        items.append(
            {
                "linkId": item.link_id,
                "text": item.text_in("en"),
                "answer": [
                    {
                        "valueCoding": {
                            "system": answers_system(instrument),
                            "code": str(value),
                            "display": labels.get(value, str(value)),
                        }
                    }
                ],
            }
        )
    items.append({"linkId": total_link_id(instrument), "text": "Total score", "answer": [{"valueInteger": total}]})
    return {
        "resourceType": "QuestionnaireResponse",
        "id": str(response_id),
        "language": language,
        "questionnaire": f"{questionnaire_url(instrument)}|{instrument.version}",
        "status": "completed",
        "subject": {"reference": f"Patient/{fhir_patient_id(patient_id)}", "type": "Patient"},
        "authored": _instant(completed_at),
        "item": items,
    }


def operation_outcome(*, code: str, diagnostics: str) -> dict[str, Any]:
    """A FHIR error body ("not-found", "forbidden", ...)."""
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": code, "diagnostics": diagnostics}],
    }
