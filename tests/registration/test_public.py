"""The public form and the participant's private page, in English and French."""

import html
import re
from datetime import timedelta

import pytest
import segno
from sqlalchemy import func, select

from app.calendar import event_uid
from app.db_types import utcnow
from app.events.models import EventFormat, EventState
from app.extensions import db
from app.registration import signup, staff, tokens
from app.registration.models import PromotionPolicy, Registration, RegistrationStatus
from config import Config
from tests.ical_check import assert_check_ics
from tests.registration.conftest import assert_seats_consistent

S = RegistrationStatus


def _form(**overrides):
    data = {"name": "Amal Benali", "email": "amal@example.org", "organisation": "Ville de Tunis",
            "position": "Chargée de mission", "city": "Tunis", "country_code": "TN", "preferred_language": "fr",
            "dietary_needs": "Halal", "accessibility_needs": "", "consent_processing": "y", "website": ""}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _count():
    return db.session.scalar(select(func.count(Registration.id)))


def _error_of(page: str, field: str) -> str:
    assert f'id="{field}-error"' in page, f"no error shown for {field}"
    return page.split(f'id="{field}-error"')[1].split("</ul>")[0].replace("&#39;", "'")


@pytest.mark.parametrize(("lang", "heading", "consent"), [
    ("en", "Register for this event", "process the data in this form to organise my participation"),
    ("fr", "S'inscrire à cet événement", "traitent les données de ce formulaire pour organiser ma participation"),
])
def test_the_form_in_both_languages_states_the_purpose(client, open_event, lang, heading, consent):
    event = open_event(capacity=10)
    page = client.get(f"/events/{event.slug}/register?lang={lang}").text
    assert heading in page.replace("&#39;", "'")
    assert consent in page.replace("&#39;", "'")
    assert 'name="website"' in page and 'class="hp"' in page
    assert 'name="attendance"' not in page, "only hybrid events ask how people attend"
    assert "10" in page


def test_hybrid_events_ask_how_people_attend(client, open_event):
    event = open_event(capacity=10, format=EventFormat.HYBRID)
    page = client.get(f"/events/{event.slug}/register?lang=en").text
    assert 'name="attendance"' in page and "Online" in page
    response = client.post(f"/events/{event.slug}/register?lang=en", data=_form())
    assert response.status_code == 422
    assert "Choose how you will attend." in _error_of(response.text, "attendance")
    response = client.post(f"/events/{event.slug}/register", data=_form(attendance="online"))
    assert response.status_code == 302
    assert db.session.scalar(select(Registration)).attendance.value == "online"


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_registering_confirms_and_announces(client, open_event, changes, lang):
    event = open_event(capacity=1)
    response = client.post(f"/events/{event.slug}/register?lang={lang}", data=_form())
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/events/{event.slug}/register/sent")
    registration = db.session.scalar(select(Registration))
    assert (registration.name, registration.email, registration.status) == ("Amal Benali", "amal@example.org",
                                                                            S.CONFIRMED)
    assert registration.consent_processing_at is not None and registration.consent_public_list is False
    assert changes == [("amal@example.org", "confirmed")]
    sent = client.get(response.headers["Location"] + f"?lang={lang}").text
    assert ("email with your private link" if lang == "en" else "courriel avec votre lien personnel") in sent


@pytest.mark.parametrize(("lang", "overrides", "field", "message"), [
    ("en", {"email": "not-an-email"}, "email", "Enter a valid email address"),
    ("fr", {"email": "not-an-email"}, "email", "Indiquez une adresse électronique valide"),
    ("en", {"email": ""}, "email", "Enter your email address."),
    ("en", {"name": "x" * 201}, "name", "At most 200 characters."),
    ("fr", {"organisation": "x" * 201}, "organisation", "200 caractères au plus."),
    ("en", {"dietary_needs": "x" * 1001}, "dietary_needs", "At most 1000 characters."),
    ("en", {"consent_processing": None}, "consent_processing", "We need your consent"),
    ("fr", {"consent_processing": None}, "consent_processing", "Nous avons besoin de votre consentement"),
    ("en", {"name": ""}, "name", "Enter your name."),
])
def test_bad_input_is_refused_next_to_its_field_keeping_what_was_typed(
        client, open_event, lang, overrides, field, message):
    event = open_event(capacity=5)
    response = client.post(f"/events/{event.slug}/register?lang={lang}", data=_form(**overrides))
    assert response.status_code == 422
    assert message in _error_of(response.text, field)
    assert 'value="Ville de Tunis"' in response.text or field == "organisation"
    assert "Halal</textarea>" in response.text or field == "dietary_needs"
    assert _count() == 0


