"""Patients' answers about their next session: confirm (C), reschedule (R), ride arranged (RIDE), in English
and Spanish, and a request to move the visit in their own words ("can't make it", "no puedo ir").

Each answer refers to the patient's next upcoming session. A keyword reply that has nothing to act on is
answered helpfully; it is never dropped in silence. A request in the patient's own words is acted on only
when the number is one patient's with a session ahead; otherwise it waits in the staff inbox, where someone
reads it. "Cancel my appointment" / "cancelar mi cita" is not read here (cancelling is a conversation, and a
text that sounds like one can be crisis language in disguise, which is read first anyway): it reaches the
staff inbox as it is.
"""

from __future__ import annotations

import datetime
import re

from django.db import transaction
from django.utils import timezone

from clinic.accounts.actor import Actor
from clinic.core.clinics import clinic_current, clinic_text_values
from clinic.core.languages import LANGUAGE_DEFAULT
from clinic.core.models import Clinic
from clinic.core.sweeps import sweep_row
from clinic.core.text import accents_fold, quotes_straighten
from clinic.messaging.inbound import Routed, keywords_of, reply_language
from clinic.messaging.models import InboundMessage
from clinic.messaging.texts import text_render
from clinic.patients.models import Patient
from clinic.todos.models import StaffTask
from clinic.todos.services import staff_task_open

from .models import Appointment
from .patient_links import reschedule_answer
from .services import appointment_confirm
from .session_time import session_time_values

# Keywords, read with accents folded and courtesy dropped ("Sí, confirmo, gracias" is SI CONFIRMO): a reply
# made only of one kind's keywords is that answer.
CONFIRM_WORDS = frozenset({"C", "YES", "CONFIRM", "CONFIRMED", "SI", "CONFIRMO", "CONFIRMADO", "CONFIRMADA"})
RESCHEDULE_WORDS = frozenset({"R", "RESCHEDULE", "REPROGRAMAR", "REAGENDAR", "CAMBIAR"})
# CHOFER and CONDUCTOR name the driver, as DRIVER does. Not LISTO ("ready", "done": an answer to anything)
# nor TRANSPORTE ("transporte?" asks about it): a ride wrongly marked arranged takes away front desk's call
# about how the patient gets home after a session they must not drive after.
RIDE_WORDS = frozenset({"RIDE", "DRIVER", "CHOFER", "CONDUCTOR"})
UPCOMING = (Appointment.Status.SCHEDULED, Appointment.Status.CONFIRMED)

