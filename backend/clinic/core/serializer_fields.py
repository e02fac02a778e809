"""Serializer fields every API shares: trimmed, storable text and phone numbers as people write them."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from clinic.core.phone import phone_to_e164
from clinic.core.validators import validate_encodable_text


def text_field(max_length: int, *, required: bool = False, **kwargs: Any) -> serializers.CharField:
    """A trimmed text field that refuses what PostgreSQL cannot store (NUL, lone surrogates)."""
    return serializers.CharField(
        max_length=max_length,
        required=required,
        allow_blank=not required,
        trim_whitespace=True,
        validators=[validate_encodable_text],
        **kwargs,
    )


class PhoneField(serializers.CharField):
    """A phone number as written by a person; represented and stored in E.164."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        text = super().to_internal_value(data)
        try:
            return phone_to_e164(text)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages[0]) from exc