@pytest.mark.parametrize(("change", "lang", "message"), [
    (dict(state=EventState.CLOSED), "en", "The organisers have closed registration for this event."),
    (dict(state=EventState.CLOSED), "fr", "Les organisateurs ont clos les inscriptions"),
    (dict(state=EventState.CANCELLED), "en", "This event has been cancelled."),
    (dict(state=EventState.FINISHED), "fr", "Cet événement est terminé."),
    (dict(registration_opens_at=utcnow() + timedelta(days=3)), "en", "has not opened yet"),
    (dict(registration_opens_at=utcnow() + timedelta(days=3)), "fr", "ne sont pas encore ouvertes"),
    (dict(registration_closes_at=utcnow() - timedelta(hours=1)), "en", "Registration for this event has ended."),
])
def test_outside_the_window_a_clear_page_says_why(client, open_event, change, lang, message):
    event = open_event(capacity=5, **change)
    page = client.get(f"/events/{event.slug}/register?lang={lang}")
    assert page.status_code == 200
    assert message in page.text.replace("&#39;", "'")
    assert 'name="email"' not in page.text
    response = client.post(f"/events/{event.slug}/register?lang={lang}", data=_form())
    assert response.status_code == 409 and _count() == 0


def test_the_page_says_when_registration_opens_in_the_event_time_zone(client, open_event, make):
    tunis = make.city("Tunis", "Africa/Tunis", "TN")
    opens = utcnow().replace(microsecond=0) + timedelta(days=3)
    event = open_event(host=tunis, registration_opens_at=opens)
    page = client.get(f"/events/{event.slug}/register?lang=en").text
    assert "(Africa/Tunis)" in page


def test_drafts_have_no_registration_page(client, open_event):
    event = open_event(state=EventState.DRAFT)
    assert client.get(f"/events/{event.slug}/register").status_code == 404


def test_the_same_email_again_looks_the_same_to_a_stranger_and_resends_the_link(client, open_event, changes):
    event = open_event(capacity=5)
    first = client.post(f"/events/{event.slug}/register?lang=en", data=_form())
    again = client.post(f"/events/{event.slug}/register?lang=en", data=_form(name="Someone Else",
                                                                            email="AMAL@example.org"))
    fresh = client.post(f"/events/{event.slug}/register?lang=en", data=_form(email="new@example.org"))
    assert first.status_code == again.status_code == fresh.status_code == 302
    assert first.headers["Location"] == again.headers["Location"] == fresh.headers["Location"]
    assert _count() == 2
    assert db.session.scalar(select(Registration).where(Registration.email == "amal@example.org")).name == \
        "Amal Benali"
    assert [c for _e, c in changes] == ["confirmed", "link_resent", "confirmed"]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_participant_who_cancelled_registers_again_through_the_form(client, open_event, changes, lang):
    event = open_event(capacity=1)
    assert client.post(f"/events/{event.slug}/register?lang={lang}", data=_form()).status_code == 302
    registration = db.session.scalar(select(Registration))
    old_token = tokens.make_token(registration)
    assert client.post(f"/r/{old_token}/cancel?lang={lang}", data={"confirmed": "y"}).status_code == 302
    again = client.post(f"/events/{event.slug}/register?lang={lang}", data=_form(organisation="Ville de Sousse"))
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/events/{event.slug}/register/sent")
    db.session.refresh(registration)
    assert (registration.status, registration.organisation) == (S.CONFIRMED, "Ville de Sousse")
    assert _count() == 1
    assert [c for _e, c in changes] == ["confirmed", "cancelled", "confirmed"]
    assert client.get(f"/r/{old_token}?lang={lang}").status_code == 404, "the old link is revoked"
    page = client.get(f"/r/{tokens.make_token(registration)}?lang={lang}")
    assert page.status_code == 200 and ("Confirmed" if lang == "en" else "Confirmée") in page.text


def test_double_submitting_creates_one_registration(client, open_event):
    event = open_event(capacity=5)
    for _ in range(2):
        client.post(f"/events/{event.slug}/register", data=_form())
    assert _count() == 1


