"""Clinic admins may reword texts; a wording with unknown placeholders, drug names or too many parts is refused."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.test import Client

from clinic.messaging.models import MessageTemplate
from clinic.messaging.segments import sms_segments
from clinic.messaging.texts import text_render
from clinic.messaging.wording import SAMPLE_VALUES, TEXTS, text_default, text_problems

pytestmark = pytest.mark.django_db
LANGUAGES = ["en", "es"]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", sorted(TEXTS))
def test_every_default_wording_passes_its_own_checks_in_every_language(name: str, language: str) -> None:
    wording = text_default(name, language)
    assert text_problems(name, wording, language) == []
    if language != "en":  # translated, not the English sent as it is
        assert wording != text_default(name, "en")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("{clinic}: see you {when}.", "Unknown placeholders: {when}"),
        ("{clinic}: your ketamine session is on {date} at {time}.", "remove ketamine"),
        ("{clinic}: your Spravato visit for depression on {date}.", "remove depression, spravato"),
        ("{clinic}: reminder {date} {time} " + "x" * 420, "Too long"),
        ("{clinic: broken", "braces"),
    ],
)
def test_bad_wordings_are_refused_with_a_reason(body: str, expected: str) -> None:
    problems = " ".join(text_problems("appointment_reminder", body))

    assert expected in problems


def test_length_is_measured_with_long_names_and_instructions() -> None:
    # Short on its face, but a reminder may carry 225 characters of preparation instructions.
    body = "{clinic}: Hi {first_name}, {date} at {time}. {preparation}" + "y" * 200
    assert sms_segments(body.format(**SAMPLE_VALUES["en"])) > 3
    assert any("Too long" in problem for problem in text_problems("appointment_reminder", body))


def test_the_crisis_text_must_keep_988_and_911() -> None:
    assert text_problems("crisis", "Please call us back.") == ["This text must keep: 988, 911."]


def test_a_saved_wording_replaces_the_default_and_a_bad_one_cannot_be_saved() -> None:
    MessageTemplate(
        name="inquiry_ack", body="{clinic}: Thanks {first_name}, we will call you soon. STOP to opt out."
    ).full_clean()
    MessageTemplate.objects.create(
        name="inquiry_ack", body="{clinic}: Thanks {first_name}, we will call you soon. STOP to opt out."
    )
    assert text_render("inquiry_ack", language="en", clinic="Harbor", first_name="Ana") == (
        "Harbor: Thanks Ana, we will call you soon. STOP to opt out."
    )
    with pytest.raises(ValidationError) as error:
        MessageTemplate(name="help", body="Call us about your bipolar care {clinic}").full_clean()
    assert "must keep: STOP" in str(error.value) and "bipolar" in str(error.value)
    with pytest.raises(ValidationError, match="no text called"):
        MessageTemplate(name="nonsense", body="hello").full_clean()


def test_clinic_admin_rewords_a_text_in_the_admin_and_sees_why_a_wording_is_refused(
    clinic_admin: AbstractBaseUser,
) -> None:
    client = Client()
    client.force_login(clinic_admin)
    add_url = "/admin/messaging/messagetemplate/add/"

    refused = client.post(
        add_url, {"name": "appointment_reminder", "language": "en", "body": "{clinic}: your ketamine visit {date}"}
    )
    assert refused.status_code == 200
    assert "remove ketamine" in refused.content.decode()
    assert not MessageTemplate.objects.exists()

    body = "{clinic}: {first_name}, see you {date} at {time}. {preparation}Reply C to confirm, R to reschedule."
    accepted = client.post(add_url, {"name": "appointment_reminder", "language": "en", "body": body})
    assert accepted.status_code == 302
    assert MessageTemplate.objects.get().updated_by == clinic_admin


def test_each_language_has_its_own_wording_checked_by_the_same_rules(clinic_admin: AbstractBaseUser) -> None:
    client = Client()
    client.force_login(clinic_admin)
    add_url = "/admin/messaging/messagetemplate/add/"
    refused = client.post(
        add_url,
        {"name": "appointment_reminder", "language": "es", "body": "{clinic}: su sesión de ketamina el {date}"},
    )
    assert refused.status_code == 200 and "remove ketamina" in refused.content.decode()
    crisis = client.post(add_url, {"name": "crisis", "language": "es", "body": "Llámenos si necesita ayuda."})
    assert crisis.status_code == 200 and "This text must keep: 988, 911." in crisis.content.decode()
    # Accents make a text UCS-2: 67 characters a part, seven parts at most.
    too_long = client.post(add_url, {"name": "checkin_thanks", "language": "es", "body": "Gracias, ¿sí? " + "á" * 460})
    assert too_long.status_code == 200 and "it takes 8 SMS parts; at most 7" in too_long.content.decode()

    spanish = "{clinic}: {first_name}, ¿sigue en pie su cita del {date}, {time}? {preparation}Responda SI o R."
    assert client.post(add_url, {"name": "appointment_reminder", "language": "es", "body": spanish}).status_code == 302
    assert (
        client.post(add_url, {"name": "appointment_reminder", "language": "es", "body": spanish}).status_code == 200
    )  # one wording per text and language
    english = text_render(
        "appointment_reminder",
        language="en",
        clinic="H",
        first_name="Ana",
        date="d",
        time="t",
        preparation="",
        link="L",
    )
    assert english == text_default("appointment_reminder", "en").format(
        clinic="H", first_name="Ana", date="d", time="t", preparation="", link="L"
    )
    assert (
        text_render(
            "appointment_reminder",
            language="es",
            clinic="H",
            first_name="Ana",
            date="d",
            time="t",
            preparation="",
            link="L",
        )
        == "H: Ana, ¿sigue en pie su cita del d, t? Responda SI o R."
    )
    # A language the clinic does not offer falls back to English rather than failing.
    assert (
        text_render(
            "appointment_reminder",
            language="fr",
            clinic="H",
            first_name="Ana",
            date="d",
            time="t",
            preparation="",
            link="L",
        )
        == english
    )


def test_front_desk_cannot_reword_texts(front_desk: AbstractBaseUser) -> None:
    client = Client()
    client.force_login(front_desk)
    assert client.get("/admin/messaging/messagetemplate/add/").status_code == 403
