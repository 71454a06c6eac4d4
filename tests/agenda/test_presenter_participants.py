"""Presenters who are registered participants: linked in the staff form, shown with their current
details (never their email, nothing once erased), listed on their own page."""

import html
from datetime import date, datetime, timedelta

import pytest

from app.agenda import services
from app.agenda.models import AgendaItem, ItemKind
from app.auth.models import Role
from app.db_types import utcnow
from app.events.models import EventState
from app.extensions import db
from app.registration import privacy as registration_privacy
from app.registration import signup as registration_signup
from app.registration import tokens
from tests.registration.conftest import person

DAY = date(2027, 10, 30)
ZOE = "Zoé Lefèvre-Ben Saïd"


@pytest.fixture
def lyon(make):
    return make.city("Lyon", "Europe/Paris", "FR")


def _open_event(make, lyon):
    return make.event(lyon, EventState.OPEN, start_date=DAY, end_date=DAY + timedelta(days=1),
                      registration_opens_at=utcnow() - timedelta(days=1),
                      registration_closes_at=utcnow() + timedelta(days=20))


@pytest.fixture
def event(make, lyon):
    return _open_event(make, lyon)


@pytest.fixture
def organiser(client, make, lyon):
    user = make.user(Role.ORGANISER, lyon)
    make.login(client, user)
    return user


def _register(event, email, **fields):
    registration = registration_signup.register(event, person(email, **fields)).registration
    db.session.commit()
    return registration


@pytest.fixture
def zoe(event):
    return _register(event, "zoe@example.net", name=ZOE, organisation="Ville de Tunis", city="Tunis",
                     preferred_language="fr")


def _form(**overrides):
    data = {
        "kind": "local_solutions", "title_en": "Housing first in Lyon", "title_fr": "Le logement d'abord à Lyon",
        "description_en": "", "description_fr": "", "starts_at": "2027-10-31T09:00", "ends_at": "2027-10-31T10:30",
        "track": "", "room": "Salle 2", "online_url": "",
        "presenters-0-registration_id": "", "presenters-0-name": "Claire Martin",
        "presenters-0-organisation": "Métropole de Lyon", "presenters-0-city": "Lyon",
        "presenters-0-email": "claire@example.org",
        "presenters-1-registration_id": "", "presenters-1-name": "", "presenters-1-organisation": "",
        "presenters-1-city": "", "presenters-1-email": "",
    }
    data.update(overrides)
    return data


def _items(event) -> list[AgendaItem]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(AgendaItem).where(AgendaItem.event_id == event.id)
                                   .order_by(AgendaItem.starts_at)))


def _add(event, actor, *presenters, start: int = 9) -> AgendaItem:
    day = datetime(2027, 10, 31, start)
    result = services.add_item(actor, event, services.ItemInput(
        ItemKind.LOCAL_SOLUTIONS, "Housing first", "Le logement d'abord", day, day + timedelta(hours=1),
        room="Salle 2", presenters=list(presenters)))
    db.session.commit()
    return result.item


@pytest.mark.parametrize(("lang", "label", "empty_choice"), [
    ("en", "Registered participant", "— not registered / enter below —"),
    ("fr", "Participant inscrit", "— non inscrit / saisir ci-dessous —"),
])
def test_organiser_links_a_registered_participant_through_the_form(client, event, organiser, zoe, lang, label,
                                                                  empty_choice):
    cancelled = _register(event, "gone@example.org", name="Gone Away")
    registration_signup.cancel(cancelled)
    db.session.commit()
    form = client.get(f"/manage/events/{event.slug}/agenda/items/new?lang={lang}").text
    assert label in form and empty_choice in form
    assert f'<option value="{zoe.id}">{ZOE} — Ville de Tunis</option>' in form
    assert "Gone Away" not in form  # only confirmed participants

    response = client.post(f"/manage/events/{event.slug}/agenda/items/new?lang={lang}", data=_form(**{
        "presenters-1-registration_id": str(zoe.id), "presenters-1-name": "Ignored free text"}))
    assert response.status_code == 302
    (item,) = _items(event)
    assert [(p.registration_id, p.name, p.email) for p in item.presenters] == [
        (None, "Claire Martin", "claire@example.org"), (zoe.id, "", "")]

    edit = client.get(f"/manage/events/{event.slug}/agenda/items/{item.id}?lang={lang}").text
    assert f'<option selected value="{zoe.id}">' in edit
    assert "Ignored free text" not in edit


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("whom", ["other_event", "cancelled"])
def test_a_participant_of_another_event_or_cancelled_is_refused_next_to_the_field(
        client, make, lyon, event, organiser, zoe, lang, whom):
    if whom == "other_event":
        registration = _register(_open_event(make, lyon), "elsewhere@example.org", name="Someone Elsewhere")
        message = {"en": "The presenter you chose is not registered for this event.",
                   "fr": "La personne choisie n'est pas inscrite à cet événement."}[lang]
    else:
        registration = _register(event, "gone@example.org", name="Gone Away")
        registration_signup.cancel(registration)
        db.session.commit()
        message = {"en": "Gone Away does not hold a confirmed place at this event",
                   "fr": "Gone Away n'a pas de place confirmée à cet événement"}[lang]
    response = client.post(f"/manage/events/{event.slug}/agenda/items/new?lang={lang}",
                           data=_form(**{"presenters-1-registration_id": str(registration.id)}))
    assert response.status_code == 422
    assert message in html.unescape(response.text)
    assert 'id="presenters-error"' in response.text
    assert "Métropole de Lyon" in response.text  # the input is kept
    assert _items(event) == []


