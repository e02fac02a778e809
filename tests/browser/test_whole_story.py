"""The whole story, in a real browser: from the contact form to an acknowledged alert.

Dana Whitlock asks for help on the clinic's website. Front desk triages her inquiry, a clinician
screens her, front desk turns her into a patient and books an induction series of six infusions.
Her phone gets the reminders at the right times; she confirms with "C"; the first session happens;
that evening the "are you home safe?" check-in arrives, she answers that she is not, and a clinician
sees the alert, calls her, and acknowledges it with a note.

Who does what, each only through pages a real user has:
- Dana, on a phone-sized browser: the public form at /contact/, then the SMS sandbox's page for her
  number (/sandbox/+16175550187/), which shows the texts her phone would get and sends her replies
  to the app as Twilio would.
- Front desk (demo login "frontdesk") and a clinician (demo login "clinician") in /admin/.
- The test itself only moves the clock and plays beat: time-machine moves this process's clock
  (the live server runs in it), a real Celery worker is restarted on the same moved clock
  (tests/support/clock.py: worker_restart_at), and due texts are handed to it as beat would (outbox_claim_due).

The clinic is the demo clinic `make run` loads (Harbor Mind Clinic, America/New_York, texts only
08:00-21:00), with its logins, providers and "IV induction: 6 infusions within 3 weeks" plan.

Timeline, in clinic time, in the first week from next Monday on with no daylight-saving change (it is
not a fixed date: a browser drops a session cookie whose expiry is already past in real time):

  Fri 08:00  (the week before) the demo clinic is set up, as `make run` does.
  Mon 09:00  Dana sends the form; "we received your message" reaches her phone.
  Mon 09:30  front desk marks the inquiry contacted, then in screening.
  Mon 11:00  a clinician records the screening: eligible.
  Mon 11:30  front desk converts the inquiry into a patient and books the series, from Thursday 10:00.
  Tue 09:59  no reminder yet; at 10:00 the 48-hour reminder arrives.
  Tue 10:05  Dana replies C; front desk sees the session "Confirmed".
  Thu 07:59  no second reminder yet: the 3-hour one is due at 07:00, before texting hours, so it
             arrives at 08:00.
  Thu 09:55  front desk checks Dana in; at 11:50 the clinician marks the session completed.
  Thu 18:59  no check-in yet; at 19:00 "Are you home safe?" arrives; Dana answers she is not.
  Thu 19:15  the clinician sees the alert (front desk cannot), and acknowledges it with a note.

Screenshots of every step, in order: tests/artifacts/whole_story/NN_<step>.png.
"""

from __future__ import annotations

import datetime
import re
import zoneinfo
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
import time_machine
from playwright.sync_api import Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from clinic.accounts.roles import CLINICIAN, FRONT_DESK
from clinic.demo.services import DEMO_LOGINS, demo_data_load
from clinic.measures.models import MeasurePlan
from clinic.messaging.models import OutboundMessage
from clinic.messaging.outbox import outbox_claim_due
from clinic.messaging.sandbox.models import SandboxMessage
from tests.roles import roles_ensure
from tests.support.browser import Screenshots
from tests.support.clock import worker_restart_at
from tests.support.processes import CeleryWorker, wait_until

# The live server reads and writes in its own thread, so the test needs committed rows.
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

CLINIC_TZ = zoneinfo.ZoneInfo("America/New_York")
DANA_PHONE = "+16175550187"
PLAN = "IV induction: 6 infusions within 3 weeks"
PROVIDER = "Dr. Maria Reyes, MD"
PHONE_SIZE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
DESKTOP_SIZE = {"viewport": {"width": 1680, "height": 1000}}


# --- When the story happens, and how people see times ----------------------------------------------