def test_the_honeypot_catches_bots_without_telling_them(client, open_event, changes):
    event = open_event(capacity=5)
    response = client.post(f"/events/{event.slug}/register", data=_form(website="http://spam.example"))
    assert response.status_code == 302 and response.headers["Location"].endswith("/register/sent")
    assert _count() == 0 and changes == []


@pytest.mark.parametrize(("lang", "message"), [
    ("en", "Too many registrations have come from your network"),
    ("fr", "Trop d'inscriptions sont venues de votre réseau"),
])
def test_rate_limit_tells_a_human_and_keeps_the_form(app, client, open_event, lang, message):
    event = open_event(capacity=50)
    app.config["REGISTRATION_RATE_LIMIT"] = 2
    try:
        for number in range(2):
            assert client.post(f"/events/{event.slug}/register",
                               data=_form(email=f"p{number}@example.org")).status_code == 302
        response = client.post(f"/events/{event.slug}/register?lang={lang}", data=_form(email="third@example.org"))
    finally:
        app.config["REGISTRATION_RATE_LIMIT"] = Config.REGISTRATION_RATE_LIMIT
    assert response.status_code == 429
    assert message in response.text.replace("&#39;", "'")
    assert 'value="third@example.org"' in response.text
    assert _count() == 2


@pytest.mark.parametrize(("lang", "refused", "message"), [
    # Refused by the rules after the form was read (the request's transaction is rolled back) …
    ("en", dict(name="   "), "Too many registrations have come from your network"),
    ("fr", dict(name="   "), "Trop d'inscriptions sont venues de votre réseau"),
    # … or by the form itself.
    ("en", dict(email="not-an-email"), "Too many registrations have come from your network"),
])
def test_refused_submissions_count_towards_the_rate_limit(app, client, open_event, lang, refused, message):
    event = open_event(capacity=50)
    app.config["REGISTRATION_RATE_LIMIT"] = 2
    try:
        for number in range(2):
            response = client.post(f"/events/{event.slug}/register?lang={lang}",
                                   data=_form(**{"email": f"p{number}@example.org", **refused}))
            assert response.status_code == 422
        response = client.post(f"/events/{event.slug}/register?lang={lang}", data=_form(email="third@example.org"))
    finally:
        app.config["REGISTRATION_RATE_LIMIT"] = Config.REGISTRATION_RATE_LIMIT
    assert response.status_code == 429
    assert message in response.text.replace("&#39;", "'")
    assert _count() == 0


def test_a_delegation_behind_one_network_registers_whole(app, client, open_event):
    """Forty colleagues of one city hall share its address: the default limits let them all in."""
    event = open_event(capacity=50)
    app.config.update(REGISTRATION_RATE_LIMIT=Config.REGISTRATION_RATE_LIMIT,
                      REGISTRATION_EMAIL_RATE_LIMIT=Config.REGISTRATION_EMAIL_RATE_LIMIT)
    for number in range(40):
        response = client.post(f"/events/{event.slug}/register", data=_form(email=f"delegate{number}@tunis.example"))
        assert response.status_code == 302, number
    assert _count() == 40


@pytest.mark.parametrize(("lang", "message"), [
    ("en", "This email address has been sent too many times"),
    ("fr", "Cette adresse électronique a été envoyée trop de fois"),
])
def test_one_email_address_sent_again_and_again_is_refused(app, client, open_event, lang, message):
    event = open_event(capacity=50)
    app.config.update(REGISTRATION_RATE_LIMIT=Config.REGISTRATION_RATE_LIMIT, REGISTRATION_EMAIL_RATE_LIMIT=3)
    try:
        for _ in range(3):
            sent = client.post(f"/events/{event.slug}/register", data=_form(email="Same@Example.org"))
            assert sent.status_code == 302
        response = client.post(f"/events/{event.slug}/register?lang={lang}", data=_form(email="same@example.org"))
        other = client.post(f"/events/{event.slug}/register", data=_form(email="other@example.org"))
    finally:
        app.config["REGISTRATION_EMAIL_RATE_LIMIT"] = Config.REGISTRATION_EMAIL_RATE_LIMIT
    assert response.status_code == 429
    assert message in html.unescape(response.text).replace("\u00a0", " ")
    assert 'value="Amal Benali"' in response.text, "what was typed is kept"
    assert other.status_code == 302, "another address from the same network still gets in"


