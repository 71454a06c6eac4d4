"""Edit, regenerate, publish, correct: the written parts survive regeneration, two editors never
overwrite each other, versions are frozen and stay readable, publication is emailed."""

import json
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.auth.models import Role
from app.domain import DomainError, PermissionDenied
from app.extensions import db
from app.learning_note import services
from app.learning_note.models import NARRATIVE_FIELDS, NoteVersion
from app.learning_note.queries import note_of
from app.mail.models import OutboxMessage
from tests.learning_note.conftest import _recommendation


def _values(**parts) -> dict:
    values = dict.fromkeys(NARRATIVE_FIELDS, "")
    values.update(parts)
    return values


def _form(note, **changes) -> dict:
    """What the editor page posts: the note's parts as loaded, with these changed."""
    data = {name: getattr(note, name) for name in NARRATIVE_FIELDS}
    data.update(changes)
    data["base_version"] = str(note.edit_version)
    data["base_digests"] = json.dumps({name: services.digest(getattr(note, name)) for name in NARRATIVE_FIELDS})
    return data


def _publish_input(note, **fields):
    return services.PublishInput(note.edit_version, note.generation, **fields)


def test_regenerating_never_loses_the_written_parts(captured):
    event = captured.event
    services.generate(captured.organiser, event)
    note = note_of(event)
    services.save_narrative(captured.facilitator, event, services.NarrativeInput(
        _values(executive_summary_en="Two days in Lyon.", executive_summary_fr="Deux jours à Lyon."),
        note.edit_version))
    db.session.commit()
    _recommendation(event, "Train front-line staff together.", "Former ensemble les agents d'accueil.")
    db.session.commit()
    services.generate(captured.facilitator, event)
    db.session.commit()
    note = note_of(event)
    assert note.generation == 2
    assert (note.executive_summary_en, note.executive_summary_fr) == ("Two days in Lyon.", "Deux jours à Lyon.")
    assert "Train front-line staff together." in note.captured


def test_two_editors_saving_different_parts_keep_both(captured, client, make):
    event = captured.event
    services.generate(captured.organiser, event)
    db.session.commit()
    opened = note_of(event)
    first, second = _form(opened, key_messages_en="- Start from the newcomer's path."), \
        _form(opened, foreword_fr="Lyon est fière de vous accueillir.")
    make.login(client, captured.facilitator)
    assert client.post(f"/manage/events/{event.slug}/learning-note", data=first).status_code == 302
    other = client.application.test_client()
    make.login(other, captured.organiser)
    response = other.post(f"/manage/events/{event.slug}/learning-note?lang=en", data=second, follow_redirects=True)
    assert "Someone else had saved other parts meanwhile" in response.text
    db.session.expire_all()
    note = note_of(event)
    assert note.key_messages_en == "- Start from the newcomer's path."
    assert note.foreword_fr == "Lyon est fière de vous accueillir."
    assert note.edit_version == 2


def test_two_editors_changing_the_same_part_are_told_and_nothing_is_lost(captured, client, make):
    event = captured.event
    services.generate(captured.organiser, event)
    db.session.commit()
    opened = note_of(event)
    mine, theirs = _form(opened, executive_summary_en="My summary."), _form(opened, executive_summary_en="Theirs.")
    make.login(client, captured.facilitator)
    assert client.post(f"/manage/events/{event.slug}/learning-note", data=theirs).status_code == 302
    other = client.application.test_client()
    make.login(other, captured.organiser)
    response = other.post(f"/manage/events/{event.slug}/learning-note?lang=en", data=mine)
    assert response.status_code == 409
    assert "changed the same parts" in response.text
    assert "My summary." in response.text  # still in the form
    assert "Saved meanwhile by Zoé Facilitatrice" in response.text and "Theirs." in response.text
    db.session.expire_all()
    assert note_of(event).executive_summary_en == "Theirs."
    # The form now carries the version just seen: saving again is a choice made knowing theirs.
    version = re.search(r'name="base_version" type="hidden" value="(\d+)"', response.text).group(1)
    digests = re.search(r'name="base_digests" type="hidden" value="([^"]+)"', response.text).group(1)
    again = dict(mine, base_version=version, base_digests=digests.replace("&#34;", '"'))
    assert other.post(f"/manage/events/{event.slug}/learning-note", data=again).status_code == 302
    db.session.expire_all()
    assert note_of(event).executive_summary_en == "My summary."


