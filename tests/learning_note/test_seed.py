"""`flask seed-demo`: the fully captured Lyon 2017 event has a published learning note and a second
version correcting it; running it again adds nothing."""

from sqlalchemy import select

from app.events.models import City, Event
from app.extensions import db
from app.learning_note.models import NoteVersion
from app.mail.models import OutboxMessage


def test_seed_demo_publishes_the_lyon_2017_note_and_its_correction(runner, client):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "learning note versions: 2 new" in first.output
    lyon = db.session.scalar(select(Event).join(City, City.id == Event.host_city_id)
                             .where(City.name_en == "Lyon", Event.theme_en.like("Inter-institutional%")))
    versions = list(db.session.scalars(select(NoteVersion).where(NoteVersion.event_id == lyon.id)
                                       .order_by(NoteVersion.number)))
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].published_at.date().isoformat() == "2018-02-15"
    assert versions[1].change_en.startswith("Next steps:") and versions[1].change_fr.startswith("Prochaines étapes")
    # Past publications send nothing.
    assert db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.kind == "learning_note_published")) is None

    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0 and "learning note versions" not in again.output
    assert len(db.session.scalars(select(NoteVersion)).all()) == 2

    page = client.get(f"/events/{lyon.slug}/learning-note?lang=fr").text
    assert "Version 2, publiée le 20 mars 2018" in page
    assert "à Tanger, le 24&nbsp;avril 2018" in page and "Créer une instance permanente de coordination" in page
    assert "20 mars 2018" in page and "Prochaines étapes\u00a0: la date et le lieu" in page
    first_version = client.get(f"/events/{lyon.slug}/learning-note/v1?lang=en").text
    assert "steering committee in spring 2018" in first_version and "This is an earlier version" in first_version
    hub = client.get(f"/events/{lyon.slug}/?lang=en").text
    assert f'href="/events/{lyon.slug}/learning-note"' in hub
