"""The public inquiry form as a client sends it to the API."""

from __future__ import annotations

from typing import Any

INQUIRY_URL = "/api/v1/inquiries/"


def inquiry_payload(**overrides: Any) -> dict[str, Any]:
    """A complete, valid inquiry (Dana Whitlock, texts welcome); `overrides` replace or add fields."""
    payload: dict[str, Any] = {
        "first_name": "Dana",
        "last_name": "Whitlock",
        "phone": "(617) 555-0142",
        "email": "dana@example.com",
        "preferred_contact_method": "sms",
        "best_time_to_reach": "weekday mornings",
        "reasons": ["depression", "ptsd"],
        "prior_treatments": "Two SSRIs, CBT",
        "message": "I would like to learn whether I am a candidate.",
        "sms_consent": True,
        "privacy_acknowledged": True,
        "is_adult": True,
    }
    payload.update(overrides)
    return payload