def test_simultaneous_saves_from_the_same_version_never_both_pass(captured):
    event = captured.event
    services.generate(captured.organiser, event)
    db.session.commit()
    note = note_of(event)
    digests = {name: services.digest("") for name in NARRATIVE_FIELDS}
    services.save_narrative(captured.organiser, event, services.NarrativeInput(
        _values(next_steps_en="First."), note.edit_version, digests))
    with pytest.raises(services.EditConflict):
        services.save_narrative(captured.facilitator, event, services.NarrativeInput(
            _values(next_steps_en="Second."), 0, digests))
    db.session.rollback()


def test_publish_freezes_versions_and_a_correction_is_dated(captured, client):
    event = captured.event
    services.generate(captured.organiser, event)
    note = note_of(event)
    services.save_narrative(captured.organiser, event, services.NarrativeInput(
        _values(next_steps_en="Meet again in spring.", next_steps_fr="Se revoir au printemps."), note.edit_version))
    db.session.commit()
    note = note_of(event)
    # A final recommendation has no French version: the organiser must say so.
    with pytest.raises(DomainError) as refused:
        services.publish(captured.organiser, event, _publish_input(note))
    assert refused.value.field == "confirm_untranslated"
    db.session.rollback()
    with pytest.raises(PermissionDenied):
        services.publish(captured.facilitator, event, _publish_input(note, confirm_untranslated=True))
    db.session.rollback()
    first = services.publish(captured.organiser, event, _publish_input(note, confirm_untranslated=True),
                             now=datetime(2025, 4, 1, 9, tzinfo=UTC))
    db.session.commit()
    assert first.number == 1 and first.untranslated_confirmed
    # Edits after publication change nothing public until the next version.
    note = note_of(event)
    services.save_narrative(captured.organiser, event, services.NarrativeInput(
        _values(next_steps_en="Meet again in Tangier on 24 April.", next_steps_fr="Se revoir à Tanger le 24 avril."),
        note.edit_version))
    db.session.commit()
    assert "Meet again in spring." in client.get(f"/events/{event.slug}/learning-note?lang=en").text
    note = note_of(event)
    with pytest.raises(DomainError) as refused:
        services.publish(captured.organiser, event, _publish_input(note, confirm_untranslated=True))
    assert refused.value.field == "change_en"
    db.session.rollback()
    with pytest.raises(DomainError, match="changed since you opened"):
        services.publish(captured.organiser, event, services.PublishInput(
            note.edit_version - 1, note.generation, change_en="x", confirm_untranslated=True))
    db.session.rollback()
    second = services.publish(captured.organiser, event, _publish_input(
        note, change_en="Next steps: the date and place of the next meeting.",
        change_fr="Prochaines étapes : la date et le lieu de la prochaine rencontre.", confirm_untranslated=True),
        now=datetime(2025, 4, 20, 15, tzinfo=UTC))
    db.session.commit()
    assert second.number == 2
    latest = client.get(f"/events/{event.slug}/learning-note?lang=fr").text
    assert "Se revoir à Tanger le 24 avril." in latest
    assert "20 avril 2025" in latest and "Prochaines étapes : la date et le lieu" in latest
    earlier = client.get(f"/events/{event.slug}/learning-note/v1?lang=en")
    assert earlier.status_code == 200
    assert "Meet again in spring." in earlier.text and "Tangier" not in earlier.text
    assert "This is an earlier version of the note" in earlier.text
    assert client.get(f"/events/{event.slug}/learning-note/v3").status_code == 404


def test_publishing_emails_participants_and_the_network_organisers_once(captured, make):
    event = captured.event
    make.user(Role.ORGANISER, make.city("Tunis"), email="tunis.organiser@example.org")
    make.user(Role.ADMIN, email="retired.admin@example.org", active=False)
    services.generate(captured.organiser, event)
    note = note_of(event)
    services.save_narrative(captured.organiser, event, services.NarrativeInput(
        _values(executive_summary_en="**Six** recommendations <script>alert(1)</script>[x](javascript:alert(1))",
                executive_summary_fr="**Six** recommandations."), note.edit_version))
    db.session.commit()
    note = note_of(event)
    services.publish(captured.organiser, event, _publish_input(note, confirm_untranslated=True))
    db.session.commit()
    messages = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "learning_note_published")).all()
    recipients = sorted(m.recipient_email for m in messages)
    attending = sorted(r.email for r in captured.participants[:5])
    staff = sorted([captured.admin.email, captured.organiser.email, captured.other_organiser.email,
                    "tunis.organiser@example.org"])
    assert recipients == sorted(attending + staff)  # no facilitator, no inactive account, no cancelled participant
    amina = next(m for m in messages if m.recipient_email == captured.participants[0].email)
    assert amina.subject.startswith("Note d'apprentissage publiée\u00a0: Coordination inter-institutionnelle")
    assert "Learning note published: Inter-institutional coordination" in amina.subject
    assert f"/events/{event.slug}/learning-note?lang=fr" in amina.text_body
    assert f"/events/{event.slug}/learning-note/v1.pdf?lang=en" in amina.text_body
    # Markdown sanitised as on the page: typed markup stays inert text, no script, no javascript: link.
    assert "<script" not in amina.html_body and 'href="javascript' not in amina.html_body
    assert "<strong>Six</strong> recommendations" in amina.html_body
    assert "Six recommendations" in amina.text_body and "**Six**" not in amina.text_body
    # Published again (a correction): one more message each, never twice for the same version.
    from app.learning_note.notifications import _on_note_published

    version = db.session.scalar(select(NoteVersion))
    _on_note_published(event, version=version)
    db.session.commit()
    assert db.session.query(OutboxMessage).filter_by(kind="learning_note_published").count() == len(messages)


