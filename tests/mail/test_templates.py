"""Every kind of message, in both language orders, through a real SMTP server and check-mail."""

import re
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
    "facilitator_assigned": {"workspace_url": "http://127.0.0.1:5000/manage/events/x/", "assigned_by": "Inès Martin"},
    "account_invitation": {"link": "http://127.0.0.1:5000/manage/password/invitation/tok", "days": 7,
                           "role": "organiser"},
    "password_reset": {"link": "http://127.0.0.1:5000/manage/password/reset/tok", "minutes": 60},
    "sign_in_paused": {"failures": 5, "reset_url": "http://127.0.0.1:5000/manage/forgot-password"},
    "learning_note_published": {
        "number": 2, "change": {"en": "Next steps: the date of the next meeting.",
                                "fr": "Prochaines étapes\u00a0: la date de la prochaine rencontre."},
        "note_urls": {lang: f"http://127.0.0.1:5000/events/x/learning-note?lang={lang}" for lang in ("en", "fr")},
        "pdf_urls": {lang: f"http://127.0.0.1:5000/events/x/learning-note/v2.pdf?lang={lang}" for lang in ("en", "fr")},
        "summary_html": {"en": "<p>Two days in <strong>Lyon</strong>.</p>", "fr": "<p>Deux jours à Lyon.</p>"},
        "summary_text": {"en": "Two days in Lyon.", "fr": "Deux jours à Lyon."},
    },
}
# Messages about a staff account, not about an event: queued without one.
ACCOUNT_KINDS = {"account_invitation", "password_reset", "sign_in_paused"}
VISIT = SimpleNamespace(
    title_en="The Guillotière and its associations", title_fr="La Guillotière et ses associations",
    meets_at=datetime(2027, 10, 30, 12, 0, tzinfo=UTC), returns_at=datetime(2027, 10, 30, 15, 30, tzinfo=UTC),
    meeting_point="Place Gabriel Péri", meeting_address="Place Gabriel Péri, 69007 Lyon", return_place="Hôtel de Ville",
    online_url="", what_to_bring_en="Comfortable shoes", what_to_bring_fr="Des chaussures confortables",
)
FIELD_VISIT = {"visit": VISIT, "visit_url": "http://127.0.0.1:5000/events/x/field-visit#visit-1"}
CONTEXTS.update({
    "field_visit_signup": {**FIELD_VISIT, "change": "waitlisted", "position": 2, "offer_expires_at": None},
    "field_visit_left": {**FIELD_VISIT, "reason": "registration_cancelled", "held_place": True},
    "field_visit_cancelled": {**FIELD_VISIT, "reason": "visit_removed", "held_place": True},
    "field_visit_changed": {**FIELD_VISIT, "changes": {
        "time": ((datetime(2027, 10, 30, 12, 0, tzinfo=UTC), datetime(2027, 10, 30, 15, 0, tzinfo=UTC)),
                 (VISIT.meets_at, VISIT.returns_at)),
        "meeting_point": ("Place du Pont", "Place Gabriel Péri, 69007 Lyon")}},
    "field_visit_reminder": FIELD_VISIT,
})
WITH_INVITATION = {"registration_confirmed", "registration_promoted", "registration_approved", "agenda_changed",
                   "event_changed", "reminder_7_days", "reminder_1_day", "field_visit_changed",
                   "field_visit_reminder"}
WITH_CANCEL = {"registration_cancelled", "event_cancelled", "field_visit_left", "field_visit_cancelled"}


def _context(kind: str) -> dict:
    from app.auth.models import Role

    context = dict(CONTEXTS.get(kind, {}))
    if "role" in context:
        context["role"] = Role(context["role"])
    if kind.startswith("registration_"):
        context["registration"] = REGISTRATION
    if kind == "facilitator_assigned":  # the capture stage's steps, translated as the app's own
        from app.capture.stage import facilitator_steps
        from app.stages import PHASE_LABELS, Phase

        steps = facilitator_steps(None)
        context["steps"] = [(PHASE_LABELS[phase], [step.text for step in steps if step.phase is phase])
                            for phase in (Phase.DURING_MEETING, Phase.AFTER_MEETING)]
    return context


def test_every_kind_has_both_templates_in_its_stage(app):
    assert len(kinds()) >= 15
    for kind in kinds().values():
        assert kind.template.endswith(f"/mail/{kind.name}")
        for suffix in ("txt", "html"):
            app.jinja_env.get_template(f"{kind.template}.{suffix}")


def test_the_mail_package_names_no_stage_kind(app):
    """The mail package knows no stage: a stage's kinds, and the context each takes (`requires`),
    are written in the stage's own package, never listed in app/mail (where they go stale)."""
    from pathlib import Path

    from app.stages import specs

    stages = {spec.key for spec in specs(app)}
    stage_kinds = {kind.name for kind in kinds().values() if kind.template.split("/")[0] in stages}
    assert {"registration_confirmed", "field_visit_signup", "learning_note_published"} <= stage_kinds
    mail_package = Path(app.root_path) / "mail"
    named = sorted(f"{path.name}: {name}" for path in mail_package.glob("*.py")
                   for name in stage_kinds if re.search(rf"\b{name}\b", path.read_text(encoding="utf-8")))
    assert named == []


def test_rendering_puts_the_recipient_language_first(app, make):
    event = make.event(state=EventState.OPEN, theme_en="Urban citizenship", theme_fr="Citoyenneté urbaine")
    for kind in sorted(kinds()):
        _assert_recipient_language_first(event, kind)


def _assert_recipient_language_first(event, kind):
    event = None if kind in ACCOUNT_KINDS else event
    french = render_message(kind, Recipient("a@example.net", "Zoé", "fr"), event=event, context=_context(kind))
    english = render_message(kind, Recipient("a@example.net", "Zoé", "en"), event=event, context=_context(kind))
    if event is None:
        first, second = french.subject.split(" / ")
        assert english.subject == f"{second} / {first}" and first != second
    else:
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
            message = queue_message(kind, recipient, event=None if kind in ACCOUNT_KINDS else event,
                                    context=_context(kind), invitation=invitation)
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


def test_french_elides_before_a_title_that_starts_with_a_vowel(app, make, host):
    lyon, _organiser = host
    event = make.event(lyon, EventState.OPEN, theme_en="Urban exchange", theme_fr="Échange urbain")
    changes = [ItemChange("Opening", "Ouverture", datetime(2027, 10, 30, 8, 0, tzinfo=UTC))]
    message = render_message("agenda_changed", Recipient("a@example.net", "Amélie", "fr"), event=event,
                             context={"changes": changes})
    assert "Le programme d'échange urbain a changé" in message.text
    assert "de Échange" not in message.text and "de Échange" not in message.html
    assert "The agenda of Urban exchange has changed" in message.text
