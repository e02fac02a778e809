from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Answer what a caller can cause with a 4xx in JSON, never a 500 page."""
    if isinstance(exc, RequestDataTooBig):
        return Response({"detail": "Request body too large."}, status=413)
    if isinstance(exc, TooManyFieldsSent):
        return Response({"detail": "Too many fields in the request."}, status=400)
    if isinstance(exc, DjangoValidationError):
        # A service refused the change: one message per field, as serializers answer.
        if hasattr(exc, "error_dict"):
            return Response(dict(exc.message_dict), status=400)
        return Response({"non_field_errors": exc.messages}, status=400)
    return exception_handler(exc, context)