_DAY = (
    r"(?:today|tonight|tomorrow|tmrw|monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|"
    r"thu|thur|thurs|fri|sat|sun|next\s+week|this\s+week|the\s+\d+\w*|\d+\w*)"
)
_DIA = r"(?:hoy|manana|pasado\s+manana|lunes|martes|miercoles|jueves|viernes|sabado|domingo|la\s+otra\s+semana)"
_CITA = r"(?:cita|sesion|consulta|turno|terapia|hora|fecha|dia|horario)"
# A request to move the visit in the patient's own words, read on the text lower-cased with accents folded.
# Each asks about the visit: "I can't make it stop", "no puedo ir a trabajar", "the other day", "me cambian la
# cita otra vez" (a complaint) or "cancel my appointment" are not requests to move it.
RESCHEDULE_PATTERNS = tuple(
    re.compile(pattern)
    for pattern in (
        # "need to reschedule", "can I reschedule?", "re-schedule pls" (not "rescheduled", "all my rescheduling")
        r"\bre-?schedule\b",
        # "can't make it", "won't be able to make it tomorrow", "cannot make it to my appointment"
        r"\b(?:cant|cannot|can not|couldnt|wont|will not|not going to|not gonna|unable to|not be able to|"
        r"wont be able to|dont think i can|dont think ill)\s+(?:be able to\s+)?make\s+it\b"
        r"(?!\s+(?:stop|go|end|better|worse|through|work|happen|easier|home|out|up|anymore|any\s+more|without|alone|"
        r"on\s+my\s+own|on\s+time|in\s+time))",
        # "can't come in tomorrow", "won't be able to come", "unable to attend", "won't be there friday"
        r"\b(?:cant|cannot|can not|couldnt|wont|unable to|not able to|wont be able to)\s+"
        rf"(?:come\s+in|come|attend|be\s+there)\b(?=\s*(?:$|[,.!?;]|to\s+(?:my|the|your)|{_DAY}|on\b|this\b|at\b))",
        # "can we move it", "move my appointment", "change the session to friday", "push it back"
        r"\b(?:can|could)\s+(?:we|i|you)\s+(?:move|push|bump|change|switch)\s+(?:it|this|that)\b",
        rf"\b(?:change|switch)\s+(?:it|this|that)\s+to\s+{_DAY}",
        r"\b(?:move|change|push|switch|bump|shift)\s+(?:my|the|our|this|that|tomorrows|todays|fridays|mondays)\s+"
        r"(?:\w+\s+)?(?:appointment|appt|visit|session|time|date)\b",
        r"\b(?:push|bump)\s+(?:it|this|that|my\s+\w+)\s+(?:back|out)\b",
        r"\bpostpone\b",
        # "can we do Friday instead?", "could I come Monday instead"
        r"\b(?:can|could)\s+(?:we|i)\s+(?:do|come(?:\s+in)?|switch\s+to|go)\s+(?:it\s+)?(?:on\s+)?(?:\w+\s+){0,3}instead\b",
        # "is there another time?", "for a different day", "any other day" (not "the other day", "just another day")
        r"\b(?:for|on|to|at|try|do|pick|have|is\s+there|there)\s+(?:another|a\s+different|different)\s+"
        r"(?:day|time|date)\b",
        r"\bany\s+other\s+(?:day|time|date)\b",
        # "I need a different time", "need another day", "can I come another day" (not "I need a new life")
        r"\b(?:need|want|like|prefer)\s+(?:a\s+)?(?:another|different|new|other)\s+(?:day|time|date)\b",
        r"\b(?:come|come\s+in|go)\s+(?:on\s+)?(?:another|a\s+different|some\s+other)\s+(?:day|time)\b",
        # "reprogramar", "reagendar la cita", "¿reagendamos?"
        r"\b(?:reprogram|reagend)\w*",
        # "necesito cambiar la cita", "¿podemos mover mi sesión?", "cámbienme la cita", "cambio de hora"
        r"\b(?:cambiar|cambio|cambiamos|cambiemos|cambienme|cambieme|mover|movemos|muevanme|muevame|posponer|aplazar|"
        rf"recorrer)\s+(?:la|mi|su|nuestra|esa|esta|el|de)\s+{_CITA}\b",
        # "¿podemos cambiarla para el viernes?", "moverla", "posponerla"
        r"\b(?:cambiar|mover|recorrer|posponer|aplazar)(?:la|lo)\b",
        r"\b(?:posponer|aplazar)\b",
        # "no puedo ir", "no voy a poder ir mañana", "no podré asistir", "no alcanzo a llegar a la cita"
        r"\bno\s+(?:puedo|podre|podria|voy\s+a\s+poder|creo\s+que\s+pueda|alcanzo\s+a|voy\s+a\s+alcanzar\s+a)\s+"
        r"(?:asistir|acudir|"
        rf"(?:ir|llegar|venir)(?=\s*(?:$|[,.!?;]|a\s+(?:la|mi)\s+{_CITA}|a\s+las?\b|(?:el\s+)?{_DIA}|el\s+dia|este|esta|"
        r"ese|porque|pq|xq|por\b|lo\s+siento|perdon|disculp)))",
        # "¿puede ser otro día?", "para otra hora"
        r"\b(?:para|en|a|ser|sea)\s+otr[oa]\s+(?:dia|hora|fecha|horario|semana)\b",
        # "necesito otra fecha", "mejor otro día", "¿tienen otro horario?"
        r"\b(?:necesito|quiero|prefiero|mejor|tienen|tiene|hay)\s+otr[oa]\s+(?:dia|hora|fecha|horario)\b",
        # "¿se puede mover?", "¿me la pueden cambiar para el viernes?"
        r"\bse\s+(?:puede|podria)\s+(?:cambiar|mover|recorrer|posponer|pasar)\b",
        r"\b(?:la|lo)\s+(?:pueden|puede|podemos|podrian|podria)\s+(?:cambiar|mover|recorrer|pasar)\b",
    )
)
# Just before a request, words that take it back: "no need to reschedule", "don't bother rescheduling", "no
# reprogramen", "no hace falta reprogramar".
_TAKEN_BACK = re.compile(r"\b(?:dont|do not|didnt|wont|no|not|never|nvm|bother|falta|necesario)\s+(?:\w+\s+){0,2}$")


