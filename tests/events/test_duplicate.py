"""Copying an event into a new draft: its texts, settings and every stage's own part, moved to the
new dates as the host city's clocks show them; never its participants nor what its meeting produced."""

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import func, select

from app import uploads
from app.agenda.models import AgendaItem, AgendaPresenter, ItemKind
from app.auth.models import Role
from app.background import services as background
from app.background.models import BackgroundDocument
from app.capture.models import Entry
from app.domain import PermissionDenied
from app.events import services
from app.events.models import Event, EventFormat, EventState
from app.extensions import db
from app.field_visit.models import FieldVisit, FieldVisitStop, SignupStatus, VisitSignup
from app.registration.models import Registration, RegistrationSettings
from app.timezones import local_to_utc
from tests.auth.test_permissions import _capture

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PARIS = "Europe/Paris"


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return local_to_utc(datetime.combine(day, time(hour, minute)), PARIS)


@pytest.fixture
def past_event(app, make):
    """Lyon, June 2021 (summer time): agenda, a field visit with a stop and a sign-up, a background
    document with its PDF, moderated registration, participants, facilitators and captured entries."""
    lyon = make.city("Lyon", PARIS, "FR")
    admin = make.user(Role.ADMIN)
    event = make.event(lyon, EventState.FINISHED, start_date=date(2021, 6, 10), end_date=date(2021, 6, 11),
                       theme_en="Urban citizenship", theme_fr="Citoyenneté urbaine", format=EventFormat.HYBRID,
                       capacity=35, venue="Hôtel de Ville", online_url="https://meet.example.org/lyon",
                       registration_opens_at=_at(date(2021, 5, 1), 9), registration_closes_at=_at(date(2021, 6, 1), 18))
    opening = make.agenda_item(event, "09:00", "09:30", title_en="Opening", title_fr="Ouverture", room="Salle A")
    visit_slot = make.agenda_item(event, "14:00", "17:00", day=1, kind=ItemKind.FIELD_VISIT, title_en="Field visit")
    registration = make.registration(event, name="Lina Haddad")
    db.session.add(AgendaPresenter(item_id=opening.id, name="Lina Haddad", registration_id=registration.id))
    visit = FieldVisit(event_id=event.id, agenda_item_id=visit_slot.id, title_en="Housing cooperative",
                       meeting_point="Place Bellecour", capacity=20, reserved=2, signup_open=False,
                       meets_at=_at(date(2021, 6, 11), 14), returns_at=_at(date(2021, 6, 11), 17))
    visit.stops = [FieldVisitStop(place="Cooperative", at=_at(date(2021, 6, 11), 15))]
    db.session.add(visit)
    db.session.flush()
    db.session.add(VisitSignup(visit_id=visit.id, registration_id=registration.id, status=SignupStatus.CONFIRMED))
    db.session.add(RegistrationSettings(event_id=event.id, moderated=True, online_capacity=15, offer_hours=24))
    make.assign(event, make.user(Role.FACILITATOR))
    db.session.commit()
    background.save_background(admin, event, background.BackgroundInput(
        "# Citizenship", "# Citoyenneté", background.PdfUpload(PDF, "dossier.pdf")), publish=True)
    db.session.commit()
    _capture(event, admin)
    return event


@pytest.fixture
def organiser(client, make, past_event):
    user = make.user(Role.ORGANISER, past_event.host_city)
    make.login(client, user)
    return user


def _copy_of(slug: str) -> Event:
    db.session.expire_all()
    return db.session.scalar(select(Event).where(Event.slug == slug))


