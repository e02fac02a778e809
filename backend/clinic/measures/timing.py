"""When a questionnaire's link is texted, when its one reminder goes, and when the link stops working.

The rule, in one place:

1. Before a session (baseline or before each): the day before the session, at `DUE_LOCAL_TIME` in the
   patient's zone (moved into the clinic's texting hours if those start later). Booked less than a day
   ahead: as soon as texting hours allow. The link works until the session starts; if no texting moment
   is left at least `LEAD_BEFORE_START` before the start, nothing is sent.
2. After a series: `weeks_after` weeks after the series' last session, on that weekday at
   `DUE_LOCAL_TIME`; the link works for `FOLLOW_UP_OPEN` (7 days).
3. Sent by a clinician: now (the sender still keeps texting hours); the link works for `ON_DEMAND_OPEN`.
4. One reminder, halfway between the text and the link's end (at most `REMINDER_AFTER_MAX` later), moved
   into texting hours; none if that leaves less than `REMINDER_MARGIN` before the link ends.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from clinic.messaging.texting_hours import TextingWindow

DUE_LOCAL_TIME = datetime.time(10, 0)
LEAD_BEFORE_START = datetime.timedelta(hours=1)
FOLLOW_UP_OPEN = datetime.timedelta(days=7)
ON_DEMAND_OPEN = datetime.timedelta(days=7)
REMINDER_AFTER_MAX = datetime.timedelta(days=2)
REMINDER_MARGIN = datetime.timedelta(hours=1)


@dataclass(frozen=True)
class Timing:
    due_at: datetime.datetime
    expires_at: datetime.datetime
    remind_at: datetime.datetime | None


def _in_window(moment: datetime.datetime, window: TextingWindow) -> datetime.datetime:
    return moment if window.allows(moment) else window.next_allowed(moment)


def _local_at(day: datetime.date, window: TextingWindow) -> datetime.datetime:
    return datetime.datetime.combine(day, DUE_LOCAL_TIME, tzinfo=window.tz).astimezone(datetime.UTC)


def reminder_time(
    due_at: datetime.datetime, expires_at: datetime.datetime, window: TextingWindow
) -> datetime.datetime | None:
    at = _in_window(due_at + min((expires_at - due_at) / 2, REMINDER_AFTER_MAX), window)
    return at if at <= expires_at - REMINDER_MARGIN else None


def timing_before_session(
    *, starts_at: datetime.datetime, window: TextingWindow, now: datetime.datetime
) -> Timing | None:
    """Rule 1; None when no useful moment is left before the session."""
    starts_at = starts_at.astimezone(datetime.UTC)
    day_before = starts_at.astimezone(window.tz).date() - datetime.timedelta(days=1)
    due = _in_window(max(_local_at(day_before, window), now), window)
    if due > starts_at - LEAD_BEFORE_START:
        return None
    return Timing(due_at=due, expires_at=starts_at, remind_at=reminder_time(due, starts_at, window))


def timing_after_series(
    *, last_starts_at: datetime.datetime, weeks_after: int, window: TextingWindow, now: datetime.datetime
) -> Timing | None:
    """Rule 2; None when the link would already have expired."""
    day = last_starts_at.astimezone(window.tz).date() + datetime.timedelta(weeks=weeks_after)
    due = _in_window(_local_at(day, window), window)
    expires = due + FOLLOW_UP_OPEN
    if expires <= now:
        return None
    due = _in_window(max(due, now), window)
    return Timing(due_at=due, expires_at=expires, remind_at=reminder_time(due, expires, window))


def timing_now(*, window: TextingWindow, now: datetime.datetime) -> Timing:
    """Rule 3."""
    expires = now + ON_DEMAND_OPEN
    return Timing(due_at=now, expires_at=expires, remind_at=reminder_time(now, expires, window))