def story_monday() -> datetime.date:
    """The first Monday at least a week from today whose next three weeks keep one UTC offset."""
    today = datetime.datetime.now(CLINIC_TZ).date()
    monday = today + datetime.timedelta(days=7 + (-today.weekday()) % 7)

    def offset(day: datetime.date) -> datetime.timedelta | None:
        return datetime.datetime.combine(day, datetime.time(12), tzinfo=CLINIC_TZ).utcoffset()

    # From the Friday before (the clinic's setup) to the last session booked.
    while offset(monday - datetime.timedelta(days=3)) != offset(monday + datetime.timedelta(days=21)):
        monday += datetime.timedelta(days=7)
    return monday


@dataclass(frozen=True)
class Week:
    monday: datetime.date

    def at(self, days_after_monday: int, hour: int, minute: int = 0) -> datetime.datetime:
        day = self.monday + datetime.timedelta(days=days_after_monday)
        return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=CLINIC_TZ)


def in_a_text(moment: datetime.datetime) -> str:
    """A visit's time as texts write it: "Thursday, December 10 at 10:00 AM"."""
    return f"{moment:%A, %B} {moment.day} at {moment:%I:%M %p}".replace(" at 0", " at ")


def in_the_admin(moment: datetime.datetime) -> str:
    """A session's time as the admin shows it: "Thu 2026-12-10 10:00 EST"."""
    return moment.strftime("%a %Y-%m-%d %H:%M %Z")


def on_the_phone(moment: datetime.datetime) -> re.Pattern[str]:
    """A text's time on the sandbox page, to the minute: "2026-12-08 10:00:07"."""
    return re.compile(re.escape(moment.strftime("%Y-%m-%d %H:%M")) + r":\d\d")


# --- The clock and the worker: the only things the test drives itself ------------------------------


class StoryClock:
    """One clock for the story: this process (and so the live server) and the Celery worker move together."""

    def __init__(self, worker: CeleryWorker) -> None:
        self.worker = worker
        self.now: datetime.datetime | None = None
        self._travel: time_machine.travel | None = None

    def move_to(self, moment: datetime.datetime, *, restart_worker: bool = False) -> None:
        assert self.now is None or moment > self.now, "the story never goes back in time"
        self.stop()
        if restart_worker:
            worker_restart_at(self.worker, moment)
        self._travel = time_machine.travel(moment, tick=True)
        self._travel.start()
        self.now = moment

    def stop(self) -> None:
        if self._travel is not None:
            self._travel.stop()
            self._travel = None


@pytest.fixture
def clock(worker: CeleryWorker) -> Iterator[StoryClock]:
    story_clock = StoryClock(worker)
    yield story_clock
    story_clock.stop()


def texts_to_dana() -> int:
    return SandboxMessage.objects.filter(to_number=DANA_PHONE).count()


def beat_finds_nothing_due(clock: StoryClock, moment: datetime.datetime) -> None:
    """At `moment`, beat runs and has nothing to send: a text is not early."""
    clock.move_to(moment)
    assert outbox_claim_due() == []


def beat_sends_due_texts(clock: StoryClock, moment: datetime.datetime, *, dana_has: int, what: str) -> None:
    """At `moment` (worker restarted there), beat hands due texts to the worker until Dana has `dana_has` texts."""
    clock.move_to(moment, restart_worker=True)

    def delivered() -> bool:
        outbox_claim_due(limit=100)
        settled = not OutboundMessage.objects.filter(status__in=("queued", "sending")).exists()
        return settled and texts_to_dana() == dana_has

    wait_until(delivered, timeout=60, what=what, interval=0.3)


# --- What each person sees and does ---------------------------------------------------------------


@dataclass
class Story:
    """The story's people, each in a browser of their own, and what the story has learnt so far."""

    url: str
    week: Week
    clock: StoryClock
    shots: Screenshots
    dana: Page  # a phone-sized browser
    desk: Page  # front desk's desktop browser
    doctor: Page  # the clinician's desktop browser
    reference: str = ""  # the inquiry's reference, shown to Dana after she sends the form
    sessions: tuple[datetime.datetime, ...] = ()  # the series front desk books

    @property
    def first_session(self) -> datetime.datetime:
        return self.sessions[0]