def reschedule_request_in(body: str) -> str:
    """The words asking to move the visit ("can't make it", "necesito cambiar la cita"), or "" if none."""
    text = " ".join(accents_fold(quotes_straighten(body.lower())).replace("'", "").split())
    for pattern in RESCHEDULE_PATTERNS:
        for match in pattern.finditer(text):
            if not _TAKEN_BACK.search(text[: match.start()]):
                return match.group(0).strip()
    return ""


def route_appointment_reply(message: InboundMessage) -> Routed | None:
    """Keywords about the patient's next session: C / YES / SÍ / CONFIRMO, R / RESCHEDULE / REPROGRAMAR, RIDE /
    CHOFER, alone or with courtesy around them ("sí, confirmo, gracias") (an inbound route)."""
    words = set(keywords_of(message.body))
    if not words:
        return None
    language = reply_language(message)
    if words <= CONFIRM_WORDS:
        return Routed(
            InboundMessage.Route.CONFIRMATION,
            reply_confirm(phone=message.from_number, language=language, location=message.clinic),
        )
    if words <= RESCHEDULE_WORDS:
        reply = reply_reschedule(phone=message.from_number, language=language, location=message.clinic)
        return Routed(InboundMessage.Route.CONFIRMATION, reply)
    if words <= RIDE_WORDS:
        return Routed(
            InboundMessage.Route.CONFIRMATION,
            reply_ride(phone=message.from_number, language=language, location=message.clinic),
        )
    return None


def route_reschedule_request(message: InboundMessage) -> Routed | None:
    """A request in the patient's own words to move their next session (an inbound route, after check-in
    answers: "3, can we reschedule?" sent while a check-in waits is that check-in's answer first).

    Acted on as R is only when the number is one patient's with a session ahead; otherwise staff read it in the
    inbox, rather than an answer that the sender has nothing to move.
    """
    asked = reschedule_request_in(message.body)
    if not asked or message.shared_number:  # several patients on the number, counted when it arrived
        return None
    if _next_appointment(message.from_number, now=timezone.now()) is None:
        return None
    reply = reply_reschedule(phone=message.from_number, language=reply_language(message), location=message.clinic)
    return Routed(InboundMessage.Route.CONFIRMATION, reply, detail=f"reschedule request recognised: {asked!r}")


def _number_shared(phone: str) -> bool:
    """Several patients have this number (a couple, a parent): a one-word reply cannot say whose visit."""
    return Patient.objects.filter(phone=phone).count() > 1


def _ask_whose_visit(language: str, location: Clinic | None) -> str:
    return text_render("appointment_shared_number", language=language, **_values(None, language, location))


def _next_appointment(phone: str, *, now: datetime.datetime, location: Clinic | None = None) -> Appointment | None:
    """The next session for this number: at the location whose number was texted if there is one there
    (a reply answers the reminder that came from that number), else at any location (one person)."""
    upcoming = (
        Appointment.objects.filter(patient__phone=phone, status__in=UPCOMING, starts_at__gt=now)
        .select_related("patient", "session_type__clinic")
        .order_by("starts_at")
    )
    here = upcoming.filter(session_type__clinic=location).first() if location is not None else None
    return here or upcoming.first()


def _values(appointment: Appointment | None, language: str, location: Clinic | None = None) -> dict[str, str]:
    clinic = appointment.session_type.clinic if appointment else (location or clinic_current())
    values = clinic_text_values(clinic)
    if appointment is not None:
        values.update(first_name=appointment.patient.first_name, **session_time_values(appointment, language))
    return values


