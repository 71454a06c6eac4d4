"""The email a facilitator gets when assigned to an event, as the assignment queues it (the real
steps of the running app's stages), through a real SMTP server and check-mail, in both orders of
languages."""

from app.auth.models import Role
from app.events import services
from app.events.models import EventState
from app.extensions import db
from app.mail.delivery import deliver_due
from tests.mail.conftest import assert_passes


def test_the_assignment_email_passes_check_mail_and_says_what_and_when(app, make, mail_sink, host):
    lyon, organiser = host
    event = make.event(lyon, EventState.OPEN, theme_en="Urban citizenship", theme_fr="Citoyenneté urbaine")
    people = [make.user(Role.FACILITATOR, email=f"facilitator.{lang}@example.net", name="Zoé Lefèvre-Ben Saïd")
              for lang in ("fr", "en")]
    for person, lang in zip(people, ("fr", "en"), strict=True):
        person.preferred_language = lang
        services.assign_facilitator(organiser, event, person.id)
    db.session.commit()
    assert deliver_due().sent == 2
    files = mail_sink.wait(2)
    assert_passes(files)
    for message in mail_sink.messages():
        text = message.get_body(("plain",)).get_content()
        assert "Pendant la rencontre" in text and "During the meeting" in text
        assert "Consignez dans la console de saisie" in text and "Record in the capture console" in text
        assert f"/manage/events/{event.slug}/" in text and organiser.name in text
        first = "Votre rôle" if message["To"].addresses[0].username == "facilitator.fr" else "Your role"
        assert str(message["Subject"]).startswith(first)