def phone_shows(story: Story, *, count: int) -> None:
    """Dana looks at her phone: the sandbox page for her number, with `count` texts in and out."""
    story.dana.goto(f"{story.url}/sandbox/{DANA_PHONE}/")
    expect(story.dana.get_by_role("heading", name=f"Conversation with {DANA_PHONE}")).to_be_visible()
    expect(story.dana.locator("tbody tr")).to_have_count(count)


def text_on_phone(story: Story, position: int, *, at: datetime.datetime, says: str) -> None:
    row = story.dana.locator("tbody tr").nth(position)
    expect(row.locator("time")).to_have_text(on_the_phone(at))
    expect(row.locator(".body")).to_contain_text(says)


def reply_from_phone(story: Story, body: str) -> None:
    story.dana.get_by_label("Text as this patient").fill(body)
    story.dana.get_by_role("button", name=f"Send as {DANA_PHONE}").click()
    expect(story.dana.locator(".messages")).to_contain_text("The webhook answered HTTP 200 with 1 TwiML reply")


def run_action(page: Page, row_text: str, action: str, done: str) -> None:
    """Tick one row of an admin list, run an action on it, and see the admin say it was done."""
    page.get_by_role("row").filter(has_text=row_text).get_by_role("checkbox").check()
    page.locator("select[name=action]").select_option(label=action)
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist")).to_contain_text(done)


def inquiry_status(story: Story, page: Page) -> Locator:
    return page.get_by_role("row").filter(has_text=story.reference).locator("td.field-status")


def dana_sends_the_contact_form(story: Story) -> None:
    page = story.dana
    page.goto(f"{story.url}/contact/")
    expect(page.get_by_role("heading", name="Contact a doctor")).to_be_visible()
    page.get_by_label("First name").fill("Dana")
    page.get_by_label("Last name").fill("Whitlock")
    page.get_by_label("Phone number").fill("(617) 555-0187")
    page.get_by_role("radio", name="Text message").check()
    page.get_by_label("Depression").check()
    page.get_by_label("Your message (optional)").fill("My doctor mentioned infusions for depression. Could we talk?")
    page.get_by_label("I agree to receive text messages").check()
    page.get_by_label("I have read the clinic's privacy notice.").check()
    page.get_by_label("I am 18 or older.").check()
    story.shots.take(page, "contact_form")
    page.get_by_role("button", name="Send message").click()

    expect(page.get_by_role("heading", name="Message received")).to_be_visible()
    story.reference = page.locator(".reference").inner_text().strip()
    assert re.fullmatch(r"INQ-[0-9A-Z]{8}", story.reference)
    story.shots.take(page, "contact_thanks")


def dana_gets_the_acknowledgement(story: Story, at: datetime.datetime) -> None:
    beat_sends_due_texts(story.clock, at, dana_has=texts_to_dana() + 1, what="the acknowledgement text")
    phone_shows(story, count=1)
    text_on_phone(story, 0, at=at, says="Hi Dana, we received your message")
    story.shots.take(story.dana, "phone_acknowledgement")


def front_desk_triages(story: Story) -> None:
    page = story.desk
    page.goto(f"{story.url}/admin/intake/inquiry/")
    expect(page.get_by_role("row").filter(has_text=story.reference)).to_contain_text("Whitlock")
    expect(inquiry_status(story, page)).to_have_text("New")
    story.shots.take(page, "admin_new_inquiry")
    run_action(page, story.reference, "Mark selected as contacted", "1 inquiry marked contacted")
    run_action(page, story.reference, "Mark selected as screening", "1 inquiry marked screening")
    expect(inquiry_status(story, page)).to_have_text("Screening")
    story.shots.take(page, "admin_inquiry_in_screening")