# --- The participant's page ----------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "texts"), [
    ("en", ["Your registration", "On the waiting list", "Your position on the waiting list: 2"]),
    ("fr", ["Votre inscription", "En liste d'attente", "Votre position sur la liste d'attente : 2"]),
])
def test_participant_sees_status_and_waiting_list_position(client, open_event, register, lang, texts):
    event = open_event(capacity=1)
    register(event)
    register(event)
    waiting = register(event, name="Third Person")
    response = client.get(f"/r/{tokens.make_token(waiting)}?lang={lang}")
    assert response.status_code == 200
    page = response.text.replace("&#39;", "'").replace("\u00a0", " ")
    for text in texts:
        assert text in page
    assert "Third Person" in page
    assert "no-store" in response.headers["Cache-Control"]
    assert 'class="qr"' not in page, "no check-in code without a place"


def test_confirmed_participant_gets_a_check_in_qr_code(app, client, open_event, register):
    registration = register(open_event(capacity=5))
    page = html.unescape(client.get(f"/r/{tokens.make_token(registration)}?lang=en").text)
    # Under PUBLIC_URL, whatever Host the participant's request named: the organiser's phone scans it.
    check_in_url = (f"{app.config['PUBLIC_URL']}/manage/events/{registration.event.slug}/participants/"
                    f"{registration.id}/check-in")
    assert f'class="qr" src="{segno.make(check_in_url, error="m").svg_data_uri(scale=4, border=2)}"' in page


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_participant_edits_details_with_errors_next_to_fields(client, open_event, register, lang):
    registration = register(open_event(capacity=5))
    url = f"/r/{tokens.make_token(registration)}/edit?lang={lang}"
    page = client.get(url).text
    assert f'value="{registration.name}"' in page
    bad = client.post(url, data={"name": "", "organisation": "New Org", "preferred_language": "fr"})
    assert bad.status_code == 422
    assert ("Enter your name." if lang == "en" else "Indiquez votre nom.") in _error_of(bad.text, "name")
    assert 'value="New Org"' in bad.text
    good = client.post(url, data={"name": "New Name", "organisation": "New Org", "preferred_language": "fr",
                                  "consent_public_list": "y"})
    assert good.status_code == 302
    db.session.refresh(registration)
    assert (registration.name, registration.organisation, registration.preferred_language,
            registration.consent_public_list) == ("New Name", "New Org", "fr", True)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_participant_cancels_after_confirming_and_the_next_is_promoted(client, open_event, register, changes, lang):
    event = open_event(capacity=1)
    holder, waiting = register(event), register(event)
    url = f"/r/{tokens.make_token(holder)}/cancel?lang={lang}"
    page = client.get(url).text
    # What is true: the place is given up, and registering again stays possible, without a place promised.
    assert ("you give it up" if lang == "en" else "vous y renoncez") in page
    assert ("a place is not guaranteed" if lang == "en" else "sans garantie d'obtenir une place") in \
        page.replace("&#39;", "'")
    assert "cannot be undone" not in page and "définitive" not in page
    unconfirmed = client.post(url, data={})
    assert unconfirmed.status_code == 422
    db.session.refresh(holder)
    assert holder.status is S.CONFIRMED
    assert client.post(url, data={"confirmed": "y"}).status_code == 302
    db.session.refresh(holder)
    db.session.refresh(waiting)
    assert (holder.status, waiting.status) == (S.CANCELLED, S.CONFIRMED)
    assert changes[-2:] == [(holder.email, "cancelled"), (waiting.email, "promoted")]
    status = client.get(f"/r/{tokens.make_token(holder)}?lang={lang}").text
    assert ("Cancelled</span>" if lang == "en" else "Annulée</span>") in status  # an « inscription » agrees
    assert_seats_consistent(event)


def test_participant_accepts_an_offered_place(client, open_event, register):
    event = open_event(capacity=1, settings=dict(promotion=PromotionPolicy.OFFER, offer_hours=12))
    holder, waiting = register(event), register(event)
    signup.cancel(holder)
    db.session.commit()
    token = tokens.make_token(waiting)
    page = client.get(f"/r/{token}?lang=en").text
    assert "Place offered" in page and "Accept the place" in page
    assert client.post(f"/r/{token}/accept").status_code == 302
    db.session.refresh(waiting)
    assert waiting.status is S.CONFIRMED


