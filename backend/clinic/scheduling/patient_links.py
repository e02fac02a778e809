"""What apps above scheduling add to the texts about one session: the values a reminder carries (visitlinks'
`{link}`) and the answer to a patient's request to move it (a link to pick a new time), filled from their
AppConfig.ready(). Scheduling writes the texts; it does not know how a link is made.
"""

from __future__ import annotations

from collections.abc import Callable

from .models import Appointment

# appointment -> values for its reminder text, e.g. {"link": "https://.../v/AbC..."}
ReminderValues = Callable[[Appointment], dict[str, str]]
# (appointment, language) -> the answer to "R" / "can we move it" for this session, or "" when it has none
RescheduleAnswer = Callable[[Appointment, str], str]

REMINDER_VALUES: list[ReminderValues] = []
RESCHEDULE_ANSWERS: list[RescheduleAnswer] = []


def reminder_values_register(provider: ReminderValues) -> None:
    """Add values to every reminder text (the shipped wording's `{link}` is filled this way)."""
    if provider not in REMINDER_VALUES:
        REMINDER_VALUES.append(provider)


def reminder_added_values(appointment: Appointment) -> dict[str, str]:
    values: dict[str, str] = {}
    for provider in REMINDER_VALUES:
        values.update(provider(appointment))
    return values


def reschedule_answer_register(answer: RescheduleAnswer) -> None:
    """Answer a patient's request to move a session (instead of a call-back task) when the answer says how."""
    if answer not in RESCHEDULE_ANSWERS:
        RESCHEDULE_ANSWERS.append(answer)


def reschedule_answer(appointment: Appointment, language: str) -> str:
    """The first registered answer for this session, or "" (then front desk calls the patient back)."""
    for answer in RESCHEDULE_ANSWERS:
        text = answer(appointment, language)
        if text:
            return text
    return ""