def clinician_screens_eligible(story: Story) -> None:
    page = story.doctor
    page.goto(f"{story.url}/admin/intake/inquiry/")
    page.get_by_role("link", name=story.reference).click()
    page.get_by_role("button", name="Add another Screening").click()
    screening = page.locator("#screening-0")  # the form just added (the admin keeps a hidden template too)
    for contraindication in ("Uncontrolled hypertension", "Pregnancy", "Active substance use"):
        expect(screening.get_by_label(contraindication)).not_to_be_checked()
    screening.get_by_label("Result").select_option(label="Eligible")
    screening.get_by_label("Notes").fill("Phone screening done: no contraindications, BP 122/78.")
    story.shots.take(page, "admin_screening_eligible")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    expect(inquiry_status(story, page)).to_have_text("Eligible")


def front_desk_converts(story: Story) -> None:
    page = story.desk
    page.goto(f"{story.url}/admin/intake/inquiry/")
    run_action(page, story.reference, "Convert selected eligible inquiries to patients", "is now patient #")
    expect(inquiry_status(story, page)).to_have_text("Converted to patient")
    story.shots.take(page, "admin_converted_to_patient")


def front_desk_books_the_series(story: Story) -> None:
    page = story.desk
    page.goto(f"{story.url}/admin/scheduling/series/")
    page.get_by_role("link", name="Book a series").click()
    page.get_by_label("Plan").select_option(label=PLAN)
    page.locator(".field-patient .select2-selection").click()  # the admin's patient search
    page.locator(".select2-search__field").fill("Whitlock")
    page.locator(".select2-results__option", has_text="Dana Whitlock").click()
    page.get_by_label("Provider").select_option(label=PROVIDER)
    page.get_by_label("First day").fill(story.first_session.date().isoformat())
    page.get_by_label("Preferred time").fill("10:00")
    page.get_by_role("button", name="Propose dates").click()

    proposed = page.locator("#proposed-sessions tbody tr")
    expect(proposed).to_have_count(len(story.sessions))
    for position, starts_at in enumerate(story.sessions):
        expect(proposed.nth(position)).to_contain_text(in_the_admin(starts_at))
    story.shots.take(page, "admin_series_proposed")
    page.get_by_role("button", name="Book these 6 sessions").click()

    expect(page.locator(".messagelist")).to_contain_text(f"Booked 6 sessions of {PLAN} for Dana Whitlock.")
    booked = page.locator(".inline-group tbody tr.has_original")
    expect(booked).to_have_count(len(story.sessions))
    for position, starts_at in enumerate(story.sessions):
        expect(booked.nth(position)).to_contain_text(in_the_admin(starts_at))
        expect(booked.nth(position).locator("td.field-status")).to_have_text("Scheduled")
    story.shots.take(page, "admin_series_booked")


def open_sessions_list(story: Story, page: Page) -> Locator:
    """Open the appointment list at Dana's sessions; return the first session's status cell."""
    page.goto(f"{story.url}/admin/scheduling/appointment/?q=Whitlock")
    row = page.get_by_role("row").filter(has_text=in_the_admin(story.first_session))
    return row.locator("td.field-status")


def dana_gets_a_reminder(story: Story, *, at: datetime.datetime, texts_before: int, shot: str) -> None:
    """Beat runs a minute early and sends nothing; at `at` the reminder reaches Dana's phone."""
    beat_finds_nothing_due(story.clock, at - datetime.timedelta(minutes=1))
    phone_shows(story, count=texts_before)
    beat_sends_due_texts(story.clock, at, dana_has=texts_to_dana() + 1, what=f"the reminder at {at:%a %H:%M}")
    phone_shows(story, count=texts_before + 1)
    reminder = story.dana.locator("tbody tr").nth(texts_before)
    text_on_phone(story, texts_before, at=at, says=f"see you {in_a_text(story.first_session)}")
    expect(reminder).to_contain_text("nothing to eat for 6 hours")  # the session type's preparation
    expect(reminder).to_contain_text("Reply C to confirm")
    story.shots.take(story.dana, shot)


def dana_confirms_with_c(story: Story, at: datetime.datetime) -> None:
    reply_from_phone(story, "C")
    phone_shows(story, count=4)
    expect(story.dana.locator("tbody tr").nth(2)).to_contain_text("Patient → clinic")
    text_on_phone(story, 3, at=at, says=f"you are confirmed for {in_a_text(story.first_session)}")
    story.shots.take(story.dana, "phone_confirmed_with_c")


