"""Gating and the offer: which submissions are offered times, and what the acknowledgement carries."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings

from clinic.core.link_tokens import link_token_digest
from clinic.messaging.models import OutboundMessage
from clinic.selfbooking.models import SelfBookingOffer
from clinic.selfbooking.selectors import offer_by_token, offered_times
from tests.selfbooking.world import TUESDAY_9AM, World, submit

pytestmark = pytest.mark.django_db


def test_an_adult_with_allowed_answers_is_offered_times_and_a_link_in_the_text(world: World) -> None:
    outcome, token = submit()
    assert token
    offer = SelfBookingOffer.objects.get(submission=outcome.submission)
    assert offer.token_hash == link_token_digest(token) and token not in offer.token_hash  # only the hash is kept
    text = OutboundMessage.objects.get(inquiry_id=outcome.inquiry.pk)
    link = f"{settings.PUBLIC_BASE_URL}/b/{token}/"
    assert link in text.body
    assert str(outcome.inquiry.pk) not in link.removeprefix(settings.PUBLIC_BASE_URL)
    times = offered_times(world.consult)
    assert len(times) == world.consult.slots_shown
    assert times[0] == TUESDAY_9AM  # 24 h ahead at the earliest, in the location's working hours
    assert times[:4] == [TUESDAY_9AM + datetime.timedelta(minutes=m) for m in (0, 15, 30, 24 * 60)]  # 3 a day


def test_an_excluded_reason_leaves_the_person_to_a_call_and_the_plain_acknowledgement(world: World) -> None:
    outcome, token = submit(reasons=["depression", "other"])
    assert token == ""
    assert not SelfBookingOffer.objects.exists()
    text = OutboundMessage.objects.get(inquiry_id=outcome.inquiry.pk)
    assert "/b/" not in text.body and "care team will contact you" in text.body


def test_a_location_with_self_booking_off_offers_nothing(world: World) -> None:
    world.setup.enabled = False
    world.setup.save()
    assert submit()[1] == ""


def test_an_email_acknowledgement_carries_the_link_in_the_persons_language(world: World) -> None:
    outcome, token = submit(preferred_contact_method="email", sms_consent=False, preferred_language="es")
    email = OutboundMessage.objects.get(inquiry_id=outcome.inquiry.pk, channel=OutboundMessage.Channel.EMAIL)
    assert f"/b/{token}/" in email.body
    assert "Puede elegir" in email.body


def test_the_offer_never_depends_on_what_is_stored_about_the_person(world: World) -> None:
    first, first_token = submit()
    again, again_token = submit(reasons=["anxiety"])  # the same number a moment later: merged
    assert again.merged and again.inquiry == first.inquiry
    assert first_token and again_token and first_token != again_token
    assert offer_by_token(again_token) is not None
