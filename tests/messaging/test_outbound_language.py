"""Texts and emails go out in the patient's language: wording, dates, times and preparation instructions."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator

import pytest
import time_machine
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings
from rest_framework.test import APIClient

from clinic.accounts.actor import Actor
from clinic.core.models import Clinic
from clinic.intake.services import InquiryInput, inquiry_submit
from clinic.messaging.models import OutboundMessage
from clinic.messaging.outbox import outbox_claim_due
from clinic.messaging.segments import sms_segments, sms_segments_allowed
from clinic.messaging.sending import outbox_send_batch
from clinic.messaging.wording import forbidden_words_in
from clinic.patients.models import Patient
from clinic.scheduling.models import Appointment, Provider, SessionType
from clinic.scheduling.reminders import reminder_related_id
from clinic.scheduling.services import Booking, appointment_book, appointment_check_in, appointment_complete
from tests.factories import ClinicFactory, PatientFactory, ProviderFactory, RoomFactory, SessionTypeFactory
from tests.support.clock import local
from tests.support.sandbox import sandbox_emails_to

pytestmark = pytest.mark.django_db
NOBODY = Actor(user=None)
PREP_EN = "Please have nothing to eat for 6 hours before your visit. Arrange an adult to drive you home."
PREP_ES = "No coma nada durante las 6 horas previas. Venga con un adulto que le lleve a casa en auto."


@pytest.fixture
def clinic() -> Clinic:
    return ClinicFactory()


@pytest.fixture
def provider(clinic: Clinic) -> Provider:
    RoomFactory(clinic=clinic)
    return ProviderFactory(clinic=clinic, hours=[(day, datetime.time(7), datetime.time(19)) for day in range(7)])


@pytest.fixture
def infusion(clinic: Clinic) -> SessionType:
    return SessionTypeFactory(clinic=clinic, preparation_instructions=PREP_EN, preparation_translations={"es": PREP_ES})


@pytest.fixture
def at_monday_noon() -> Iterator[None]:
    with time_machine.travel(local(2026, 12, 7, 12), tick=False):
        yield


def book(provider: Provider, session_type: SessionType, starts_at: datetime.datetime, **patient: object) -> Appointment:
    return appointment_book(
        actor=NOBODY,
        booking=Booking(
            patient=PatientFactory(first_name="Lucía", **patient),
            provider=provider,
            session_type=session_type,
            starts_at=starts_at,
        ),
    )


def reminders_of(appointment: Appointment) -> list[OutboundMessage]:
    return list(
        OutboundMessage.objects.filter(kind=OutboundMessage.Kind.REMINDER, patient=appointment.patient).order_by(
            "send_after"
        )
    )


@pytest.mark.usefixtures("at_monday_noon")
def test_a_spanish_speaking_patient_gets_her_reminders_in_spanish(provider: Provider, infusion: SessionType) -> None:
    appointment = book(provider, infusion, local(2026, 12, 10, 14, 0), language="es")

    reminders = reminders_of(appointment)

    assert len(reminders) == 2 and {r.language for r in reminders} == {"es"}
    assert reminders[0].body.startswith(
        f"Harbor Clinic: Hola Lucía, le esperamos el jueves, 10 de diciembre, 2:00 PM. {PREP_ES} "
        "Responda SI para confirmar. Para cambiar o cancelar: http"
    )
    body = reminders[0].body
    assert forbidden_words_in(body) == [] and sms_segments(body) <= sms_segments_allowed(body)


@pytest.mark.usefixtures("at_monday_noon")
def test_the_same_booking_for_an_english_speaker_is_unchanged(provider: Provider, infusion: SessionType) -> None:
    appointment = book(provider, infusion, local(2026, 12, 10, 14, 0))

    body = reminders_of(appointment)[0].body

    assert body.startswith(
        f"Harbor Clinic: Hi Lucía, see you Thursday, December 10 at 2:00 PM. {PREP_EN} "
        "Reply C to confirm. To change or cancel: http"
    )
    assert reminders_of(appointment)[0].language == "en"


@pytest.mark.usefixtures("at_monday_noon")
def test_without_spanish_instructions_the_english_ones_go_rather_than_none(provider: Provider, clinic: Clinic) -> None:
    untranslated = SessionTypeFactory(clinic=clinic, preparation_instructions=PREP_EN)

    body = reminders_of(book(provider, untranslated, local(2026, 12, 10, 9, 30), language="es"))[0].body

    assert body.startswith("Harbor Clinic: Hola Lucía, le esperamos el jueves, 10 de diciembre, 9:30 AM")
    assert PREP_EN in body


@pytest.mark.usefixtures("at_monday_noon")
def test_a_patient_in_another_zone_reads_both_times_in_spanish(provider: Provider, infusion: SessionType) -> None:
    appointment = book(provider, infusion, local(2026, 12, 12, 10, 0), language="es", timezone="America/Phoenix")

    body = reminders_of(appointment)[0].body

    # Saturday: "sábado" carries an á, so this text is UCS-2 and may take up to seven parts.
    assert "le esperamos el sábado, 12 de diciembre, 10:00 AM ET (8:00 AM en su zona)." in body
    assert sms_segments_allowed(body) == 7 and sms_segments(body) <= 7


def test_check_in_questions_follow_the_patients_language(provider: Provider, infusion: SessionType) -> None:
    with time_machine.travel(local(2026, 12, 4, 12), tick=False):
        appointment = book(provider, infusion, local(2026, 12, 7, 10, 0), language="es")
    with time_machine.travel(local(2026, 12, 7, 11, 50), tick=False):
        appointment_check_in(actor=NOBODY, appointment=appointment)
        appointment_complete(actor=NOBODY, appointment=appointment)

    texts = OutboundMessage.objects.filter(kind=OutboundMessage.Kind.CHECKIN, patient=appointment.patient)
    home_safe = texts.get(template="checkin_home_safe")
    assert home_safe.language == "es"
    assert home_safe.body == (
        "Harbor Clinic: Hola Lucía, le escribimos después de su visita de hoy. ¿Llegó bien a casa? "
        "Responda OK si llegó bien, o LLAMAR si quiere que le llamemos."
    )
    phq2 = texts.get(template="checkin_phq2_interest")
    assert "¿con qué frecuencia ha tenido poco interés o placer en hacer las cosas?" in phq2.body
    assert all(forbidden_words_in(text.body) == [] for text in texts)


def test_the_acknowledgement_is_in_the_language_asked_on_the_form(clinic: Clinic) -> None:
    data = InquiryInput(
        first_name="Mateo",
        last_name="Ruiz",
        phone="+16175550142",
        preferred_contact_method="sms",
        sms_consent=True,
        preferred_language="es",
    )

    inquiry_submit(data=data, source="api")

    ack = OutboundMessage.objects.get(kind=OutboundMessage.Kind.INQUIRY_ACK)
    assert ack.language == "es"
    assert ack.body == (
        "Harbor Clinic: Hola Mateo, recibimos su mensaje y nuestro equipo se comunicará con usted en un día hábil. "
        "Responda AYUDA para ayuda, PARAR para no recibir más mensajes."
    )


def test_a_spanish_email_reminder_has_its_footer_and_unsubscribe_line_in_spanish(
    provider: Provider, infusion: SessionType, settings: Settings, clinic: Clinic
) -> None:
    settings.EMAIL_BACKEND = settings.SANDBOX_EMAIL_BACKEND
    Clinic.objects.filter(pk=clinic.pk).update(
        texting_starts=datetime.time(0, 0), texting_ends=datetime.time(23, 59, 59)
    )
    with time_machine.travel(local(2026, 12, 7, 12), tick=False):
        appointment = book(
            provider,
            infusion,
            local(2026, 12, 8, 14, 0),
            language="es",
            email="lucia@example.com",
            reminder_channel=Patient.ReminderChannel.EMAIL,
            email_consent_at=timezone.now(),
            email_consent_version="2026-12-email-v1",
            email_consent_source="staff",
            email_consent_address="lucia@example.com",
        )
        outbox_send_batch(message_ids=outbox_claim_due(limit=10, enqueue=False))

    reminder = reminders_of(appointment)[0]
    assert reminder.channel == OutboundMessage.Channel.EMAIL and reminder.language == "es"
    assert reminder.subject == "Harbor Clinic: su cita del martes, 8 de diciembre"
    (sent,) = sandbox_emails_to("lucia@example.com")
    assert "Le recordamos su cita del martes, 8 de diciembre, 2:00 PM" in sent.text_body
    assert (
        "envíe AYUDA al 988" in sent.text_body and "Para dejar de recibir correos de Harbor Clinic:" in sent.text_body
    )
    assert '<html lang="es">' in sent.html_body


def test_a_clinic_admin_writes_the_spanish_preparation_and_its_rules_hold(
    clinic_admin: AbstractBaseUser, infusion: SessionType
) -> None:
    client = Client()
    client.force_login(clinic_admin)
    url = f"/admin/scheduling/sessiontype/{infusion.pk}/change/"
    form = client.get(url)
    assert form.status_code == 200 and "Preparation instructions (Español)" in form.content.decode()

    fields = {
        "clinic": infusion.clinic_id,
        "name": infusion.name,
        "slug": infusion.slug,
        "duration_minutes": infusion.duration_minutes,
        "monitoring_minutes": infusion.monitoring_minutes,
        "mode": infusion.mode,
        "fasting_hours": 6,
        "preparation_instructions": PREP_EN,
        "reminder_hours": "[48, 3]",
        "color": infusion.color,
        "is_active": "on",
    }
    for inline in form.context["inline_admin_formsets"]:  # the check-in plan, empty here
        prefix = inline.formset.prefix
        fields.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    refused = client.post(url, {**fields, "preparation_es": "Traiga a alguien: tras la ketamina no puede manejar."})
    assert refused.status_code == 200 and "ketamina" in refused.content.decode()
    infusion.refresh_from_db()
    assert infusion.preparation_translations == {"es": PREP_ES}

    saved = client.post(url, {**fields, "preparation_es": "Venga en ayunas de 6 horas."})
    assert saved.status_code == 302
    infusion.refresh_from_db()
    assert infusion.preparation_translations == {"es": "Venga en ayunas de 6 horas."}
    assert infusion.preparation_in("es") == "Venga en ayunas de 6 horas." and infusion.preparation_in("en") == PREP_EN


def test_a_patient_who_changes_language_gets_the_texts_already_written_in_the_new_one(
    provider: Provider,
    infusion: SessionType,
    api_as: Callable[[AbstractBaseUser], APIClient],
    front_desk: AbstractBaseUser,
) -> None:
    with time_machine.travel(local(2026, 12, 4, 12), tick=False):
        done = book(provider, infusion, local(2026, 12, 7, 10, 0))
    patient = done.patient
    with time_machine.travel(local(2026, 12, 7, 11, 50), tick=False):
        appointment_check_in(actor=NOBODY, appointment=done)
        appointment_complete(actor=NOBODY, appointment=done)
        coming = appointment_book(
            actor=NOBODY,
            booking=Booking(
                patient=patient, provider=provider, session_type=infusion, starts_at=local(2026, 12, 11, 14, 0)
            ),
        )

    def coming_reminders() -> list[OutboundMessage]:
        related_id = reminder_related_id(coming.pk, coming.starts_at)
        return list(OutboundMessage.objects.filter(related_id=related_id).order_by("send_after"))

    sent = coming_reminders()[0]
    OutboundMessage.objects.filter(pk=sent.pk).update(status=OutboundMessage.Status.SENT)

    with time_machine.travel(local(2026, 12, 7, 12, 0), tick=False):
        response = api_as(front_desk).patch(f"/api/v1/patients/{patient.pk}/", {"language": "es"}, format="json")
    assert response.status_code == 200 and response.json()["language"] == "es"

    sent.refresh_from_db()
    assert sent.language == "en" and sent.body.startswith("Harbor Clinic: Hi Lucía")  # already on its way
    waiting = coming_reminders()[1]
    assert waiting.language == "es"
    assert waiting.body.startswith(
        f"Harbor Clinic: Hola Lucía, le esperamos el viernes, 11 de diciembre, 2:00 PM. {PREP_ES} "
        "Responda SI para confirmar. Para cambiar o cancelar: http"
    )
    questions = OutboundMessage.objects.filter(kind=OutboundMessage.Kind.CHECKIN, patient=patient)
    assert questions.exists() and {q.language for q in questions} == {"es"}
    moods = questions.filter(template="checkin_mood")
    assert moods.count() == 2 and all(
        mood.body.startswith("Harbor Clinic: Hola Lucía, ¿cómo se siente hoy, del 0 (peor) al 10 (mejor)?")
        for mood in moods
    )
