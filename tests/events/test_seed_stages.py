"""The demo event comes with a published background document and a full two-day agenda."""

from sqlalchemy import func, select

from app.agenda.models import AgendaChange, AgendaItem, ItemKind
from app.background.models import BackgroundDocument
from app.events.models import Event
from app.events.seed import DEMO_SLUG
from app.extensions import db
from app.timezones import utc_to_local
from tests.ical_check import assert_check_ics


def test_demo_event_has_a_published_background_and_a_two_day_agenda(runner, client, tmp_path):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "background documents: 1 new; agenda items: 8 new; field visits: 3 new" in first.output
    demo = db.session.scalar(select(Event).where(Event.slug == DEMO_SLUG))
    document = db.session.scalar(select(BackgroundDocument).where(BackgroundDocument.event_id == demo.id))
    assert document.is_published and "<h2>" in document.published_html_en and "<h2>" in document.published_html_fr
    items = list(db.session.scalars(select(AgendaItem).where(AgendaItem.event_id == demo.id)
                                    .order_by(AgendaItem.starts_at)))
    kinds = [i.kind for i in items if i.kind is not ItemKind.BREAK]
    assert kinds == [ItemKind.OPENING, ItemKind.CHALLENGES, ItemKind.LOCAL_SOLUTIONS, ItemKind.FIELD_VISIT,
                     ItemKind.RECOMMENDATIONS, ItemKind.CLOSING]
    assert {utc_to_local(i.starts_at, "Europe/Rome").date() for i in items} == {demo.start_date, demo.end_date}
    assert any(item.presenters for item in items)
    # Seeding is not an organiser's change: the open event's change log stays empty.
    assert db.session.scalar(select(func.count(AgendaChange.id))) == 0

    again = runner.invoke(args=["seed-demo"])
    assert "background documents: 0 new; agenda items: 0 new; field visits: 0 new" in again.output

    assert "Pourquoi cette rencontre" in client.get(f"/events/{DEMO_SLUG}/background?lang=fr").text
    agenda = client.get(f"/events/{DEMO_SLUG}/agenda?lang=en").text
    assert "Local solutions: case presentations" in agenda and "Lina Haddad" in agenda
    path = tmp_path / "demo.ics"
    path.write_bytes(client.get(f"/events/{DEMO_SLUG}/calendar.ics").data)
    assert_check_ics(path)