def front_desk_sees_the_session_confirmed(story: Story) -> None:
    expect(open_sessions_list(story, story.desk)).to_have_text("Confirmed")
    story.shots.take(story.desk, "admin_session_confirmed")


def front_desk_checks_dana_in(story: Story) -> None:
    open_sessions_list(story, story.desk)
    run_action(story.desk, in_the_admin(story.first_session), "Check in selected sessions", "1 session checked in")


def clinician_completes_the_session(story: Story) -> None:
    expect(open_sessions_list(story, story.doctor)).to_have_text("Checked in")
    run_action(story.doctor, in_the_admin(story.first_session), "Mark selected sessions completed", "completed")
    expect(open_sessions_list(story, story.doctor)).to_have_text("Completed")
    story.shots.take(story.doctor, "admin_session_completed")


def dana_gets_the_checkin_and_answers(story: Story, *, at: datetime.datetime, answers_at: datetime.datetime) -> None:
    beat_finds_nothing_due(story.clock, at - datetime.timedelta(minutes=1))
    beat_sends_due_texts(story.clock, at, dana_has=texts_to_dana() + 1, what="the home-safe check-in")
    phone_shows(story, count=6)
    text_on_phone(story, 5, at=at, says="Are you home safe?")
    story.shots.take(story.dana, "phone_checkin")

    story.clock.move_to(answers_at)
    reply_from_phone(story, "Not really, I feel very dizzy. Please call me.")
    phone_shows(story, count=8)
    text_on_phone(story, 7, at=answers_at, says="Someone from our care team will call you soon")
    story.shots.take(story.dana, "phone_risky_answer")


def front_desk_cannot_see_alerts(story: Story) -> None:
    response = story.desk.goto(f"{story.url}/admin/checkins/alert/")
    assert response is not None and response.status == 403


def clinician_acknowledges_the_alert(story: Story) -> None:
    page = story.doctor
    page.goto(f"{story.url}/admin/checkins/alert/")
    alert_row = page.get_by_role("row").filter(has_text="Dana Whitlock")
    expect(alert_row.locator("td.field-reason")).to_have_text("Not home safe after a session")
    expect(alert_row.locator("td.field-urgency")).to_have_text("Elevated")
    expect(alert_row.locator("td.field-open_state img")).to_have_attribute("alt", "True")
    story.shots.take(page, "admin_alert_listed")

    alert_row.locator("th a").click()
    expect(page.locator(".field-what_they_wrote")).to_contain_text("Not really, I feel very dizzy. Please call me.")
    page.get_by_label("Note").fill("Called Dana at 19:20: dizzy but safe at home, her partner is with her. Rest.")
    story.shots.take(page, "admin_alert_note")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    alert_row = page.get_by_role("row").filter(has_text="Dana Whitlock")
    expect(alert_row.locator("td.field-open_state img")).to_have_attribute("alt", "False")
    expect(alert_row.locator("td.field-acknowledged_by")).to_have_text("clinician")
    story.shots.take(page, "admin_alert_acknowledged")


# --- The story ------------------------------------------------------------------------------------


def demo_login(role: str) -> tuple[str, str]:
    login = next(login for login in DEMO_LOGINS if login.role == role)
    return login.username, login.password