def test_the_copy_is_a_draft_with_texts_settings_and_the_agenda_moved(client, organiser, past_event):
    response = client.post(f"/manage/events/{past_event.slug}/duplicate?lang=en",
                           data={"start_date": "2027-01-14", "theme_en": "Urban citizenship", "theme_fr": "",
                                 "slug": ""})
    assert response.status_code == 302
    copy = _copy_of("urban-citizenship-lyon-2027")
    assert response.headers["Location"].endswith(f"/manage/events/{copy.slug}/")
    assert copy.state is EventState.DRAFT
    assert (copy.start_date, copy.end_date) == (date(2027, 1, 14), date(2027, 1, 15))
    assert (copy.theme_en, copy.theme_fr, copy.summary_en) == ("Urban citizenship", "", past_event.summary_en)
    assert (copy.format, copy.capacity, copy.venue, copy.online_url) == (
        EventFormat.HYBRID, 35, "Hôtel de Ville", "https://meet.example.org/lyon")
    # Registration times keep their wall-clock time: 09:00 in Lyon is 08:00 UTC in winter, not 07:00.
    assert copy.registration_opens_at == datetime(2026, 12, 5, 8, 0, tzinfo=UTC)
    assert copy.registration_closes_at == _at(date(2027, 1, 5), 18)

    items = db.session.scalars(select(AgendaItem).where(AgendaItem.event_id == copy.id)
                               .order_by(AgendaItem.starts_at)).all()
    assert [(item.title_en, item.starts_at, item.ends_at, item.room) for item in items] == [
        ("Opening", _at(date(2027, 1, 14), 9), _at(date(2027, 1, 14), 9, 30), "Salle A"),
        ("Field visit", _at(date(2027, 1, 15), 14), _at(date(2027, 1, 15), 17), ""),
    ]
    assert all(item.sequence == 0 for item in items)
    assert db.session.scalar(select(func.count()).select_from(AgendaPresenter)
                             .where(AgendaPresenter.item_id.in_([item.id for item in items]))) == 0

    visit = db.session.scalar(select(FieldVisit).where(FieldVisit.event_id == copy.id))
    assert visit.agenda_item_id == items[1].id, "tied to the copy of its slot"
    assert (visit.meets_at, visit.returns_at) == (_at(date(2027, 1, 15), 14), _at(date(2027, 1, 15), 17))
    assert (visit.title_en, visit.capacity, visit.reserved, visit.signup_open) == ("Housing cooperative", 20, 2, True)
    assert [(stop.place, stop.at) for stop in visit.stops] == [("Cooperative", _at(date(2027, 1, 15), 15))]
    assert db.session.scalar(select(func.count()).select_from(VisitSignup)
                             .where(VisitSignup.visit_id == visit.id)) == 0

    settings = db.session.get(RegistrationSettings, copy.id)
    assert (settings.moderated, settings.online_capacity, settings.offer_hours) == (True, 15, 24)
    assert db.session.scalar(select(func.count()).select_from(Registration)
                             .where(Registration.event_id == copy.id)) == 0
    assert copy.facilitators == []
    assert db.session.scalar(select(func.count()).select_from(Entry).where(Entry.event_id == copy.id)) == 0

    document = db.session.scalar(select(BackgroundDocument).where(BackgroundDocument.event_id == copy.id))
    assert (document.draft_markdown_en, document.draft_markdown_fr) == ("# Citizenship", "# Citoyenneté")
    assert document.published_at is None and document.published_html_en == "", "a draft, to publish again"
    original = db.session.scalar(select(BackgroundDocument).where(BackgroundDocument.event_id == past_event.id))
    assert document.draft_pdf_stored_name != original.draft_pdf_stored_name, "a file of its own"
    assert uploads.path_of("background", document.draft_pdf_stored_name).read_bytes() == PDF
    assert document.draft_pdf_filename == "dossier.pdf"

    # The original is untouched.
    assert db.session.scalar(select(func.count()).select_from(AgendaItem)
                             .where(AgendaItem.event_id == past_event.id)) == 2
    assert db.session.scalar(select(func.count()).select_from(VisitSignup)) == 1


def test_the_workspace_offers_the_copy_and_the_form_asks_for_the_dates(client, organiser, past_event):
    assert f'href="/manage/events/{past_event.slug}/duplicate"' in client.get(
        f"/manage/events/{past_event.slug}/?lang=en").text
    page = client.get(f"/manage/events/{past_event.slug}/duplicate?lang=fr").text
    assert "Copier cet événement dans un nouveau brouillon" in page
    assert 'value="Citoyenneté urbaine"' in page and 'name="start_date"' in page


@pytest.mark.parametrize(("lang", "data", "field", "message"), [
    ("en", {"start_date": ""}, "start_date", "Enter the first day."),
    ("fr", {"start_date": ""}, "start_date", "Indiquez le premier jour."),
    ("en", {"slug": "{taken}"}, "slug", "Another event already uses this web address."),
    ("en", {"slug": "Not A Slug"}, "slug", "Use only lowercase letters"),
])
def test_a_refused_copy_says_why_and_keeps_what_was_typed(client, organiser, past_event, lang, data, field, message):
    values = {"start_date": "2027-01-14", "theme_en": "Citizenship again", "theme_fr": "", "slug": ""}
    values.update({name: value.format(taken=past_event.slug) for name, value in data.items()})
    response = client.post(f"/manage/events/{past_event.slug}/duplicate?lang={lang}", data=values)
    assert response.status_code == 422
    page = response.text.replace("&#39;", "'")
    assert f'id="{field}-error"' in page and message in page.split(f'id="{field}-error"')[1].split("</ul>")[0]
    assert 'value="Citizenship again"' in page
    assert db.session.scalar(select(func.count()).select_from(Event)) == 1


def test_only_the_host_citys_organisers_and_admins_may_copy(make, past_event):
    other = make.user(Role.ORGANISER, make.city("Tunis", "Africa/Tunis", "TN"))
    with pytest.raises(PermissionDenied):
        services.duplicate_event(other, past_event, services.DuplicateInput(start_date=date(2027, 1, 14)))
    db.session.rollback()
    admin = make.user(Role.ADMIN)
    copy = services.duplicate_event(admin, past_event, services.DuplicateInput(start_date=date(2027, 1, 14)))
    assert copy.theme_fr == "Citoyenneté urbaine" and copy.host_city_id == past_event.host_city_id


def test_a_time_the_clocks_skip_on_the_new_day_comes_out_an_hour_later(app, make):
    lyon = make.city("Lyon", PARIS, "FR")
    event = make.event(lyon, EventState.DRAFT, start_date=date(2026, 3, 1), end_date=date(2026, 3, 1))
    make.agenda_item(event, "02:30", "03:30")
    admin = make.user(Role.ADMIN)
    # 2027-03-28: Paris goes from 02:00 to 03:00.
    copy = services.duplicate_event(admin, event, services.DuplicateInput(start_date=date(2027, 3, 28)))
    item = db.session.scalar(select(AgendaItem).where(AgendaItem.event_id == copy.id))
    assert item.starts_at == _at(date(2027, 3, 28), 3, 30)
    assert item.ends_at == _at(date(2027, 3, 28), 4, 30), "it keeps its length"
