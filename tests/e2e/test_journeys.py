"""The two journeys a newcomer takes, end to end in Chromium against the app served on 127.0.0.1:

- the organiser's: sign in → create the event → its agenda from the template → open it → (a
  participant registers) → check them in at the door;
- the participant's, on a phone (360×740) in French: the event's page → the registration form →
  the thank-you page → their own page.

Both keep screenshots of what they see (pytest's tmp_path, or the folder named by SCREENSHOTS_DIR:
`python -m tests.e2e.screenshots` writes the README's into docs/screenshots/). The data, the dates
and the window sizes are fixed, and what changes with the clock (the event's history) is left out
of the pictures, so that the same code gives the same pictures."""

import os
import re
from pathlib import Path

import pytest

from app.auth.models import Role
from app.events.models import Event, EventState
from app.extensions import db
from app.registration.models import Registration, RegistrationStatus

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api").expect

PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
THEME = ("Urban citizenship", "Citoyenneté urbaine")


def _shots_dir(tmp_path: Path) -> Path:
    directory = Path(os.environ.get("SCREENSHOTS_DIR") or tmp_path / "screenshots")
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _shoot(page, path: Path, *, down_to=None, full_page: bool = False) -> None:
    """A picture of the page once its fonts are in: the window, the whole page, or from the top of
    the page down to the end of `down_to` (a locator)."""
    page.evaluate("document.fonts.ready.then(() => true)")
    options = {"path": str(path), "animations": "disabled", "caret": "hide"}
    if down_to is not None:
        box = down_to.bounding_box()
        width = page.viewport_size["width"]
        page.screenshot(**options, full_page=True, clip={"x": 0, "y": 0, "width": width, "height": box["y"]
                                                           + box["height"] + 16 + page.evaluate("window.scrollY")})
    else:
        page.screenshot(**options, full_page=full_page)
    assert path.stat().st_size > 5_000


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def lyon_team(make):
    lyon = make.city("Lyon", "Europe/Paris", "FR")
    make.city("Tunis", "Africa/Tunis", "TN")
    organiser = make.user(Role.ORGANISER, lyon, email="ines.martin@example.org", name="Inès Martin")
    facilitator = make.user(Role.FACILITATOR, email="zoe@example.org", name="Zoé Lefèvre-Ben Saïd")
    return organiser, facilitator


def _sign_in(page, base: str, user, password: str) -> None:
    page.goto(f"{base}/manage/login?lang=en")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_attached()


def _create_event(page, base: str, organiser, password: str) -> str:
    _sign_in(page, base, organiser, password)
    page.get_by_role("link", name="Create an event").click()
    page.get_by_label("Theme in English").fill(THEME[0])
    page.get_by_label("Theme in French").fill(THEME[1])
    page.get_by_label("Summary in English").fill("Two days on how cities open their services and their "
                                                 "decisions to every resident, whatever their status.")
    page.get_by_label("Summary in French").fill("Deux jours sur la manière dont les villes ouvrent leurs services "
                                                "et leurs décisions à tous les habitants, quel que soit leur statut.")
    page.get_by_label("First day").fill("2030-10-15")
    page.get_by_label("Last day").fill("2030-10-16")
    page.get_by_label("Venue", exact=True).fill("Hôtel de Ville, 1 place de la Comédie, Lyon")
    page.get_by_label("Capacity").fill("40")
    page.get_by_label("Registration opens").fill("2026-01-05T09:00")
    page.get_by_label("Registration closes").fill("2030-10-01T18:00")
    page.get_by_role("button", name="Create the draft").click()
    expect(page.locator(".flash-success")).to_contain_text("Event created as a draft")
    return re.search(r"/manage/events/([^/]+)/", page.url).group(1)


