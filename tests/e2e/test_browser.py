"""End-to-end, in headless Chromium against the app served on 127.0.0.1."""

import re
from datetime import timedelta

import pytest

from app.auth.models import Role
from app.db_types import utcnow
from app.events.models import Event, EventState
from app.extensions import db
from app.registration import signup as registration
from tests.registration.conftest import person

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api").expect


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")


def test_a_participant_on_a_phone_reads_the_network_in_french_and_switches_to_english(live_server, phone, make):
    turin = make.city("Turin", "Europe/Rome", "IT")
    event = make.event(turin, EventState.OPEN, theme_en="Inclusive housing", theme_fr="Logement inclusif")
    phone.context.set_extra_http_headers({"Accept-Language": "fr-FR,fr;q=0.9"})
    phone.goto(f"{live_server}/")
    assert phone.locator("html").get_attribute("lang") == "fr"
    assert phone.get_by_role("heading", name="Événements à venir").is_visible()
    assert _no_horizontal_scroll(phone)
    phone.get_by_role("link", name="Logement inclusif").tap()
    phone.wait_for_url(re.compile(f"/events/{event.slug}/"))
    assert phone.get_by_role("heading", level=1).inner_text() == "Logement inclusif"
    assert _no_horizontal_scroll(phone)
    phone.get_by_role("link", name="English").tap()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Inclusive housing")
    phone.goto(f"{live_server}/")
    assert phone.locator("html").get_attribute("lang") == "en", "the choice is remembered"


def test_keyboard_users_see_where_the_focus_is(live_server, desktop):
    desktop.goto(f"{live_server}/?lang=en")
    desktop.keyboard.press("Tab")
    skip_link = desktop.get_by_role("link", name="Skip to content")
    assert skip_link.evaluate("element => element === document.activeElement")
    assert skip_link.is_visible()
    outline = skip_link.evaluate("element => getComputedStyle(element).outlineStyle")
    assert outline != "none"


def test_an_organiser_on_a_phone_creates_fixes_and_opens_an_event(live_server, phone, make):
    turin = make.city("Turin", "Europe/Rome", "IT")
    organiser = make.user(Role.ORGANISER, turin, email="giulia@example.org")
    phone.goto(f"{live_server}/manage/?lang=fr")
    phone.get_by_label("Adresse électronique").fill(organiser.email)
    phone.get_by_label("Mot de passe").fill(make.PASSWORD)
    phone.get_by_role("button", name="Se connecter").tap()
    phone.get_by_role("link", name="Créer un événement").tap()
    phone.get_by_label("Thème en anglais").fill("Inclusive housing")
    phone.get_by_label("Thème en français").fill("Logement inclusif")
    phone.get_by_label("Premier jour").fill("2030-03-27")
    phone.get_by_label("Dernier jour").fill("2030-03-26")
    phone.get_by_label("Lieu", exact=True).fill("Palazzo Civico")
    phone.get_by_role("button", name="Créer le brouillon").tap()
    expect(phone.locator("#end_date-error")).to_contain_text("ne peut pas se terminer avant")
    assert phone.get_by_label("Thème en anglais").input_value() == "Inclusive housing", "nothing typed is lost"
    assert _no_horizontal_scroll(phone)
    phone.get_by_label("Dernier jour").fill("2030-03-28")
    phone.get_by_role("button", name="Créer le brouillon").tap()
    phone.get_by_role("button", name="Ouvrir l'événement").tap()
    # The summaries are empty on both sides, so there is nothing to confirm: the event opens.
    expect(phone.locator(".flash-success")).to_contain_text("L'événement est désormais\u00a0: Ouvert")
    db.session.expire_all()
    event = db.session.scalar(db.select(Event))
    assert event.state is EventState.OPEN
    phone.goto(f"{live_server}/?lang=fr")
    assert phone.get_by_role("link", name="Logement inclusif").is_visible()


def test_an_organiser_on_a_phone_names_a_registered_participant_as_presenter(live_server, phone, make):
    turin = make.city("Turin", "Europe/Rome", "IT")
    organiser = make.user(Role.ORGANISER, turin, email="giulia@example.org")
    event = make.event(turin, EventState.OPEN, registration_opens_at=utcnow() - timedelta(days=1),
                       registration_closes_at=utcnow() + timedelta(days=20))
    registration.register(event, person("lina@example.org", name="Lina Haddad",
                                        organisation="Greater Amman Municipality", city="Amman"))
    db.session.commit()
    phone.goto(f"{live_server}/manage/?lang=fr")
    phone.get_by_label("Adresse électronique").fill(organiser.email)
    phone.get_by_label("Mot de passe").fill(make.PASSWORD)
    phone.get_by_role("button", name="Se connecter").tap()
    expect(phone.get_by_role("button", name="Se connecter")).to_have_count(0)  # signed in
    phone.goto(f"{live_server}/manage/events/{event.slug}/agenda/items/new?lang=fr")
    assert _no_horizontal_scroll(phone)
    phone.get_by_label("Titre en anglais").fill("Housing first")
    phone.get_by_label("Début").fill(f"{event.start_date.isoformat()}T10:00")
    phone.get_by_label("Fin").fill(f"{event.start_date.isoformat()}T11:00")
    choice = phone.locator("#presenters-0-registration_id")
    choice.select_option(label="Lina Haddad — Greater Amman Municipality")
    assert choice.bounding_box()["width"] <= 390
    phone.get_by_role("button", name="Ajouter la séquence").tap()
    expect(phone.locator(".flash-success")).to_contain_text("Séquence ajoutée au programme")
    phone.goto(f"{live_server}/events/{event.slug}/agenda?lang=fr")
    expect(phone.locator(".item-facts")).to_contain_text("Lina Haddad (Greater Amman Municipality, Amman)")
    assert "lina@example.org" not in phone.content()
    assert _no_horizontal_scroll(phone)
