"""The staff basics in a real Chromium: the overview, the filtered events list, the copy of an event
and the participants page through check-html (Nu + axe) in both languages and at a phone's width;
an organiser on a phone filters the list and copies last year's event."""

import re
import subprocess
from datetime import date, timedelta

import pytest

from app.auth.models import Role
from app.db_types import utcnow
from app.events.models import Event, EventState
from app.extensions import db
from app.mail.models import OutboxStatus
from app.mail.recipients import Recipient
from app.mail.services import queue_message
from app.registration.models import RegistrationStatus
from tests.e2e.test_html_validity import CHECK_HTML, _signed_in_cookie

pytestmark = [pytest.mark.browser]
expect = pytest.importorskip("playwright.sync_api").expect


@pytest.fixture
def network(make):
    turin = make.city("Turin", "Europe/Rome", "IT")
    tunis = make.city("Tunis", "Africa/Tunis", "TN")
    now = utcnow()
    upcoming = make.event(turin, EventState.OPEN, days_ahead=12, theme_en="Inclusive housing",
                          theme_fr="Logement inclusif", capacity=2, registration_closes_at=now + timedelta(days=6))
    past = make.event(turin, EventState.FINISHED, start_date=date(2025, 10, 14), end_date=date(2025, 10, 15),
                      theme_en="Urban citizenship", theme_fr="Citoyenneté urbaine")
    make.agenda_item(past, "09:00", "10:30", title_en="Opening", title_fr="Ouverture")
    make.event(tunis, EventState.DRAFT, days_ahead=20, theme_en="Access to services",
               theme_fr="Accès aux services")
    for status in (RegistrationStatus.CONFIRMED, RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED):
        make.registration(upcoming, status=status, name="Zoé Lefèvre-Ben Saïd",
                          organisation="Municipalité de Tunis, direction des affaires sociales")
    message = queue_message("private_link_resent", Recipient("zoe@example.net", "Zoé", "fr"), event=upcoming)
    message.status = OutboxStatus.FAILED
    db.session.commit()
    organiser = make.user(Role.ORGANISER, turin, email="giulia@example.org")
    admin = make.user(Role.ADMIN, email="amina@example.org")
    return {"upcoming": upcoming, "past": past, "organiser": organiser, "admin": admin}


def _check_html(urls: list[str], cookie: str, width: int | None = None) -> subprocess.CompletedProcess:
    if not CHECK_HTML.exists():
        pytest.skip("../shared/validators/check-html is not beside the project")
    args = [str(CHECK_HTML), "--strict", "--header", f"Cookie: {cookie}", *urls]
    if width:
        args[1:1] = ["--width", str(width), "--height", "844"]
    return subprocess.run(args, capture_output=True, text=True, timeout=900)


@pytest.mark.slow
def test_the_staff_basics_pages_are_valid_and_accessible(live_server, network, make):
    upcoming, past = network["upcoming"], network["past"]
    admin_cookie = _signed_in_cookie(live_server, network["admin"].email, make.PASSWORD)
    admin_pages = [f"{live_server}{path}" for path in (
        "/manage/overview?lang=fr", "/manage/overview?lang=en", "/manage/?lang=fr&year=2025&state=finished",
        "/manage/?lang=en&q=nothing", f"/manage/events/{past.slug}/duplicate?lang=fr",
        f"/manage/events/{upcoming.slug}/participants/?lang=en&status=waitlisted",
    )]
    for width in (None, 390):
        result = _check_html(admin_pages, admin_cookie, width)
        assert result.returncode == 0, result.stdout[-4000:]
    organiser_cookie = _signed_in_cookie(live_server, network["organiser"].email, make.PASSWORD)
    result = _check_html([f"{live_server}/manage/overview?lang=fr", f"{live_server}/manage/?lang=en"],
                         organiser_cookie, 390)
    assert result.returncode == 0, result.stdout[-4000:]


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")


def test_an_organiser_on_a_phone_finds_last_years_event_and_copies_it(live_server, phone, network, make):
    phone.goto(f"{live_server}/manage/?lang=fr")
    phone.get_by_label("Adresse électronique").fill(network["organiser"].email)
    phone.get_by_label("Mot de passe").fill(make.PASSWORD)
    phone.get_by_role("button", name="Se connecter").tap()
    phone.get_by_role("link", name="Vue d'ensemble des événements de votre ville").tap()
    expect(phone.locator(".deadlines.closing")).to_contain_text("Logement inclusif")
    assert _no_horizontal_scroll(phone)
    phone.go_back()
    phone.get_by_label("Année").select_option("2025")
    phone.get_by_role("button", name="Filtrer").tap()
    phone.wait_for_url(re.compile(r"year=2025"))
    expect(phone.get_by_role("link", name="Citoyenneté urbaine")).to_be_visible()
    expect(phone.get_by_role("link", name="Logement inclusif")).to_have_count(0)
    assert _no_horizontal_scroll(phone)
    phone.get_by_role("link", name="Citoyenneté urbaine").tap()
    phone.wait_for_url(re.compile(f"/manage/events/{network['past'].slug}/$"))
    phone.get_by_role("link", name="Copier dans un nouveau brouillon").tap()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Copier cet événement dans un nouveau brouillon")
    assert _no_horizontal_scroll(phone)
    phone.get_by_label("Premier jour du nouvel événement").fill("2027-10-12")
    phone.get_by_label("Adresse web").fill("Bad Address")
    phone.get_by_role("button", name="Créer la copie").tap()
    expect(phone.locator("#slug-error")).to_contain_text("Utilisez uniquement")
    assert phone.get_by_label("Premier jour du nouvel événement").input_value() == "2027-10-12", "nothing is lost"
    phone.get_by_label("Adresse web").fill("")
    phone.get_by_role("button", name="Créer la copie").tap()
    expect(phone.locator(".flash-success")).to_contain_text("Copie créée en brouillon")
    db.session.expire_all()
    copy = db.session.scalar(db.select(Event).where(Event.start_date == date(2027, 10, 12)))
    assert copy.state is EventState.DRAFT and copy.theme_fr == "Citoyenneté urbaine"