@transaction.atomic
def reply_confirm(
    *,
    phone: str,
    language: str = LANGUAGE_DEFAULT,
    location: Clinic | None = None,
    now: datetime.datetime | None = None,
) -> str:
    """Confirm the next session for this number and say so; ask about the ride home when one is needed."""
    if _number_shared(phone):
        return _ask_whose_visit(language, location)  # act on nobody's visit rather than guess
    appointment = _next_appointment(phone, now=now or timezone.now(), location=location)
    if appointment is None:
        return text_render("appointment_nothing_to_confirm", language=language, **_values(None, language, location))
    if appointment.status == Appointment.Status.CONFIRMED:
        return text_render("appointment_already_confirmed", language=language, **_values(appointment, language))
    appointment_confirm(actor=Actor(user=None), appointment=appointment)
    if appointment.session_type.needs_driver and not appointment.driver_confirmed:
        return text_render("appointment_confirmed_ride", language=language, **_values(appointment, language))
    return text_render("appointment_confirmed", language=language, **_values(appointment, language))


@transaction.atomic
def reply_reschedule(
    *,
    phone: str,
    language: str = LANGUAGE_DEFAULT,
    location: Clinic | None = None,
    now: datetime.datetime | None = None,
) -> str:
    """Answer with the session's own link to pick a new time (patient_links), or when no app gives one, open a
    call-back task for front desk; either way the session stays booked until it is moved."""
    if _number_shared(phone):
        return _ask_whose_visit(language, location)  # act on nobody's visit rather than guess
    appointment = _next_appointment(phone, now=now or timezone.now(), location=location)
    if appointment is None:
        patient = Patient.objects.filter(phone=phone).order_by("-created_at").first()
        if patient is not None:
            staff_task_open(
                kind=StaffTask.Kind.UNMATCHED_CONFIRMATION,
                patient=patient,
                key=f"reschedule-without-visit:{patient.pk}:{timezone.localdate()}",
                detail="Asked to reschedule but has no upcoming visit: please call back.",
            )
        return text_render("appointment_nothing_to_reschedule", language=language, **_values(None, language, location))
    answer = reschedule_answer(appointment, language)
    if answer:  # a link to pick a new time (clinic.visitlinks): nobody needs to call back
        return answer
    staff_task_open(
        kind=StaffTask.Kind.RESCHEDULE_REQUEST,
        patient=appointment.patient,
        appointment_id=appointment.pk,
        key=f"reschedule:{appointment.pk}:{int(appointment.starts_at.timestamp())}",
        detail="Asked by text to reschedule: please call to find a new time.",
    )
    return text_render("appointment_reschedule_requested", language=language, **_values(appointment, language))


@transaction.atomic
def reply_ride(
    *,
    phone: str,
    language: str = LANGUAGE_DEFAULT,
    location: Clinic | None = None,
    now: datetime.datetime | None = None,
) -> str:
    if _number_shared(phone):
        return _ask_whose_visit(language, location)  # act on nobody's visit rather than guess
    appointment = _next_appointment(phone, now=now or timezone.now(), location=location)
    if appointment is None:
        return text_render("appointment_nothing_to_confirm", language=language, **_values(None, language, location))
    Appointment.objects.filter(pk=appointment.pk).update(driver_confirmed=True)
    return text_render("ride_confirmed", language=language, **_values(appointment, language))


def drivers_unconfirmed_flag(*, now: datetime.datetime | None = None) -> int:
    """Flag to front desk every session within the next day that needs a driver nobody confirmed.

    Each session in its own savepoint: one that cannot be flagged is logged and the others still are.
    """
    now = now or timezone.now()
    flagged = 0
    unconfirmed = (
        Appointment.objects.filter(
            status__in=UPCOMING,
            session_type__needs_driver=True,
            driver_confirmed=False,
            starts_at__gt=now,
            starts_at__lte=now + datetime.timedelta(hours=24),
        )
        .select_related("patient")
        .order_by("starts_at", "id")
    )
    for appointment in unconfirmed:
        with sweep_row("unconfirmed drivers", appointment.pk):
            staff_task_open(
                kind=StaffTask.Kind.DRIVER_UNCONFIRMED,
                patient=appointment.patient,
                appointment_id=appointment.pk,
                key=f"driver:{appointment.pk}:{int(appointment.starts_at.timestamp())}",
                detail="Ride home not confirmed for tomorrow's session: please call the patient.",
            )
            flagged += 1
    return flagged
