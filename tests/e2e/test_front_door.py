"""The network page in a real Chromium on a phone, JavaScript off: the filters are a plain form
whose choices end up in the URL, and the map's cities lead to their pages."""

import re
from datetime import date

import pytest

from app.events.models import EventFormat, EventState

pytestmark = pytest.mark.browser


@pytest.fixture
def phone_without_script(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, java_script_enabled=False, locale="fr-FR",
                                  extra_http_headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_a_visitor_on_a_phone_filters_the_events_and_opens_a_city_from_the_map(live_server, phone_without_script,
                                                                                make):
    page = phone_without_script
    tunis = make.city("Tunis", "Africa/Tunis", "TN")
    lyon = make.city("Lyon", "Europe/Paris", "FR")
    make.event(tunis, EventState.FINISHED, start_date=date(2019, 3, 5), theme_en="Jobs", theme_fr="Emploi")
    make.event(tunis, EventState.FINISHED, start_date=date(2020, 6, 1), theme_en="Online talk",
               theme_fr="Rencontre en ligne", format=EventFormat.DIGITAL)
    make.event(lyon, EventState.FINISHED, start_date=date(2019, 5, 1), theme_en="Housing", theme_fr="Logement")
    page.goto(f"{live_server}/")
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    page.get_by_label("Ville hôte").select_option("tunis")
    page.get_by_label("Année").select_option("2019")
    page.get_by_role("button", name="Afficher ces événements").tap()
    page.wait_for_url(re.compile(r"city=tunis"))
    assert "year=2019" in page.url
    assert page.get_by_role("status").inner_text().startswith("1 événement correspond à ces filtres.")
    assert page.get_by_role("link", name="Emploi").is_visible()
    assert page.get_by_role("link", name="Logement").count() == 0
    assert page.get_by_label("Ville hôte").input_value() == "tunis", "the choice is kept"
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    page.get_by_role("link", name="Effacer les filtres").tap()
    page.wait_for_url(f"{live_server}/")
    assert page.get_by_role("link", name="Logement").is_visible()
    # The map's dots lead to the city's page; the list says the same to a screen reader.
    page.locator('svg a[href="/cities/lyon"]').tap()
    page.wait_for_url(re.compile("/cities/lyon"))
    assert page.get_by_role("heading", level=1).inner_text() == "Lyon"
