"""Every kind of message, in both language orders, through a real SMTP server and check-mail."""

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from app.events.models import EventState
from app.extensions import db
from app.mail.delivery import deliver_due
from app.mail.kinds import ItemChange, kinds
from app.mail.recipients import Recipient
from app.mail.rendering import render_message
from app.mail.services import event_invitation, queue_message
from tests.mail.conftest import assert_passes

REGISTRATION = SimpleNamespace(status="confirmed", attendance="in_person", position=3,
                               reason="Le nombre de places est atteint.",
                               offer_expires_at=datetime(2027, 10, 20, 16, 0, tzinfo=UTC))
CHANGES = [
    ItemChange("Local solutions", "Solutions locales", datetime(2027, 10, 30, 8, 0, tzinfo=UTC),
               datetime(2027, 10, 30, 10, 0, tzinfo=UTC), place="Salle Molière"),
    ItemChange("Field visit", "Visite de terrain", cancelled=True),
]
CONTEXTS = {
    "background_published": {"document_url": "http://127.0.0.1:5000/events/x/background"},
    "agenda_changed": {"changes": CHANGES},
    "event_cancelled": {"reason": "Grève des transports"},
    "event_changed": {"event_changes": [("venue", "Hôtel de Ville", "Salle Molière"),
                                        ("online_url", "", "https://meet.example.org/new")]},
    "reminder_7_days": {"days": 7},
    "learning_note_published": {
        "number": 2, "change": {"en": "Next steps: the date of the next meeting.",
                                "fr": "Prochaines étapes\u00a0: la date de la prochaine rencontre."},
        "note_urls": {lang: f"http://127.0.0.1:5000/events/x/learning-note?lang={lang}" for lang in ("en", "fr")},
        "pdf_urls": {lang: f"http://127.0.0.1:5000/events/x/learning-note/v2.pdf?lang={lang}" for lang in ("en", "fr")},
        "summary_html": {"en": "<p>Two days in <strong>Lyon</strong>.</p>", "fr": "<p>Deux jours à Lyon.</p>"},
        "summary_text": {"en": "Two days in Lyon.", "fr": "Deux jours à Lyon."},
    },
}
WITH_INVITATION = {"registration_confirmed", "registration_promoted", "registration_approved", "agenda_changed",
                   "event_changed", "reminder_7_days", "reminder_1_day"}
WITH_CANCEL = {"registration_cancelled", "event_cancelled"}


def _context(kind: str) -> dict:
    context = dict(CONTEXTS.get(kind, {}))
    if kind.startswith("registration_"):
        context["registration"] = REGISTRATION
    return context


def test_every_kind_has_both_templates_in_its_stage(app):
    assert len(kinds()) >= 15
    for kind in kinds().values():
        assert kind.template.endswith(f"/mail/{kind.name}")
        for suffix in ("txt", "html"):
            app.jinja_env.get_template(f"{kind.template}.{suffix}")


def test_rendering_puts_the_recipient_language_first(app, make):
    event = make.event(state=EventState.OPEN, theme_en="Urban citizenship", theme_fr="Citoyenneté urbaine")
    for kind in sorted(kinds()):
        _assert_recipient_language_first(event, kind)


def _assert_recipient_language_first(event, kind):
    french = render_message(kind, Recipient("a@example.net", "Zoé", "fr"), event=event, context=_context(kind))
    english = render_message(kind, Recipient("a@example.net", "Zoé", "en"), event=event, context=_context(kind))
    assert french.subject.index("Citoyenneté urbaine") < french.subject.index("Urban citizenship")
    assert english.subject.index("Urban citizenship") < english.subject.index("Citoyenneté urbaine")
    assert french.text.index("Bonjour Zoé") < french.text.index("Hello Zoé")
    assert english.text.index("Hello Zoé") < english.text.index("Bonjour Zoé")
    assert french.html.index('<div lang="fr"') < french.html.index('<div lang="en"')
    assert '<html lang="fr">' in french.html and '<html lang="en">' in english.html


