"""Validation against HL7's official FHIR R4 JSON Schema (fhir_r4/, read from disk: nothing is downloaded)."""

from __future__ import annotations

import functools
import gzip
import json
from pathlib import Path
from typing import Any

from jsonschema import Draft6Validator

SCHEMA_PATH = Path(__file__).parent / "fhir_r4" / "fhir.schema.json.gz"


@functools.cache
def _schema() -> dict[str, Any]:
    with gzip.open(SCHEMA_PATH, "rt", encoding="utf-8") as file:
        schema: dict[str, Any] = json.load(file)
    return schema


@functools.cache
def _validator(resource_type: str) -> Draft6Validator:
    schema = _schema()
    assert resource_type in schema["definitions"], f"R4 has no resource {resource_type}"
    # The resource's own definition, resolving its references within the whole schema.
    return Draft6Validator({"$ref": f"#/definitions/{resource_type}", "definitions": schema["definitions"]})


def fhir_errors(resource: dict[str, Any]) -> list[str]:
    """Every way `resource` breaks the R4 schema, as "path: message" lines (none: it is valid)."""
    validator = _validator(str(resource.get("resourceType")))
    return [
        f"{'/'.join(str(part) for part in error.absolute_path) or '(root)'}: {error.message}"
        for error in sorted(validator.iter_errors(resource), key=lambda e: list(map(str, e.absolute_path)))
    ]
