"""The staff event page guides: the organiser's checklist by phase (from the stages' specs and the
event's own lines), the facilitator's guide to what they will do and when, and the email that tells
a facilitator they were assigned."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from app.agenda.models import ItemKind
from app.auth.models import Role
from app.db_types import utcnow
from app.events.models import EventFormat, EventState
from app.extensions import db
from app.mail.models import OutboxMessage
from app.stages import Phase, current_phase


@pytest.fixture
def team(make):
    lyon = make.city("Lyon")
    return (make.user(Role.ORGANISER, lyon), make.user(Role.FACILITATOR, name="Zoé Lefèvre"),
            make.event(lyon, EventState.DRAFT, venue="", capacity=None))


def _phase_of(page: str, text: str) -> str:
    """The heading of the checklist phase a line stands in."""
    before = page[:page.index(text)]
    return re.findall(r"<h3 id=\"[a-z-]+-\d+\">([^<]+)", before)[-1].strip()


def _line(page: str, text: str) -> str:
    return re.search(rf"<li class=\"(?:done|left)\">(?:(?!</li>).)*{re.escape(text)}(?:(?!</li>).)*</li>", page,
                     re.S).group(0)


def test_the_checklist_says_what_is_left_by_phase_with_links_to_the_stage_pages(client, make, team):
    organiser, _facilitator, event = team
    make.login(client, organiser)
    page = client.get(f"/manage/events/{event.slug}/?lang=en").text
    assert "Checklist" in page and "things left to do." in page
    slug = event.slug
    expected = {
        "Give the venue, so that registrants know where to come.": ("Before opening registration",
                                                                    f"/manage/events/{slug}/edit"),
        "Set the number of places and when registration closes.": ("Before opening registration",
                                                                   f"/manage/events/{slug}/edit"),
        "Publish the background document.": ("Before opening registration", f"/manage/events/{slug}/background"),
        "Build the agenda (it can start from the peer-learning template).": ("Before opening registration",
                                                                             f"/manage/events/{slug}/agenda"),
        "Describe the field visit: its stops, meeting point and places.": ("Before the meeting",
                                                                           f"/manage/events/{slug}/field-visit"),
        "Assign the facilitators who record what the meeting produces.": ("Before the meeting",
                                                                          f"/manage/events/{slug}/facilitators"),
    }
    for text, (phase, url) in expected.items():
        assert _phase_of(page, text) == phase, text
        assert f'href="{url}' in _line(page, text), text
    # A draft stands before the opening of registration: that phase is the current one.
    assert re.search(r"Before opening registration <span class=\"badge status-open\">Now</span>", page)
    assert page.index("Before opening registration") < page.index("Before the meeting") < page.index(
        "After the meeting")


def test_done_tasks_stay_ticked_and_the_count_goes_down(client, make, team):
    organiser, facilitator, event = team
    make.login(client, organiser)
    left_before = int(re.search(r"(\d+) things left to do", client.get(f"/manage/events/{event.slug}/?lang=en").text)
                      .group(1))
    make.agenda_item(event, kind=ItemKind.LOCAL_SOLUTIONS, title_en="Local solutions")
    make.assign(event, facilitator)
    event.venue = "Hôtel de Ville"
    db.session.commit()
    page = client.get(f"/manage/events/{event.slug}/?lang=en").text
    for done in ("Agenda built.", "Facilitators assigned.", "Venue given."):
        assert 'class="done"' in _line(page, done) and "Done:" in _line(page, done)
    assert "Assign the facilitators" not in page
    # The agenda is not complete while its local solutions have nobody presenting them.
    assert _phase_of(page, "Name who presents “Local solutions”.") == "Before the meeting"
    left_after = int(re.search(r"(\d+) things left to do", page).group(1))
    assert left_after == left_before - 3 + 1


def test_the_french_checklist_reads_as_french(client, make, team):
    organiser, _facilitator, event = team
    make.login(client, organiser)
    page = client.get(f"/manage/events/{event.slug}/?lang=fr").text
    assert "Liste de contrôle" in page and "Avant l'ouverture des inscriptions" in page
    assert "Indiquez le lieu, pour que les inscrits sachent où se rendre." in page


def test_a_facilitator_sees_what_they_will_do_and_when_not_the_organisers_checklist(client, make, team):
    _organiser, facilitator, event = team
    make.assign(event, facilitator)
    make.login(client, facilitator)
    page = client.get(f"/manage/events/{event.slug}/?lang=en").text
    assert "What you will do as a facilitator" in page
    assert "Checklist" not in page and "Give the venue" not in page
    assert _phase_of(page, "Record in the capture console") == "During the meeting"
    assert _phase_of(page, "Read the background document") == "Before the meeting"
    assert _phase_of(page, "write the learning note's narrative parts") == "After the meeting"
    # When: the meeting's days under "During the meeting".
    during = page[page.index("During the meeting"):page.index("Record in the capture console")]
    assert str(event.start_date.year) in during and f"{event.start_date:%b} {event.start_date.day}" in during
    # Each step leads where it is done: the capture console; the background document once published.
    assert f'href="/manage/events/{event.slug}/capture"' in _line(page, "Record in the capture console")
    assert "href" not in _line(page, "Read the background document")
    # Stages are links where the facilitator may open them (capture), plain text where not (the agenda's staff page).
    assert f'href="/manage/events/{event.slug}/capture"' in page
    assert f'href="/manage/events/{event.slug}/agenda"' not in page


def test_a_cancelled_event_has_no_checklist(client, make, team):
    organiser, _facilitator, event = team
    event.state = EventState.CANCELLED
    db.session.commit()
    make.login(client, organiser)
    page = client.get(f"/manage/events/{event.slug}/?lang=en").text
    assert "Checklist" not in page and "Publish the background document." not in page


def test_an_organiser_does_not_get_the_facilitator_guide(client, make, team):
    organiser, _facilitator, event = team
    make.login(client, organiser)
    assert "What you will do as a facilitator" not in client.get(f"/manage/events/{event.slug}/?lang=en").text


def test_assigning_a_facilitator_emails_them_once_in_both_languages(client, make, team):
    organiser, facilitator, event = team
    facilitator.preferred_language = "fr"
    db.session.commit()
    make.login(client, organiser)
    response = client.post(f"/manage/events/{event.slug}/facilitators?lang=en", data={"user_id": facilitator.id})
    assert response.status_code == 302
    messages = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.kind == "facilitator_assigned")).all()
    assert [m.recipient_email for m in messages] == [facilitator.email]
    message = messages[0]
    assert message.languages == "fr,en"
    assert message.subject.startswith("Votre rôle de facilitateur\u00a0: Citoyenneté urbaine")
    for body in (message.text_body, message.html_body):
        assert f"http://127.0.0.1:5000/manage/events/{event.slug}/" in body or f"/manage/events/{event.slug}/" in body
        assert "Consignez dans la console de saisie" in body and "Record in the capture console" in body
        assert organiser.name in body
    assert body.index("Pendant la rencontre") < body.index("During the meeting")
    # Assigned already: no second message.
    client.post(f"/manage/events/{event.slug}/facilitators?lang=en", data={"user_id": facilitator.id})
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))
                             .where(OutboxMessage.kind == "facilitator_assigned")) == 1


@pytest.mark.parametrize(("state", "start_in_days", "opens_in_days", "phase"), [
    (EventState.DRAFT, 40, None, Phase.BEFORE_OPENING),
    (EventState.OPEN, 40, 5, Phase.BEFORE_OPENING),
    (EventState.OPEN, 40, -5, Phase.BEFORE_MEETING),
    (EventState.CLOSED, 0, -30, Phase.DURING_MEETING),
    (EventState.CLOSED, -5, -30, Phase.AFTER_MEETING),
    (EventState.FINISHED, -5, -30, Phase.AFTER_MEETING),
    (EventState.CANCELLED, 40, -5, None),
])
def test_the_current_phase_follows_the_state_and_the_host_citys_days(app, make, state, start_in_days, opens_in_days,
                                                                       phase):
    now = utcnow()
    opens = now + timedelta(days=opens_in_days) if opens_in_days is not None else None
    event = make.event(make.city("Amman", "Asia/Amman", "JO"), state, start_date=now.date()
                       + timedelta(days=start_in_days), registration_opens_at=opens)
    assert current_phase(event, now) is phase


def test_the_meeting_starts_by_the_host_citys_clock(app, make):
    # 22:30 UTC on the eve is already the first day in Amman (+03).
    event = make.event(make.city("Amman", "Asia/Amman", "JO"), EventState.OPEN,
                       start_date=datetime(2027, 10, 30).date(), format=EventFormat.IN_PERSON)
    assert current_phase(event, datetime(2027, 10, 29, 20, 30, tzinfo=UTC)) is Phase.BEFORE_MEETING
    assert current_phase(event, datetime(2027, 10, 29, 22, 30, tzinfo=UTC)) is Phase.DURING_MEETING