def test_the_organisers_journey_from_sign_in_to_the_door(live_server, browser, make, lyon_team, tmp_path):
    organiser, facilitator = lyon_team
    shots = _shots_dir(tmp_path)
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    page.set_default_timeout(15_000)
    slug = _create_event(page, live_server, organiser, make.PASSWORD)

    # The staff event page guides: what is left before opening, each line a link to where it is done.
    checklist = page.locator("#checklist-heading").locator("..")
    expect(checklist).to_contain_text("Before opening registration")
    expect(checklist.get_by_role("link", name="Publish the background document.")).to_be_visible()
    checklist.get_by_role("link", name="Build the agenda (it can start from the peer-learning template).").click()
    page.get_by_role("button", name="Start from the peer-learning template").click()
    expect(page.locator(".flash-success")).to_be_visible()
    page.goto(f"{live_server}/manage/events/{slug}/facilitators?lang=en")
    page.get_by_label("Facilitator").select_option(label=f"{facilitator.name} ({facilitator.email})")
    page.get_by_role("button", name="Assign").click()
    expect(page.locator(".flash-success")).to_contain_text(facilitator.name)

    page.goto(f"{live_server}/manage/events/{slug}/?lang=en")
    expect(checklist.locator("li.done", has_text="Agenda built.")).to_be_visible()
    expect(checklist.locator("li.done", has_text="Facilitators assigned.")).to_be_visible()
    page.get_by_role("button", name="Open the event").click()
    expect(page.locator(".flash-success")).to_contain_text("The event is now: Open")
    page.reload()
    _shoot(page, shots / "organiser-checklist.png", down_to=checklist)
    assert _no_horizontal_scroll(page)

    page.goto(f"{live_server}/events/{slug}/agenda?lang=en")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    _shoot(page, shots / "agenda.png", full_page=True)

    # A participant registers (their own journey is the next test): here, through the public form.
    visitor = browser.new_context(**PHONE, locale="fr-FR")
    phone = visitor.new_page()
    phone.goto(f"{live_server}/events/{slug}/register?lang=fr")
    _fill_registration(phone)
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Merci")
    visitor.close()

    # At the door, on the organiser's phone.
    door_context = browser.new_context(**PHONE)
    door = door_context.new_page()
    door.set_default_timeout(15_000)
    _sign_in(door, live_server, organiser, make.PASSWORD)
    door.goto(f"{live_server}/manage/events/{slug}/participants/check-in?lang=en")
    door.get_by_label("Find a participant by name").fill("Leïla")
    door.get_by_role("button", name="Search").tap()
    door.locator(".check-in-list li", has_text="Leïla Benali").get_by_role("button", name="Check in").tap()
    expect(door.locator(".check-in-list li", has_text="Leïla Benali")).to_contain_text("Checked in")
    door.locator("#q").blur()
    assert _no_horizontal_scroll(door)
    _shoot(door, shots / "check-in-phone.png")
    door.goto(f"{live_server}/manage/events/{slug}/?lang=fr")
    expect(door.get_by_role("heading", name="Liste de contrôle")).to_be_visible()
    assert _no_horizontal_scroll(door), "the staff event page fits a phone"
    door_context.close()
    db.session.expire_all()
    registration = db.session.scalar(db.select(Registration))
    assert registration.checked_in_at is not None and registration.status is RegistrationStatus.CONFIRMED
    assert db.session.scalar(db.select(Event.state)) is EventState.OPEN

    # The facilitator, once signed in, reads what they will do and when.
    guide = browser.new_context(**DESKTOP)
    facilitator_page = guide.new_page()
    _sign_in(facilitator_page, live_server, facilitator, make.PASSWORD)
    facilitator_page.goto(f"{live_server}/manage/events/{slug}/?lang=en")
    section = facilitator_page.locator("#guide-heading").locator("..")
    expect(section).to_contain_text("During the meeting")
    expect(section).to_contain_text("Record in the capture console")
    _shoot(facilitator_page, shots / "facilitator-guide.png", down_to=section)
    guide.close()
    context.close()


def _fill_registration(phone) -> None:
    phone.get_by_label("Nom complet", exact=True).fill("Leïla Benali")
    phone.get_by_label("Organisation", exact=True).fill("Ville de Tunis")
    phone.get_by_label("Ville", exact=True).fill("Tunis")
    phone.get_by_label("Adresse électronique").fill("leila.benali@example.org")
    phone.get_by_label("Régime alimentaire").fill("Végétarienne")
    phone.locator("input[name=consent_processing]").check()
    phone.get_by_role("button", name=re.compile("inscri", re.I)).last.click()


def test_the_participants_journey_on_a_phone_in_french(live_server, browser, make, lyon_team, tmp_path):
    from datetime import UTC, date, datetime

    from app.agenda.services import create_from_template
    from app.registration import tokens

    organiser, _facilitator = lyon_team
    shots = _shots_dir(tmp_path)
    lyon = organiser.city
    event = make.event(lyon, EventState.OPEN, slug="citoyennete-urbaine-lyon-2030", theme_en=THEME[0],
                       theme_fr=THEME[1], start_date=date(2030, 10, 15), end_date=date(2030, 10, 16),
                       venue="Hôtel de Ville, 1 place de la Comédie, Lyon", capacity=40,
                       summary_fr="Deux jours sur la manière dont les villes ouvrent leurs services et leurs décisions "
                                  "à tous les habitants, quel que soit leur statut.",
                       registration_opens_at=datetime(2026, 1, 5, 8, tzinfo=UTC),
                       registration_closes_at=datetime(2030, 10, 1, 16, tzinfo=UTC))
    create_from_template(organiser, event)
    db.session.commit()

    context = browser.new_context(**PHONE, locale="fr-FR")
    context.set_extra_http_headers({"Accept-Language": "fr-FR,fr;q=0.9"})
    phone = context.new_page()
    phone.set_default_timeout(15_000)
    phone.goto(f"{live_server}/events/{event.slug}/")
    assert phone.locator("html").get_attribute("lang") == "fr"
    expect(phone.get_by_role("heading", level=1)).to_have_text(THEME[1])
    assert _no_horizontal_scroll(phone)
    phone.get_by_role("link", name="S'inscrire").first.tap()
    phone.wait_for_url(re.compile(r"/register"))
    assert _no_horizontal_scroll(phone)
    _shoot(phone, shots / "registration-phone-fr.png", full_page=True)
    _fill_registration(phone)
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Merci")
    assert _no_horizontal_scroll(phone)
    _shoot(phone, shots / "thank-you-phone-fr.png", full_page=True)

    db.session.expire_all()
    registration = db.session.scalar(db.select(Registration).where(Registration.event_id == event.id))
    assert registration.name == "Leïla Benali" and registration.status is RegistrationStatus.CONFIRMED
    assert registration.dietary_needs == "Végétarienne"
    phone.goto(f"{live_server}/r/{tokens.make_token(registration)}")
    expect(phone.get_by_role("heading", level=1)).to_be_visible()
    expect(phone.locator("main")).to_contain_text("Leïla Benali")
    assert _no_horizontal_scroll(phone)
    _shoot(phone, shots / "participant-page-phone-fr.png")
    context.close()
