from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clinic.core.client_ip import client_ip
from clinic.core.openapi import ErrorDetailSerializer

from .actor import Actor
from .locations import staff_location_ids
from .roles import user_roles
from .tokens import api_token_find, api_token_issue, api_token_revoke


class StaffMemberSerializer(serializers.Serializer[Any]):
    """A staff member as other records name them (who acknowledged, who did it): id and username only."""

    id = serializers.IntegerField()
    username = serializers.CharField()


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
        serializer = self.get_serializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except ValidationError:
            # django-axes marks the request when this username and address are locked out.
            if getattr(request, "axes_locked_out", False):
                return Response(
                    {"detail": "Too many failed sign-in attempts. Try again later or ask a clinic admin."},
                    status=429,
                )
            raise
        user = serializer.validated_data["user"]
        # A new key each time: only its hash is kept, so an earlier one cannot be shown again.
        _, key = api_token_issue(user=user, by=Actor(user=user, ip=client_ip(request)))
        return Response({"token": key})


class TokenRevokeSerializer(serializers.Serializer[Any]):
    token = serializers.CharField(max_length=200, help_text="The key to revoke: one of your own tokens.")


class TokenRevokeView(APIView):
    """Revoke one of your own API tokens (the one you sign in with, or another of yours)."""

    @extend_schema(
        request=TokenRevokeSerializer,
        responses={
            200: inline_serializer(name="TokenRevoked", fields={"revoked": serializers.BooleanField()}),
            404: OpenApiResponse(ErrorDetailSerializer, description="No active token of yours has this key."),
        },
    )
    def post(self, request: Request) -> Response:
        payload = TokenRevokeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        token = api_token_find(payload.validated_data["token"])
        if token is None or token.user_id != request.user.pk:
            raise NotFound("No active token of yours has this key.")
        api_token_revoke(token=token, by=Actor.from_request(request))
        return Response({"revoked": True})


class MeView(APIView):
    """Who the caller is, which roles they hold, and the locations they are limited to (null: every location)."""

    @extend_schema(
        responses=inline_serializer(
            name="Me",
            fields={
                "id": serializers.IntegerField(),
                "username": serializers.CharField(),
                "roles": serializers.ListField(child=serializers.CharField()),
                "locations": serializers.ListField(
                    child=serializers.IntegerField(),
                    allow_null=True,
                    help_text="The ids of the locations whose records you see; null: every location.",
                ),
            },
        )
    )
    def get(self, request: Request) -> Response:
        user = request.user
        locations = staff_location_ids(user)
        return Response(
            {
                "id": user.pk,
                "username": user.get_username(),
                "roles": user_roles(user),
                "locations": None if locations is None else sorted(locations),
            }
        )
