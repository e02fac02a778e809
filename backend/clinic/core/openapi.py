"""The OpenAPI schema generator: each operation also documents the error answers DRF and our views give."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny


class ErrorDetailSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()


NOT_SIGNED_IN = OpenApiResponse(ErrorDetailSerializer, description="No credentials, or a token that is not valid.")
NOT_ALLOWED = OpenApiResponse(ErrorDetailSerializer, description="The caller's roles do not allow this.")
NOT_FOUND = OpenApiResponse(ErrorDetailSerializer, description="No such object, or no such page of results.")
THROTTLED = OpenApiResponse(ErrorDetailSerializer, description="Too many requests from this address; retry later.")
UNSUPPORTED_BODY = OpenApiResponse(ErrorDetailSerializer, description="The body's content type is not one it reads.")
INVALID = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="The request is not valid: one entry per bad field (or parameter), each with its messages.",
)
PAGINATION_PARAMETERS = frozenset({"page", "page_size"})


class ClinicAutoSchema(AutoSchema):
    """Add 400, 401, 403, 404, 415 and 429 to the operations that can answer them, so clients can rely on the list."""

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, response in self._error_responses().items():
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code, direction=direction)  # type: ignore[no-untyped-call]
        return responses

    def _get_parameters(self) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super()._get_parameters()
        for parameter in parameters:
            # DRF reads an optional query value left empty ("?status=") as not given; say so.
            if parameter["in"] == "query" and not parameter.get("required"):
                parameter["allowEmptyValue"] = True
        return parameters

    def _error_responses(self) -> dict[str, OpenApiResponse]:
        errors: dict[str, OpenApiResponse] = {}
        if self.method in ("POST", "PUT", "PATCH") or self._takes_filters():
            errors["400"] = INVALID
        # DRF authenticates before anything else: a bad token is refused even where anyone may call.
        if self.view.get_authenticators():
            errors["401"] = NOT_SIGNED_IN
        if not all(isinstance(permission, AllowAny) for permission in self.view.get_permissions()):
            errors["403"] = NOT_ALLOWED
        paginated = self._is_list_view() and self._get_paginator() is not None  # type: ignore[no-untyped-call]
        if "{" in self.path or paginated:
            errors["404"] = NOT_FOUND
        if self.method in ("POST", "PUT", "PATCH"):
            errors["415"] = UNSUPPORTED_BODY
        if self.view.get_throttles():
            errors["429"] = THROTTLED
        return errors

    def _takes_filters(self) -> bool:
        return any(
            parameter["in"] == "query" and parameter["name"] not in PAGINATION_PARAMETERS
            for parameter in self._get_parameters()
        )