def test_facilitators_of_other_events_cannot_touch_the_note(captured):
    with pytest.raises(PermissionDenied):
        services.generate(captured.other_facilitator, captured.event)
    with pytest.raises(PermissionDenied):
        services.save_narrative(captured.other_organiser, captured.event,
                                services.NarrativeInput(_values(foreword_en="Hello"), 0))
    db.session.rollback()


def test_the_staff_pages_generate_and_publish(captured, client, make):
    event = captured.event
    make.login(client, captured.organiser)
    workspace = client.get(f"/manage/events/{event.slug}/?lang=en").text
    assert "Publish the learning note." in workspace and f"/manage/events/{event.slug}/learning-note" in workspace
    assert client.post(f"/manage/events/{event.slug}/learning-note/generate").status_code == 302
    editor = client.get(f"/manage/events/{event.slug}/learning-note?lang=en").text
    assert "3 final recommendations" in editor and "Missing translations" in editor
    page = client.get(f"/manage/events/{event.slug}/learning-note/publish?lang=en")
    assert page.status_code == 200 and "Recommendation 2 is not translated" in page.text
    form = {name: re.search(rf'name="{name}" type="hidden" value="(\d+)"', page.text).group(1)
            for name in ("seen_edit_version", "seen_generation")}
    refused = client.post(f"/manage/events/{event.slug}/learning-note/publish?lang=en", data=form)
    assert refused.status_code == 422 and "lack their English or French version" in refused.text
    published = client.post(f"/manage/events/{event.slug}/learning-note/publish?lang=en",
                            data={**form, "confirm_untranslated": "y"})
    assert published.status_code == 302 and published.headers["Location"].endswith("/learning-note/v1")
    hub = client.get(f"/events/{event.slug}/?lang=en").text
    assert f'href="/events/{event.slug}/learning-note"' in hub
    assert "Publish the learning note." not in client.get(f"/manage/events/{event.slug}/?lang=en").text
    from app.learning_note.stage import library_figures

    assert list(library_figures().values()) == [1, 0]
    # A facilitator writes but does not publish.
    facilitator = client.application.test_client()
    make.login(facilitator, captured.facilitator)
    assert facilitator.get(f"/manage/events/{event.slug}/learning-note/publish").status_code == 403
    assert facilitator.get(f"/manage/events/{event.slug}/learning-note").status_code == 200


def test_control_characters_never_reach_the_database(captured, client, make):
    event = captured.event
    services.generate(captured.organiser, event)
    db.session.commit()
    make.login(client, captured.organiser)
    response = client.post(f"/manage/events/{event.slug}/learning-note?lang=en",
                           data=_form(note_of(event), foreword_en="Amal\x00Benali", key_messages_fr="\x1b[31m"))
    assert response.status_code == 422 and "cannot be saved (a control character)" in response.text
    db.session.expire_all()
    assert note_of(event).foreword_en == "" and note_of(event).edit_version == 0
    with pytest.raises(DomainError) as refused:
        services.publish(captured.organiser, event, _publish_input(note_of(event), change_fr="\x00",
                                                                   confirm_untranslated=True))
    assert refused.value.field == "change_fr"
    db.session.rollback()


def test_every_refused_part_of_a_save_is_said_at_once(captured):
    from app.domain import DomainError

    event = captured.event
    services.generate(captured.organiser, event)
    note = note_of(event)
    too_long = "x" * (services.PART_MAX_LENGTH + 1)
    with pytest.raises(DomainError) as refused:
        services.save_narrative(captured.facilitator, event, services.NarrativeInput(
            _values(executive_summary_en=too_long, key_messages_fr="Un\x00caractère", next_steps_en="Fine."),
            note.edit_version))
    assert {error.field for error in refused.value.all_errors} == {"executive_summary_en", "key_messages_fr"}
