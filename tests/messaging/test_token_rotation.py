"""Rotating the Twilio auth token: for a while, webhooks signed with the previous token still count."""

from __future__ import annotations

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

from clinic.messaging.models import InboundMessage
from tests.support.sandbox import SMS_PATH, inbound_params, post_signed, twilio_signature

pytestmark = pytest.mark.django_db

OLD = "old-token-before-rotation"
NEW = "new-token-after-rotation"


def signed_with(token: str, params: dict[str, str]) -> str:
    return twilio_signature(SMS_PATH, params, token=token)


def test_a_text_signed_with_the_previous_token_is_accepted_during_rotation(settings: Settings) -> None:
    settings.TWILIO_AUTH_TOKEN = NEW
    settings.TWILIO_AUTH_TOKEN_PREVIOUS = OLD
    old = inbound_params("C", sid="SM" + "1" * 32)
    new = inbound_params("C", sid="SM" + "2" * 32)
    assert post_signed(Client(), SMS_PATH, old, signature=signed_with(OLD, old)).status_code == 200
    assert post_signed(Client(), SMS_PATH, new, signature=signed_with(NEW, new)).status_code == 200
    assert InboundMessage.objects.count() == 2


def test_once_rotation_ends_the_previous_token_is_refused(settings: Settings) -> None:
    settings.TWILIO_AUTH_TOKEN = NEW
    settings.TWILIO_AUTH_TOKEN_PREVIOUS = ""
    old = inbound_params("C", sid="SM" + "3" * 32)
    assert post_signed(Client(), SMS_PATH, old, signature=signed_with(OLD, old)).status_code == 403
    assert InboundMessage.objects.count() == 0