def test_every_kind_in_both_orders_passes_check_mail(app, make, mail_sink, host):
    lyon, _organiser = host
    event = make.event(lyon, EventState.OPEN, theme_en="Urban citizenship", theme_fr="Citoyenneté urbaine",
                       venue="Hôtel de Ville, 1 place de la Comédie")
    plain, invitations = [], []
    for kind in sorted(kinds()):
        for lang in ("en", "fr"):
            recipient = Recipient(f"{kind}.{lang}@example.net", "Amélie Dupont", lang,
                                  private_link="http://127.0.0.1:5000/r/token-of-amelie")
            invitation = None
            if kind in WITH_INVITATION or kind in WITH_CANCEL:
                invitation = event_invitation(event, cancelled=kind in WITH_CANCEL)
            message = queue_message(kind, recipient, event=event, context=_context(kind), invitation=invitation)
            (invitations if invitation else plain).append(message.recipient_email)
    db.session.commit()
    report = deliver_due()
    assert report.sent == 2 * len(kinds())
    files = mail_sink.wait(2 * len(kinds()))
    by_recipient = {str(m["To"].addresses[0].addr_spec): path for m, path in zip(mail_sink.messages(), files,
                                                                                   strict=True)}
    assert_passes([by_recipient[email] for email in plain])
    assert_passes([by_recipient[email] for email in invitations], expect_ics=True)


def test_private_link_and_essential_details_stand_in_the_body(app, make, host):
    lyon, _organiser = host
    event = make.event(lyon, EventState.OPEN, venue="Hôtel de Ville", online_url="https://meet.example.org/x")
    recipient = Recipient("a@example.net", "Amélie", "fr", private_link="http://127.0.0.1:5000/r/secret",
                          meeting_link="https://meet.example.org/x")
    message = queue_message("reminder_1_day", recipient, event=event, invitation=event_invitation(event))
    for body in (message.text_body, message.html_body):
        assert "http://127.0.0.1:5000/r/secret" in body
        assert "Hôtel de Ville" in body and "https://meet.example.org/x" in body
        assert "Europe/Paris" in body
    assert "Lieu\u00a0: Hôtel de Ville" in message.text_body
    # Someone not entitled to the meeting link (in person, waiting list…) never sees it.
    in_person = Recipient("b@example.net", "Bruno", "fr", private_link="http://127.0.0.1:5000/r/other")
    message = queue_message("reminder_1_day", in_person, event=event, invitation=event_invitation(event))
    for body in (message.text_body, message.html_body, message.ics.decode()):
        assert "meet.example.org" not in body


def test_timed_invitation_shows_its_times_in_the_event_zone_named(app, make, host):
    from app.calendar import item_uid
    from app.mail.services import Invitation

    lyon, _organiser = host
    event = make.event(lyon, EventState.OPEN)
    session = Invitation(item_uid("agenda-item", 7), {"en": "Local solutions", "fr": "Solutions locales"},
                         datetime(2027, 10, 30, 8, 0, tzinfo=UTC), datetime(2027, 10, 30, 10, 0, tzinfo=UTC),
                         "Europe/Paris", location="Salle Molière")
    message = queue_message("agenda_changed", Recipient("a@example.net", "Amélie", "en"), event=event,
                            context={"changes": CHANGES}, invitation=session)
    # 08:00 UTC is 10:00 in Paris (summer time until the 31st).
    assert "Starts: Oct 30, 2027, 10:00 (Europe/Paris)" in message.text_body
    assert "Début\u00a0: 30 oct. 2027, 10:00 (Europe/Paris)" in message.text_body
    assert "Place: Salle Molière" in message.text_body


def test_unknown_kind_or_missing_context_is_refused(app, make):
    event = make.event()
    recipient = Recipient("a@example.net", "A", "en")
    with pytest.raises(ValueError, match="unknown"):
        queue_message("newsletter", recipient, event=event)
    with pytest.raises(ValueError, match="registration"):
        queue_message("registration_confirmed", recipient, event=event)
    with pytest.raises(ValueError, match="email address"):
        queue_message("private_link_resent", Recipient("not an address\r\nBcc: x@evil.example"), event=event)
