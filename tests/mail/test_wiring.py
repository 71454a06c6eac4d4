"""The stages wired to the outbox: what registration, the background document, the agenda and the
event's lifecycle send, to whom, through a real SMTP server (mail-sink) checked by check-mail."""

from datetime import UTC, datetime, time, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from app.agenda import services as agenda
from app.agenda.models import ItemKind
from app.background import services as background
from app.calendar import event_uid
from app.db_types import utcnow
from app.events.lifecycle import change_state
from app.events.models import EventState
from app.extensions import db
from app.mail.delivery import deliver_due
from app.mail.models import OutboxMessage, OutboxStatus
from app.mail.services import send_reminders
from app.registration import privacy, queries, signup, staff, tokens, waitlist
from app.registration.models import PromotionPolicy, RegistrationSettings, RegistrationStatus
from tests.ical_check import assert_check_ics
from tests.mail.conftest import assert_passes
from tests.registration.conftest import person

ZOE = "Zoé Lefèvre-Ben Saïd"
PUBLIC = "http://127.0.0.1:5000"


@pytest.fixture
def event(app, make, host):
    lyon, _organiser = host
    return make.event(lyon, EventState.OPEN, capacity=1, theme_en="Urban citizenship",
                      theme_fr="Citoyenneté urbaine", registration_opens_at=utcnow() - timedelta(days=1),
                      registration_closes_at=utcnow() + timedelta(days=20))


@pytest.fixture
def organiser(host):
    return host[1]


def _register(event, email, **fields):
    registration = signup.register(event, person(email, **fields)).registration
    db.session.commit()
    return registration


def _messages(**where) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    for name, value in where.items():
        query = query.where(getattr(OutboxMessage, name) == value)
    return list(db.session.scalars(query))


def _sent(mail_sink, count: int):
    """Deliver what is due; the files that reached the sink."""
    deliver_due()
    return mail_sink.wait(count)


def _vevent(message: OutboxMessage):
    calendar = Calendar.from_ical(message.ics)
    return str(calendar["METHOD"]), next(iter(calendar.walk("VEVENT")))


def test_registering_through_the_form_emails_the_confirmation_with_its_invitation_french_first(
        client, event, mail_sink):
    form = {"name": ZOE, "email": "zoe@example.net", "organisation": "Ville de Tunis", "position": "Cheffe de projet",
            "city": "Tunis", "country_code": "TN", "preferred_language": "fr", "consent_processing": "y",
            "website": ""}
    assert client.post(f"/events/{event.slug}/register?lang=fr", data=form).status_code == 302
    (message,) = _messages()
    assert (message.kind, message.recipient_email, message.languages) == ("registration_confirmed",
                                                                           "zoe@example.net", "fr,en")
    assert message.subject.startswith("Inscription confirmée\u00a0: Citoyenneté urbaine")
    assert message.text_body.index(f"Bonjour {ZOE}") < message.text_body.index(f"Hello {ZOE}")
    registration = queries.find_registration(event, "zoe@example.net")
    # The token is signed with the time it was made: read it back rather than make another.
    link = next(line for line in message.text_body.splitlines() if line.startswith(f"{PUBLIC}/r/"))
    assert tokens.read_token(link.rsplit("/", 1)[1]).id == registration.id and link in message.html_body
    method, vevent = _vevent(message)
    assert (method, str(vevent["UID"]), int(vevent["SEQUENCE"])) == ("REQUEST", event_uid(event), 0)
    assert ZOE in str(vevent["ATTENDEE"].params["CN"])
    assert_passes(_sent(mail_sink, 1), expect_ics=True)


def test_the_private_link_in_the_email_opens_the_participant_page(client, event):
    registration = _register(event, "amal@example.org")
    (message,) = _messages()
    link = next(line for line in message.text_body.splitlines() if line.startswith(f"{PUBLIC}/r/"))
    assert client.get(link.removeprefix(PUBLIC)).status_code == 200
    assert tokens.read_token(link.rsplit("/", 1)[1]).id == registration.id