def test_personal_calendar_file_is_valid(client, open_event, register, tmp_path):
    registration = register(open_event(capacity=5, theme_en="Urban citizenship"))
    response = client.get(f"/r/{tokens.make_token(registration)}/calendar.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    body = response.data.decode()
    assert "DTSTART;VALUE=DATE:" in body and "SUMMARY:Urban citizenship" in body
    assert f"UID:{event_uid(registration.event)}" in body  # the UID of the feed and of the invitations
    path = tmp_path / "personal.ics"
    path.write_bytes(response.data)
    assert_check_ics(path)


def test_forged_expired_and_revoked_links_are_refused(client, app, open_event, register, make):
    registration = register(open_event(capacity=5))
    token = tokens.make_token(registration)
    forged = token[:-3] + ("abc" if not token.endswith("abc") else "xyz")
    response = client.get(f"/r/{forged}?lang=en")
    assert response.status_code == 404 and registration.name not in response.text
    assert "This link is not valid" in response.text
    event = registration.event
    start, end = event.start_date, event.end_date
    event.start_date, event.end_date = start - timedelta(days=400), end - timedelta(days=400)  # moved to the past
    db.session.commit()
    for lang, text in (("en", "This link has expired"), ("fr", "Ce lien a expiré")):
        response = client.get(f"/r/{token}?lang={lang}")
        assert response.status_code == 410 and text in response.text
    event.start_date, event.end_date = start, end
    db.session.commit()
    assert client.get(f"/r/{token}").status_code == 200
    staff.new_link(make.user(), registration)
    db.session.commit()
    for path in ("", "/edit", "/cancel", "/calendar.ics"):
        assert client.get(f"/r/{token}{path}").status_code == 404
    assert client.post(f"/r/{token}/cancel", data={"confirmed": "y"}).status_code == 404
    db.session.refresh(registration)
    assert registration.status is S.CONFIRMED


def test_public_list_shows_only_confirmed_people_who_consented(client, open_event, register):
    event = open_event(capacity=2)
    register(event, name="Visible Person", consent_public_list=True)
    register(event, name="Private Person", consent_public_list=False)
    register(event, name="Waiting Person", consent_public_list=True)
    page = client.get(f"/events/{event.slug}/participants?lang=en").text
    assert "Visible Person" in page
    assert "Private Person" not in page and "Waiting Person" not in page
    assert "@example.org" not in page


def test_the_hub_links_to_the_open_registration(client, open_event):
    event = open_event(capacity=5)
    page = client.get(f"/events/{event.slug}/?lang=en").text
    assert f'href="/events/{event.slug}/register"' in page


@pytest.mark.parametrize(("state", "lang", "message"), [
    (EventState.CANCELLED, "en", "This event has been cancelled: registrations can no longer be changed."),
    (EventState.CANCELLED, "fr", "Cet événement a été annulé : les inscriptions ne peuvent plus être modifiées."),
    (EventState.FINISHED, "en", "This event is over: registrations can no longer be changed."),
    (EventState.FINISHED, "fr", "Cet événement est terminé : les inscriptions ne peuvent plus être modifiées."),
])
def test_after_the_event_is_cancelled_or_over_the_private_page_only_shows(
        client, open_event, register, changes, state, lang, message):
    event = open_event(capacity=1)
    holder, waiting = register(event), register(event)
    event.state = state
    db.session.commit()
    before = list(changes)
    token = tokens.make_token(holder)
    page = client.get(f"/r/{token}?lang={lang}")
    assert page.status_code == 200
    text = html.unescape(page.text).replace("\u00a0", " ")
    assert message in text
    assert f"/r/{token}/edit" not in text and f"/r/{token}/cancel" not in text
    for path, data in (("/edit", None), ("/cancel", None), ("/edit", {"name": "New Name", "preferred_language": "en"}),
                       ("/cancel", {"confirmed": "y"})):
        response = client.post(f"/r/{token}{path}?lang={lang}", data=data) if data else \
            client.get(f"/r/{token}{path}?lang={lang}")
        assert response.status_code == 302 and response.headers["Location"].endswith(f"/r/{token}")
    db.session.refresh(holder)
    db.session.refresh(waiting)
    assert (holder.status, holder.name, waiting.status) == (S.CONFIRMED, holder.name, S.WAITLISTED)
    assert holder.name != "New Name" and changes == before
    assert_seats_consistent(event)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_an_offered_place_cannot_be_accepted_once_the_event_is_cancelled(client, open_event, register, lang):
    event = open_event(capacity=1, settings=dict(promotion=PromotionPolicy.OFFER, offer_hours=12))
    holder, offered = register(event), register(event)
    signup.cancel(holder)
    event.state = EventState.CANCELLED
    db.session.commit()
    token = tokens.make_token(offered)
    page = html.unescape(client.get(f"/r/{token}?lang={lang}").text)
    assert "Accept the place" not in page and "Accepter la place" not in page
    response = client.post(f"/r/{token}/accept?lang={lang}")
    assert response.status_code == 302
    db.session.refresh(offered)
    assert offered.status is S.OFFERED


def test_the_cached_blank_form_gives_every_visitor_their_own_working_token(open_event, database_url):
    import re

    from sqlalchemy import event as sa_event

    from app import create_app

    event = open_event()
    served = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database_url, "WTF_CSRF_ENABLED": True})
    with served.app_context():
        served_engine = db.engine
    statements = []
    sa_event.listen(served_engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    visitors, tokens_seen, queries_per_visit = [served.test_client(), served.test_client()], [], []
    for visitor in visitors:
        statements.clear()
        page = visitor.get(f"/events/{event.slug}/register?lang=en").text
        queries_per_visit.append(len(statements))
        tokens_seen.append(re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1))
    assert tokens_seen[0] != tokens_seen[1]
    assert queries_per_visit[1] < queries_per_visit[0], "the second visitor's blank form comes from the cache"
    for visitor, token, email in zip(visitors, tokens_seen, ("first@example.org", "second@example.org"), strict=True):
        response = visitor.post(f"/events/{event.slug}/register", data=_form(email=email, csrf_token=token))
        assert response.status_code == 302, response.text[:500]
    assert _count() == 2
    with served.app_context():
        db.engine.dispose()


