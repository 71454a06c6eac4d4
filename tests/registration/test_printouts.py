"""The sign-in sheet and the name badges: PDFs in the viewer's language, of the people expected at
the door, rendered with nothing fetched but the app's static files."""

import io
from datetime import date

import pytest
from flask import current_app
from pypdf import PdfReader

from app.agenda.models import AgendaPresenter
from app.auth.models import Role
from app.events.models import EventFormat
from app.extensions import db
from app.pdf import STATIC_ORIGIN, StaticOnlyFetcher, render_pdf
from app.registration import printouts
from app.registration.models import AttendanceMode, RegistrationStatus

S = RegistrationStatus


@pytest.fixture
def organiser(client, make):
    user = make.user(Role.ORGANISER, make.city("Lyon", "Europe/Paris", "FR"))
    make.login(client, user)
    return user


@pytest.fixture
def event(open_event, organiser, make):
    event = open_event(capacity=40, host=organiser.city, format=EventFormat.HYBRID, start_date=date(2030, 3, 26),
                       end_date=date(2030, 3, 27), theme_en="Inclusive housing", theme_fr="Logement inclusif")
    zoe = make.registration(event, name="Zoé Müller", organisation="Ville de Lyon", city="Lyon")
    item = make.agenda_item(event, title_en="Local solutions")
    db.session.add(AgendaPresenter(item_id=item.id, name=zoe.name, registration_id=zoe.id))
    db.session.commit()
    make.registration(event, name="Amal Benali", organisation="Municipalité de Tunis", city="Tunis")
    make.registration(event, name="Online Person", attendance=AttendanceMode.ONLINE)
    make.registration(event, name="Waiting Person", status=S.WAITLISTED)
    make.registration(event, name="Cancelled Person", status=S.CANCELLED)
    make.assign(event, make.user(Role.FACILITATOR, name="Fatima Facilitator"))
    return event


def _text(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    return reader, " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _pdf(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
    assert "no-store" in response.headers["Cache-Control"]
    return _text(response.data)


def test_the_sign_in_sheet_lists_who_is_expected_at_the_door(client, event):
    reader, text = _pdf(client, f"/manage/events/{event.slug}/participants/sign-in-sheet.pdf?lang=fr")
    assert "Feuille d'émargement" in text and "Logement inclusif" in text
    assert text.index("Amal Benali") < text.index("Zoé Müller"), "by name"
    assert "Municipalité de Tunis" in text
    for absent in ("Online Person", "Waiting Person", "Cancelled Person"):
        assert absent not in text
    assert "mardi 26 mars 2030" in text and "mercredi 27 mars 2030" in text, "a signature box per day"
    assert "2 participants attendus en présentiel." in text
    assert reader.pages[0].mediabox.width == pytest.approx(595, abs=1), "A4"


def test_badges_give_name_organisation_city_and_role_eight_to_a_page(client, event, organiser, make):
    for number in range(8):
        make.registration(event, name=f"Delegate {number}", organisation="City Hall", city="Sfax")
    reader, text = _pdf(client, f"/manage/events/{event.slug}/participants/badges.pdf?lang=en")
    assert "Amal Benali Municipalité de Tunis Tunis PARTICIPANT" in text
    assert "Zoé Müller Ville de Lyon Lyon PRESENTER" in text, "the agenda names who presents"
    assert f"{organiser.name} Lyon ORGANISER" in text and "Fatima Facilitator FACILITATOR" in text
    assert "Online Person" not in text and "Waiting Person" not in text
    # 10 participants in person, an organiser and a facilitator: 12 badges, 8 on the first page.
    assert [page.extract_text().count("INCLUSIVE HOUSING") for page in reader.pages] == [8, 4]


def test_badges_in_french(client, event):
    _reader, text = _pdf(client, f"/manage/events/{event.slug}/participants/badges.pdf?lang=fr")
    assert "Zoé Müller Ville de Lyon Lyon INTERVENANT" in text and "ORGANISATEUR" in text
    assert "FACILITATEUR" in text and "Amal Benali Municipalité de Tunis Tunis PARTICIPANT" in text


def test_a_name_that_looks_like_markup_is_printed_never_fetched(app, event, make):
    make.registration(event, name='<img src="https://evil.example/x.png"><link rel=attachment href="file:///etc/passwd">',
                      organisation='<style>@import url("https://evil.example/a.css");</style>')
    with app.test_request_context("/?lang=en"):
        pages = [printouts.badges_html(event), printouts.sign_in_sheet_html(event)]
    for html in pages:
        fetcher = StaticOnlyFetcher(current_app.static_folder)
        data = render_pdf(html, current_app.static_folder, fetcher=fetcher)
        assert '<img src="https://' in _text(data)[1], "printed as text"
        assert fetcher.refused == []
        assert fetcher.fetched and all(url.startswith(STATIC_ORIGIN) for url in fetcher.fetched)


def test_printouts_are_for_the_events_organisers_only(app, client, event, make):
    other = app.test_client()
    make.login(other, make.user(Role.ORGANISER, make.city("Tunis", "Africa/Tunis", "TN")))
    for path in ("sign-in-sheet.pdf", "badges.pdf"):
        assert other.get(f"/manage/events/{event.slug}/participants/{path}").status_code == 403


def test_the_participants_page_links_to_the_printouts(client, event):
    page = client.get(f"/manage/events/{event.slug}/participants/?lang=en").text
    assert f'href="/manage/events/{event.slug}/participants/sign-in-sheet.pdf"' in page
    assert f'href="/manage/events/{event.slug}/participants/badges.pdf"' in page