def test_from_the_contact_form_to_an_acknowledged_alert(
    live_server: LiveServer,
    clock: StoryClock,
    new_page: Callable[..., Page],
    admin_sign_in: Callable[[Page, str, str], None],
    screenshots: Screenshots,
    contact_form_reasons: None,
) -> None:
    week = Week(story_monday())
    story = Story(
        url=live_server.url,
        week=week,
        clock=clock,
        shots=screenshots,
        dana=new_page(**PHONE_SIZE),
        desk=new_page(**DESKTOP_SIZE),
        doctor=new_page(**DESKTOP_SIZE),
        # Thursday 10:00, then 48 hours apart at least, on the provider's working days (Mon-Fri).
        sessions=(week.at(3, 10), week.at(7, 10), week.at(9, 10), week.at(11, 10), week.at(14, 10), week.at(16, 10)),
    )

    # The Friday before, the clinic is set up as `make run` does it (its two demo patients come on Monday
    # morning, so their texts are all due before the story starts). An earlier test's flush removed the roles.
    clock.move_to(week.at(-3, 8))
    roles_ensure()
    demo_data_load()
    # This story counts every text Dana gets; the questionnaires the demo plans before each session have their
    # own story (tests/measures/test_questionnaire_browser.py), so here the clinic plans none.
    MeasurePlan.objects.all().delete()

    # Monday 09:00: Dana asks for help; a minute later beat has sent her the acknowledgement.
    clock.move_to(week.at(0, 9))
    dana_sends_the_contact_form(story)
    dana_gets_the_acknowledgement(story, at=week.at(0, 9, 1))

    # Monday: front desk triages at 09:30; a clinician screens at 11:00; at 11:30 front desk converts and books.
    clock.move_to(week.at(0, 9, 30))
    admin_sign_in(story.desk, *demo_login(FRONT_DESK))
    front_desk_triages(story)
    clock.move_to(week.at(0, 11))
    admin_sign_in(story.doctor, *demo_login(CLINICIAN))
    clinician_screens_eligible(story)
    clock.move_to(week.at(0, 11, 30))
    front_desk_converts(story)
    front_desk_books_the_series(story)

    # Tuesday 10:00, 48 hours before Thursday 10:00: the first reminder (not at 09:59).
    dana_gets_a_reminder(story, at=week.at(1, 10), texts_before=1, shot="phone_reminder_48h")

    # Tuesday 10:05 Dana confirms with C; at 10:10 front desk sees the session confirmed.
    clock.move_to(week.at(1, 10, 5))
    dana_confirms_with_c(story, at=week.at(1, 10, 5))
    clock.move_to(week.at(1, 10, 10))
    front_desk_sees_the_session_confirmed(story)

    # Thursday: the 3-hour reminder is due at 07:00, before texting hours (08:00), so it comes at 08:00.
    dana_gets_a_reminder(story, at=week.at(3, 8), texts_before=4, shot="phone_reminder_morning")

    # Thursday 09:55 front desk checks Dana in; at 11:50, after monitoring, the clinician completes the session.
    clock.move_to(week.at(3, 9, 55))
    front_desk_checks_dana_in(story)
    clock.move_to(week.at(3, 11, 50))
    clinician_completes_the_session(story)

    # Thursday 19:00 the "home safe?" check-in arrives (not at 18:59); at 19:10 Dana answers she is not.
    dana_gets_the_checkin_and_answers(story, at=week.at(3, 19), answers_at=week.at(3, 19, 10))

    # Thursday 19:15: front desk may not see clinical alerts; the clinician acknowledges this one with a note.
    clock.move_to(week.at(3, 19, 15))
    front_desk_cannot_see_alerts(story)
    clinician_acknowledges_the_alert(story)

    assert [path.name for path in screenshots.taken] == [
        "01_contact_form.png",
        "02_contact_thanks.png",
        "03_phone_acknowledgement.png",
        "04_admin_new_inquiry.png",
        "05_admin_inquiry_in_screening.png",
        "06_admin_screening_eligible.png",
        "07_admin_converted_to_patient.png",
        "08_admin_series_proposed.png",
        "09_admin_series_booked.png",
        "10_phone_reminder_48h.png",
        "11_phone_confirmed_with_c.png",
        "12_admin_session_confirmed.png",
        "13_phone_reminder_morning.png",
        "14_admin_session_completed.png",
        "15_phone_checkin.png",
        "16_phone_risky_answer.png",
        "17_admin_alert_listed.png",
        "18_admin_alert_note.png",
        "19_admin_alert_acknowledged.png",
    ]