def test_waitlisted_then_promoted_when_a_place_is_freed_then_cancel_sends_a_later_cancellation(event, mail_sink):
    first = _register(event, "first@example.org")
    _register(event, "second@example.org", preferred_language="fr", name=ZOE)
    waiting = _messages(recipient_email="second@example.org")
    assert [m.kind for m in waiting] == ["registration_waitlisted"] and waiting[0].ics is None
    assert "Vous êtes en position 1 sur la liste." in waiting[0].text_body

    signup.cancel(first)
    db.session.commit()
    cancelled, promoted = _messages(kind="registration_cancelled")[0], _messages(kind="registration_promoted")[0]
    assert (cancelled.recipient_email, promoted.recipient_email) == ("first@example.org", "second@example.org")
    confirmed = _messages(kind="registration_confirmed")[0]
    request_method, request = _vevent(confirmed)
    cancel_method, cancel = _vevent(cancelled)
    promote_method, promotion = _vevent(promoted)
    assert (request_method, cancel_method, promote_method) == ("REQUEST", "CANCEL", "REQUEST")
    assert str(request["UID"]) == str(cancel["UID"]) == str(promotion["UID"]) == event_uid(event)
    assert int(cancel["SEQUENCE"]) > int(request["SEQUENCE"])
    assert str(cancel["STATUS"]) == "CANCELLED"

    # The promoted participant cancels too: a cancellation above what they hold.
    signup.cancel(queries.find_registration(event, "second@example.org"))
    db.session.commit()
    _method, second_cancel = _vevent(_messages(kind="registration_cancelled")[1])
    assert int(second_cancel["SEQUENCE"]) > int(promotion["SEQUENCE"])

    files = _sent(mail_sink, 5)
    by_kind = {m.kind: path for m, path in zip(_messages(), files, strict=True)}
    assert_passes([by_kind["registration_waitlisted"]])
    assert_passes([f for m, f in zip(_messages(), files, strict=True) if m.ics], expect_ics=True)


def test_cancelling_from_the_waiting_list_sends_no_calendar_cancellation(event):
    _register(event, "first@example.org")
    waiting = _register(event, "second@example.org")
    signup.cancel(waiting)
    db.session.commit()
    (message,) = _messages(kind="registration_cancelled")
    assert message.ics is None


def test_offered_place_then_expired_offer(event, mail_sink):
    db.session.add(RegistrationSettings(event_id=event.id, promotion=PromotionPolicy.OFFER, offer_hours=48))
    db.session.commit()
    first = _register(event, "first@example.org")
    _register(event, "second@example.org", preferred_language="fr", name=ZOE)
    _register(event, "third@example.org")
    now = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    signup.cancel(first, now=now)
    db.session.commit()
    (offer,) = _messages(kind="registration_offered")
    assert offer.recipient_email == "second@example.org" and offer.ics is None
    # The deadline, 48 hours later, as Lyon's clocks show it, with the zone named, in both languages.
    assert "3 mars 2027, 10:00 (Europe/Paris)" in offer.text_body
    assert "Mar 3, 2027, 10:00 (Europe/Paris)" in offer.text_body
    assert "Accepter la place" in offer.html_body and f"{PUBLIC}/r/" in offer.html_body

    waitlist.expire_offers(now=now + timedelta(hours=49))
    db.session.commit()
    (expired,) = _messages(kind="registration_offer_expired")
    assert expired.recipient_email == "second@example.org"
    assert [m.recipient_email for m in _messages(kind="registration_offered")] == ["second@example.org",
                                                                                  "third@example.org"]
    files = _sent(mail_sink, len(_messages()))
    kinds = [m.kind for m in _messages()]
    assert_passes([f for kind, f in zip(kinds, files, strict=True)
                   if kind in ("registration_offered", "registration_offer_expired")])


