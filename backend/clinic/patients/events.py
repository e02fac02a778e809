"""What other apps hear about a patient's record: apps above patients subscribe here, from their
AppConfig.ready(), instead of patients importing them. Subscribers run inside the change's
transaction, so one that fails rolls the change back."""

from __future__ import annotations

from typing import Protocol


class PhoneChangeSubscriber(Protocol):
    def __call__(self, *, patient_id: int, old_number: str, new_number: str, consent_for_new: bool) -> object: ...


PHONE_CHANGE_SUBSCRIBERS: list[PhoneChangeSubscriber] = []


def phone_change_subscribe(subscriber: PhoneChangeSubscriber) -> None:
    if subscriber not in PHONE_CHANGE_SUBSCRIBERS:
        PHONE_CHANGE_SUBSCRIBERS.append(subscriber)


def patient_phone_changed(*, patient_id: int, old_number: str, new_number: str, consent_for_new: bool) -> None:
    """Tell every subscriber that a patient's number changed (in the caller's transaction)."""
    for subscriber in PHONE_CHANGE_SUBSCRIBERS:
        subscriber(patient_id=patient_id, old_number=old_number, new_number=new_number, consent_for_new=consent_for_new)


class EmailChangeSubscriber(Protocol):
    def __call__(self, *, patient_id: int, old_email: str, new_email: str, consent_for_new: bool) -> object: ...


EMAIL_CHANGE_SUBSCRIBERS: list[EmailChangeSubscriber] = []


def email_change_subscribe(subscriber: EmailChangeSubscriber) -> None:
    if subscriber not in EMAIL_CHANGE_SUBSCRIBERS:
        EMAIL_CHANGE_SUBSCRIBERS.append(subscriber)


def patient_email_changed(*, patient_id: int, old_email: str, new_email: str, consent_for_new: bool) -> None:
    """Tell every subscriber that a patient's email address changed (in the caller's transaction)."""
    for subscriber in EMAIL_CHANGE_SUBSCRIBERS:
        subscriber(patient_id=patient_id, old_email=old_email, new_email=new_email, consent_for_new=consent_for_new)


class LanguageChangeSubscriber(Protocol):
    def __call__(self, *, patient_id: int, language: str) -> object: ...


LANGUAGE_CHANGE_SUBSCRIBERS: list[LanguageChangeSubscriber] = []


def language_change_subscribe(subscriber: LanguageChangeSubscriber) -> None:
    if subscriber not in LANGUAGE_CHANGE_SUBSCRIBERS:
        LANGUAGE_CHANGE_SUBSCRIBERS.append(subscriber)


def patient_language_changed(*, patient_id: int, language: str) -> None:
    """Tell every subscriber that a patient's language changed (in the caller's transaction): texts written
    for them and not yet sent are written again in it."""
    for subscriber in LANGUAGE_CHANGE_SUBSCRIBERS:
        subscriber(patient_id=patient_id, language=language)
