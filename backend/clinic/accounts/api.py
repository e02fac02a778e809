from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clinic.core.openapi import ErrorDetailSerializer

from .roles import user_roles


class TokenObtainView(ObtainAuthToken):
    """Exchange a staff username and password for an API token (locked out after repeated misses)."""

    permission_classes = [AllowAny]

    @extend_schema(
        request=inline_serializer(
            name="TokenRequest", fields={"username": serializers.CharField(), "password": serializers.CharField()}
        ),
        responses={
            200: inline_serializer(name="TokenResponse", fields={"token": serializers.CharField()}),
            429: OpenApiResponse(ErrorDetailSerializer, description="Locked out after repeated failed sign-ins."),
        },
        auth=[],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            return super().post(request, *args, **kwargs)
        except ValidationError:
            # django-axes marks the request when this username and address are locked out.
            if getattr(request, "axes_locked_out", False):
                return Response(
                    {"detail": "Too many failed sign-in attempts. Try again later or ask a clinic admin."},
                    status=429,
                )
            raise


class MeView(APIView):
    """Who the caller is and which roles they hold."""

    @extend_schema(
        responses=inline_serializer(
            name="Me",
            fields={
                "id": serializers.IntegerField(),
                "username": serializers.CharField(),
                "roles": serializers.ListField(child=serializers.CharField()),
            },
        )
    )
    def get(self, request: Request) -> Response:
        user = request.user
        return Response({"id": user.pk, "username": user.get_username(), "roles": user_roles(user)})