def test_registering_again_with_the_same_email_resends_the_link(client, event, mail_sink):
    _register(event, "amal@example.org")
    again = {"name": "Someone Else", "email": "AMAL@example.org", "organisation": "Ville de Tunis",
             "position": "Officer", "city": "Tunis", "country_code": "TN", "preferred_language": "en",
             "consent_processing": "y", "website": ""}
    assert client.post(f"/events/{event.slug}/register?lang=en", data=again).status_code == 302
    assert [m.kind for m in _messages()] == ["registration_confirmed", "private_link_resent"]
    resent = _messages(kind="private_link_resent")[0]
    assert resent.recipient_email == "amal@example.org" and f"{PUBLIC}/r/" in resent.text_body
    assert_passes(_sent(mail_sink, 2)[1:])


def test_moderated_registration_received_then_approved_or_rejected(event, organiser):
    event.capacity = 5
    db.session.add(RegistrationSettings(event_id=event.id, moderated=True))
    db.session.commit()
    approved = _register(event, "a@example.org")
    rejected = _register(event, "b@example.org")
    staff.approve(organiser, approved)
    staff.reject(organiser, rejected)
    db.session.commit()
    assert [(m.kind, m.recipient_email, m.ics_method) for m in _messages()] == [
        ("registration_received", "a@example.org", None), ("registration_received", "b@example.org", None),
        ("registration_approved", "a@example.org", "REQUEST"), ("registration_rejected", "b@example.org", None)]


def test_a_rolled_back_action_and_erasure_send_nothing(event, organiser):
    signup.register(event, person("rolled@example.org"))
    db.session.rollback()
    assert _messages() == []
    registration = _register(event, "erase.me@example.org")
    queued = len(_messages())
    privacy.erase(organiser, registration)
    db.session.commit()
    assert len(_messages()) == queued
    privacy.purge_personal_data(now=utcnow() + timedelta(days=3000), retention_days=0)
    db.session.commit()
    assert len(_messages()) == queued


def test_background_publication_reaches_confirmed_participants_once_per_version(event, organiser, mail_sink):
    _register(event, "confirmed@example.org", preferred_language="fr", name=ZOE)
    _register(event, "waiting@example.org")
    before = len(_messages())
    data = background.BackgroundInput("# Housing", "# Logement")
    background.save_background(organiser, event, data, publish=True)
    background.publish_background(organiser, event)  # a double click: the same version
    db.session.commit()
    (message,) = _messages(kind="background_published")
    assert message.recipient_email == "confirmed@example.org"
    assert f"{PUBLIC}/events/{event.slug}/background" in message.text_body
    assert "est disponible" in message.text_body

    background.save_background(organiser, event, background.BackgroundInput("# Housing 2", "# Logement 2"),
                               publish=True)
    db.session.commit()
    update = _messages(kind="background_published")[1]
    assert "a été mis à jour" in update.text_body and "has been updated" in update.text_body
    files = _sent(mail_sink, before + 2)
    assert_passes(files[before:])


def test_agenda_change_after_opening_reaches_participants_and_presenters(event, organiser, mail_sink):
    _register(event, "confirmed@example.org", preferred_language="fr", name=ZOE)
    _register(event, "waiting@example.org")
    before = len(_messages())
    day = datetime.combine(event.start_date, time(9, 0))
    presenters = [agenda.PresenterInput("Claire Martin", "Métropole de Lyon", "Lyon", "claire@example.org"),
                  agenda.PresenterInput("No Email"),
                  agenda.PresenterInput("Confirmed too", email="CONFIRMED@example.org")]
    result = agenda.add_item(organiser, event, agenda.ItemInput(
        ItemKind.LOCAL_SOLUTIONS, "Housing first", "Le logement d'abord", day, day + timedelta(hours=1),
        room="Salle 2", presenters=presenters))
    db.session.commit()
    messages = _messages(kind="agenda_changed")
    assert sorted((m.recipient_email, m.languages) for m in messages) == [
        ("claire@example.org", "en,fr"), ("confirmed@example.org", "fr,en")]
    assert all("Le logement d'abord" in m.text_body and "(Europe/Paris)" in m.text_body for m in messages)

    # A template on the open event: one message per person for the whole batch.
    agenda.remove_item(organiser, event, result.item)
    agenda.create_from_template(organiser, event)
    db.session.commit()
    assert len(_messages(kind="agenda_changed", recipient_email="confirmed@example.org")) == 3
    files = _sent(mail_sink, len(_messages()))
    assert_passes(files[before:])