def test_the_form_never_shows_the_link_of_a_registration_that_existed_before(app, client, open_event):
    """Development shows a new registration's link after the form; anyone can type someone else's
    address, so a registration that existed (active, or cancelled and taken up again) gets its link
    by email only, in every configuration."""
    event = open_event(capacity=10)
    app.config["REGISTRATION_SHOW_LINK"] = True
    try:
        first = client.post(f"/events/{event.slug}/register?lang=en", data=_form(), follow_redirects=True)
        registration = db.session.scalar(select(Registration))
        assert "/r/" in first.text and "Development only" in first.text, "a new registration may see its link"
        again = client.post(f"/events/{event.slug}/register?lang=en", data=_form(name="Someone Else"),
                            follow_redirects=True)
        assert "Development only" not in again.text and "/r/" not in again.text
        signup.cancel(registration)
        db.session.commit()
        reopened = client.post(f"/events/{event.slug}/register?lang=en", data=_form(name="Someone Else"),
                               follow_redirects=True)
        assert "Development only" not in reopened.text and "/r/" not in reopened.text
    finally:
        app.config["REGISTRATION_SHOW_LINK"] = False


def test_the_error_summary_in_french_names_each_field_once_and_briefly(client, open_event):
    event = open_event(capacity=40, format=EventFormat.HYBRID)
    response = client.post(f"/events/{event.slug}/register?lang=fr", data=_form(consent_processing=None))
    summary = re.search(r'<div class="error-summary".*?</div>', response.text, re.S).group(0)
    summary = re.sub(r"<[^>]+>", "", summary)
    assert "Comment participerez-vous\u00a0? Indiquez" in summary  # the question takes no colon of its own
    assert "?\u00a0:" not in summary and "? :" not in summary
    assert "Consentement au traitement de vos données\u00a0: Nous avons besoin" in summary
    assert "MC2CM" not in summary  # not the whole consent paragraph again


def test_the_places_left_per_mode_go_on_in_lower_case_after_the_label_in_french(client, open_event):
    event = open_event(capacity=40, format=EventFormat.HYBRID, settings={"online_capacity": 100})
    page = client.get(f"/events/{event.slug}/register?lang=fr").text
    assert re.search(r"\u00a0:</strong>\s*40 places restantes\.", page), page
    assert "Encore" not in page
