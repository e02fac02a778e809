from __future__ import annotations

from typing import Any

from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from .tokens import api_token_find, api_token_touch


class HashedTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`, checked against the stored hash (accounts.ApiToken)."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        token = api_token_find(key)
        if token is None:
            raise AuthenticationFailed("Invalid token.")
        if not token.user.is_active:
            raise AuthenticationFailed("User inactive or deleted.")
        api_token_touch(token=token)
        return token.user, token