def test_agenda_change_reaches_a_linked_presenter_once_as_the_participant(event, organiser, mail_sink):
    zoe = _register(event, "zoe@example.net", preferred_language="fr", name=ZOE)
    before = len(_messages())
    day = datetime.combine(event.start_date, time(9, 0))
    presenters = [agenda.PresenterInput(registration_id=zoe.id),
                  agenda.PresenterInput("Claire Martin", "Métropole de Lyon", "Lyon", "claire@example.org")]
    agenda.add_item(organiser, event, agenda.ItemInput(
        ItemKind.LOCAL_SOLUTIONS, "Housing first", "Le logement d'abord", day, day + timedelta(hours=1),
        room="Salle 2", presenters=presenters))
    db.session.commit()
    messages = _messages(kind="agenda_changed")
    assert sorted((m.recipient_email, m.languages) for m in messages) == [
        ("claire@example.org", "en,fr"), ("zoe@example.net", "fr,en")]
    (to_zoe,) = [m for m in messages if m.recipient_email == "zoe@example.net"]
    link = next(line for line in to_zoe.text_body.splitlines() if line.startswith(f"{PUBLIC}/r/"))
    assert tokens.read_token(link.rsplit("/", 1)[1]).id == zoe.id
    (to_claire,) = [m for m in messages if m.recipient_email == "claire@example.org"]
    assert f"{PUBLIC}/r/" not in to_claire.text_body
    files = _sent(mail_sink, len(_messages()))
    assert_passes(files[before:])


def test_agenda_of_a_draft_event_sends_nothing(app, make, host, organiser):
    draft = make.event(host[0], EventState.DRAFT)
    day = datetime.combine(draft.start_date, time(9, 0))
    agenda.add_item(organiser, draft, agenda.ItemInput(
        ItemKind.SESSION, "S", "S", day, day + timedelta(hours=1),
        presenters=[agenda.PresenterInput("Claire", email="claire@example.org")]))
    db.session.commit()
    assert _messages() == []


def test_cancelling_the_event_reaches_every_active_registration(event, organiser, mail_sink):
    db.session.add(RegistrationSettings(event_id=event.id, promotion=PromotionPolicy.OFFER, offer_hours=48))
    db.session.commit()
    confirmed = _register(event, "confirmed@example.org", preferred_language="fr", name=ZOE)
    _register(event, "offered@example.org")
    _register(event, "waiting@example.org")
    gone = _register(event, "gone@example.org")
    signup.cancel(gone)
    signup.cancel(confirmed)  # the place is offered to the next
    db.session.commit()
    again = _register(event, "again@example.org")  # waiting
    before = len(_messages())
    change_state(event, EventState.CANCELLED, organiser, confirmed=True, reason="Grève des transports")
    db.session.commit()
    messages = _messages(kind="event_cancelled")
    assert sorted(m.recipient_email for m in messages) == sorted(
        ["offered@example.org", "waiting@example.org", again.email])
    assert {m.ics_method for m in messages} == {"CANCEL"}
    files = _sent(mail_sink, len(_messages()))
    assert_passes(files[before:], expect_ics=True)


def test_reminders_reach_confirmed_participants_once(app, make, host, runner, mail_sink):
    lyon, _organiser = host
    event = make.event(lyon, EventState.OPEN, capacity=1, start_date=utcnow().date() + timedelta(days=7),
                       registration_opens_at=utcnow() - timedelta(days=1))
    _register(event, "confirmed@example.org", preferred_language="fr", name=ZOE)
    _register(event, "waiting@example.org")
    before = len(_messages())
    assert "Queued 1 reminder(s)." in runner.invoke(args=["mail", "send-reminders"]).output
    assert "Queued 0 reminder(s)." in runner.invoke(args=["mail", "send-reminders"]).output
    assert send_reminders() == []
    (reminder,) = _messages(kind="reminder_7_days")
    assert reminder.recipient_email == "confirmed@example.org" and reminder.ics_method == "REQUEST"
    assert f"{PUBLIC}/r/" in reminder.text_body
    files = _sent(mail_sink, before + 1)
    assert_passes(files[before:], expect_ics=True)