def test_public_agenda_and_feed_show_the_linked_presenter_current_details_never_the_email(
        client, event, organiser, zoe):
    _add(event, organiser, services.PresenterInput(registration_id=zoe.id))
    zoe.name, zoe.organisation, zoe.city = "Zoé Ben Saïd", "Municipalité de Tunis", "La Marsa"
    db.session.commit()
    page = client.get(f"/events/{event.slug}/agenda?lang=en").text
    assert "Presenter:" in page and "Zoé Ben Saïd (Municipalité de Tunis, La Marsa)" in page
    assert ZOE not in page and "zoe@example.net" not in page
    feed = client.get(f"/events/{event.slug}/calendar.ics").data.decode()
    unfolded = feed.replace("\r\n ", "")
    assert "Zoé Ben Saïd\\, Municipalité de Tunis\\, La Marsa" in unfolded
    assert "zoe@example.net" not in unfolded


def test_erasure_hides_the_linked_presenter_everywhere(client, event, organiser, zoe):
    item = _add(event, organiser, services.PresenterInput(registration_id=zoe.id),
                services.PresenterInput("Claire Martin", "Métropole de Lyon", "Lyon"))
    registration_privacy.erase(organiser, zoe)
    db.session.commit()
    page = client.get(f"/events/{event.slug}/agenda?lang=en").text
    assert "Presenter:" in page and "Claire Martin (Métropole de Lyon, Lyon)" in page
    assert "Zoé" not in page and "Tunis" not in page
    feed = client.get(f"/events/{event.slug}/agenda/{item.id}.ics").data.decode()
    assert "Zoé" not in feed and "Tunis" not in feed and "Claire Martin" in feed
    # The erased participant is no longer offered in the form either.
    form = client.get(f"/manage/events/{event.slug}/agenda/items/{item.id}?lang=en").text
    assert f'value="{zoe.id}"' not in form


@pytest.mark.parametrize(("lang", "heading"), [("en", "You present:"), ("fr", "Vous présentez\u00a0:")])
def test_the_participant_page_lists_the_sessions_they_present(client, make, event, organiser, zoe, lang, heading):
    other = _register(event, "other@example.org")
    _add(event, organiser, services.PresenterInput(registration_id=zoe.id), start=14)
    first = _add(event, organiser, services.PresenterInput(registration_id=zoe.id), start=9)
    first.title_en, first.title_fr = "Opening words", "Mot d'ouverture"
    db.session.commit()
    page = client.get(f"/r/{tokens.make_token(zoe)}?lang={lang}").text
    assert heading in page and "Europe/Paris" in page
    section = page.split(heading, 1)[1].split("</section>", 1)[0]
    title = {"en": "Opening words", "fr": "Mot d'ouverture"}[lang]
    assert title in html.unescape(section) and "09:00" in section and "14:00" in section
    assert section.index("09:00") < section.index("14:00")
    assert heading not in client.get(f"/r/{tokens.make_token(other)}?lang={lang}").text


def test_a_participant_listed_twice_on_one_item_is_kept_once(app, make, event, zoe):
    item = _add(event, make.user(Role.ADMIN), services.PresenterInput(registration_id=zoe.id),
                services.PresenterInput(registration_id=zoe.id))
    assert [p.registration_id for p in item.presenters] == [zoe.id]


def test_a_linked_participant_who_cancels_is_flagged_in_the_edit_form_and_must_be_replaced(
        client, event, organiser, zoe):
    item = _add(event, organiser, services.PresenterInput(registration_id=zoe.id))
    registration_signup.cancel(zoe)
    db.session.commit()
    edit = client.get(f"/manage/events/{event.slug}/agenda/items/{item.id}?lang=en").text
    assert f'<option selected value="{zoe.id}">{ZOE} — Ville de Tunis (Cancelled)</option>' in edit
    response = client.post(f"/manage/events/{event.slug}/agenda/items/{item.id}?lang=en", data=_form(**{
        "presenters-0-registration_id": str(zoe.id), "presenters-0-name": "", "presenters-0-organisation": "",
        "presenters-0-city": "", "presenters-0-email": ""}))
    assert response.status_code == 422
    assert "does not hold a confirmed place" in html.unescape(response.text)
    response = client.post(f"/manage/events/{event.slug}/agenda/items/{item.id}?lang=en", data=_form())
    assert response.status_code == 302
    assert [(p.registration_id, p.name) for p in _items(event)[0].presenters] == [(None, "Claire Martin")]