def test_personal_calendar_shares_the_feed_uids_and_passes_check_ics(client, make, event, tmp_path):
    registration = _register(event, "amal@example.org", preferred_language="fr")
    token = tokens.make_token(registration)
    before = client.get(f"/r/{token}/calendar.ics").data
    assert f"UID:{event_uid(event)}".encode() in before  # no agenda yet: the event over its days
    session = make.agenda_item(event, "10:00", "11:00", title_en="Local solutions", title_fr="Solutions locales")
    visit = make.agenda_item(event, "14:00", "17:00", kind=ItemKind.FIELD_VISIT, title_en="Visit", title_fr="Visite")
    personal = Calendar.from_ical(client.get(f"/r/{token}/calendar.ics").data)
    feed = Calendar.from_ical(client.get(f"/events/{event.slug}/calendar.ics").data)
    uids = {str(v["UID"]) for v in personal.walk("VEVENT")}
    assert uids == {str(v["UID"]) for v in feed.walk("VEVENT")} == {
        f"agenda-item-{session.id}@mc2cm-events.local", f"agenda-item-{visit.id}@mc2cm-events.local"}
    first = next(v for v in personal.walk("VEVENT") if "Solutions" in str(v["SUMMARY"]))
    assert str(first["SUMMARY"]).startswith("Solutions locales")
    path = tmp_path / "personal.ics"
    path.write_bytes(personal.to_ical())
    assert_check_ics(path)


def test_personal_calendar_of_someone_waiting_is_tentative_and_online_skips_the_visit(app, client, make, host):
    from app.events.models import EventFormat

    lyon, _organiser = host
    event = make.event(lyon, EventState.OPEN, capacity=0, format=EventFormat.DIGITAL, online_url="https://m.example",
                       registration_opens_at=utcnow() - timedelta(days=1))
    registration = _register(event, "waiting@example.org")
    assert registration.status is RegistrationStatus.WAITLISTED
    make.agenda_item(event, "10:00", "11:00")
    make.agenda_item(event, "14:00", "17:00", kind=ItemKind.FIELD_VISIT)
    personal = Calendar.from_ical(client.get(f"/r/{tokens.make_token(registration)}/calendar.ics").data)
    assert [str(v["STATUS"]) for v in personal.walk("VEVENT")] == ["TENTATIVE"]



def test_erasure_leaves_no_personal_data_in_the_outbox(event, organiser):
    registration = _register(event, "Erase.Me@example.org", name="Erase Me")
    other = _register(event, "keep@example.org", name="Keep Me")
    mine = _messages(recipient_email="erase.me@example.org")
    assert mine and "Erase Me" in mine[0].text_body
    kept = len(_messages(recipient_email="keep@example.org"))
    privacy.erase(organiser, registration)
    db.session.commit()
    db.session.expire_all()
    assert _messages(recipient_email="erase.me@example.org") == []
    erased = [m for m in _messages() if m.recipient_email == "erased@invalid"]
    assert len(erased) == len(mine), "the messages stay counted"
    for message in erased:
        assert "Erase" not in message.subject + message.text_body + message.html_body + message.recipient_name
        assert message.ics is None
        assert message.status is not OutboxStatus.QUEUED, "nothing is sent to an erased person"
    # The other participant's messages are untouched (and they got the freed place).
    theirs = _messages(recipient_email="keep@example.org")
    assert len(theirs) == kept + 1 and all("Keep Me" in m.text_body for m in theirs), other


def test_an_erased_persons_message_cannot_be_sent_again(client, make, event, organiser):
    registration = _register(event, "gone@example.org")
    privacy.erase(organiser, registration)
    db.session.commit()
    message = next(m for m in _messages() if m.recipient_email == "erased@invalid")
    make.login(client, organiser)
    response = client.post(f"/manage/events/{event.slug}/outbox/{message.id}/resend?lang=en", follow_redirects=True)
    assert "cannot be sent again" in response.text
    assert len([m for m in _messages() if m.recipient_email == "erased@invalid"]) == 1
