"""Typed entries: every kind, either language and its translation, conflicting edits refused with
both versions shown, the history and restoring, idempotent resends, who may capture."""

import re

import pytest
from sqlalchemy import func, select

from app.capture import entries
from app.capture.entries import EditConflict, EntryInput
from app.capture.models import ActorLevel, Entry, EntryKind, EntryRevision, TranslationStatus
from app.domain import DomainError, PermissionDenied
from app.events.models import PolicyArea
from app.extensions import db


def _areas():
    areas = [PolicyArea(code="coordination", name_en="Institutional coordination",
                        name_fr="Coordination institutionnelle", source="city priority"),
             PolicyArea(code="welcome", name_en="Welcome instruments", name_fr="Instruments d'accueil",
                        source="policy recommendation")]
    db.session.add_all(areas)
    db.session.commit()
    return areas


def _edit_data(entry, **changes) -> EntryInput:
    values = dict(kind=entry.kind, language=entry.language, title_en=entry.title_en, title_fr=entry.title_fr,
                  text_en=entry.text_en, text_fr=entry.text_fr, visit_label=entry.visit_label,
                  sdg_text=", ".join(entry.sdg_codes), policy_area_ids=[a.id for a in entry.policy_areas],
                  answer_ids=[a.id for a in entry.answers], actor_level=entry.actor_level, actor=entry.actor,
                  city_id=entry.city_id, city_other=entry.city_other, organisation=entry.organisation)
    values.update(changes)
    return EntryInput(**values)


def test_every_kind_is_recorded_in_either_language(world, add, make):
    areas = _areas()
    challenge = add(EntryKind.CHALLENGE, "Personne ne voit le parcours complet d'un nouvel arrivant.", language="fr")
    assert challenge.text_fr and not challenge.text_en
    assert challenge.translation_status is TranslationStatus.MISSING
    item = make.agenda_item(world.event, title_en="Local solutions")
    lyon = make.city("Lyon")
    case = add(EntryKind.CASE, "One reception desk for every resident.", title_en="One-stop shops", city_id=lyon.id,
               organisation="Métropole de Lyon", slides_url="https://example.org/slides", agenda_item_id=item.id)
    assert (case.city.name_en, case.agenda_item_id, case.slides_url) == ("Lyon", item.id, "https://example.org/slides")
    guest = add(EntryKind.CASE, "A guest city's case.", title_en="Guests", city_other="Marseille")
    assert guest.presenting_city == "Marseille"
    with pytest.raises(DomainError) as refused:
        add(EntryKind.OBSERVATION, "A single desk.")
    assert refused.value.field == "visit_label"
    db.session.rollback()
    observation = add(EntryKind.OBSERVATION, "A single desk.", visit_label="Study visit: one-stop shop")
    assert observation.field_visit_id is None and observation.visit_label == "Study visit: one-stop shop"
    recommendation = add(EntryKind.RECOMMENDATION, "Create a coordination body.", actor_level=ActorLevel.LOCAL,
                         actor="The metropolis", policy_area_ids=[areas[0].id], sdg_text="SDG 16.6, 10.7 ; 11",
                         answer_ids=[challenge.id, case.id], working_group="Governance")
    assert recommendation.sdg_codes == ["16.6", "10.7", "11"]
    assert [s.goal for s in recommendation.sdgs] == [16, 10, 11]
    assert [a.id for a in recommendation.answers] == [challenge.id, case.id]
    assert [a.code for a in recommendation.policy_areas] == ["coordination"]
    # Each has its first version in the history.
    assert db.session.scalar(select(func.count(EntryRevision.id))) == 5


def test_what_is_not_right_is_refused_next_to_its_field(world, add):
    for kind, fields, field in [
        (EntryKind.RECOMMENDATION, {"sdg_text": "10.7, 99, 16.z"}, "sdgs"),
        (EntryKind.CASE, {"title_en": "T", "slides_url": "javascript:alert(1)"}, "slides_url"),
        (EntryKind.CASE, {"title_en": ""}, "title_en"),
        (EntryKind.RECOMMENDATION, {"answer_ids": [999]}, "answers"),
    ]:
        with pytest.raises(DomainError) as refused:
            add(kind, "Text", **fields)
        assert refused.value.field == field
        db.session.rollback()
    with pytest.raises(DomainError, match="in English, in French, or both"):
        add(EntryKind.CHALLENGE, "  \x00 ")


def test_every_refusal_of_an_entry_comes_at_once(world, add):
    with pytest.raises(DomainError) as refused:
        add(EntryKind.RECOMMENDATION, "Text", sdg_text="99", answer_ids=[999], policy_area_ids=[99999])
    assert {error.field for error in refused.value.all_errors} == {"sdgs", "answers", "policy_areas"}
    db.session.rollback()
    with pytest.raises(DomainError) as refused:
        add(EntryKind.CASE, "Text", title_en="", slides_url="javascript:alert(1)")
    assert {error.field for error in refused.value.all_errors} == {"title_en", "slides_url"}


def test_translation_goes_from_missing_to_review_to_done(world, add):
    entry = add(EntryKind.RECOMMENDATION, "Former ensemble les agents d'accueil.", language="fr")
    entries.edit_entry(world.facilitator, world.event, entry,
                       _edit_data(entry, text_en="Train front-line staff together."), 1)
    db.session.commit()
    assert entry.translation_status is TranslationStatus.TO_REVIEW and entry.version == 2
    entries.edit_entry(world.facilitator, world.event, entry, _edit_data(entry, translation_checked=True), 2)
    db.session.commit()
    assert entry.translation_status is TranslationStatus.DONE
    actions = db.session.scalars(select(EntryRevision.action).where(EntryRevision.entry_id == entry.id)
                                 .order_by(EntryRevision.version)).all()
    assert actions == ["created", "translated", "translated"]
    # Saving without a change makes no version.
    entries.edit_entry(world.facilitator, world.event, entry, _edit_data(entry, translation_checked=True), 3)
    assert entry.version == 3


def test_a_stale_version_is_refused_and_nothing_is_overwritten(world, add):
    entry = add(EntryKind.CHALLENGE, "First words.")
    entries.edit_entry(world.organiser, world.event, entry, _edit_data(entry, text_en="The organiser's words."), 1)
    db.session.commit()
    with pytest.raises(EditConflict) as conflict:
        entries.edit_entry(world.facilitator, world.event, entry, _edit_data(entry, text_en="Mine."), 1)
    db.session.rollback()
    assert conflict.value.current.text_en == "The organiser's words."
    assert db.session.get(Entry, entry.id).text_en == "The organiser's words."


def test_the_second_of_two_people_editing_sees_both_versions(app, world, add, make):
    entry = add(EntryKind.RECOMMENDATION, "Open one-stop shops.")
    first, second = app.test_client(), app.test_client()
    make.login(first, world.organiser)
    make.login(second, world.facilitator)
    url = f"/manage/events/{world.event.slug}/capture/entries/{entry.id}?lang=en"
    for client in (first, second):
        assert 'name="version" type="hidden" value="1"' in client.get(url).text
    saved = first.post(url, data={"version": "1", "text_en": "Open one-stop shops for every resident.", "text_fr": ""})
    assert saved.status_code == 302
    refused = second.post(url, data={"version": "1", "text_en": "Open one-stop shops, with interpreters.",
                                     "text_fr": "Ouvrir des guichets uniques, avec des interprètes."})
    assert refused.status_code == 409
    page = refused.text
    assert "saved this entry while you were editing it" in page
    assert "Open one-stop shops for every resident." in page  # theirs
    # Mine, still in the form:
    assert "Open one-stop shops, with interpreters." in page and "avec des interprètes" in page
    assert 'name="version" type="hidden" value="2"' in page
    db.session.expire_all()
    assert db.session.get(Entry, entry.id).text_en == "Open one-stop shops for every resident."
    # Having seen both, saving again is a decision: it goes through.
    again = second.post(url, data={"version": "2", "text_en": "Open one-stop shops, with interpreters.",
                                   "text_fr": "Ouvrir des guichets uniques, avec des interprètes."})
    assert again.status_code == 302
    db.session.expire_all()
    assert db.session.get(Entry, entry.id).version == 3


def test_history_shows_who_changed_what_and_restores_an_earlier_version(app, client, world, add, make):
    entry = add(EntryKind.RECOMMENDATION, "Version one.")
    entries.edit_entry(world.organiser, world.event, entry, _edit_data(entry, text_en="Version two."), 1)
    db.session.commit()
    make.login(client, world.facilitator)
    history = client.get(f"/manage/events/{world.event.slug}/capture/entries/{entry.id}/history?lang=en").text
    assert "Version two." in history and "Version one." in history
    assert world.organiser.name in history and world.facilitator.name in history
    assert "Text in English" in history
    response = client.post(f"/manage/events/{world.event.slug}/capture/entries/{entry.id}/restore/1",
                           data={"version": "2"})
    assert response.status_code == 302
    db.session.expire_all()
    restored = db.session.get(Entry, entry.id)
    assert (restored.text_en, restored.version) == ("Version one.", 3)
    revision = db.session.scalar(select(EntryRevision).where(EntryRevision.entry_id == entry.id,
                                                             EntryRevision.version == 3))
    assert (revision.action, revision.restored_from, revision.actor_id) == ("restored", 1, world.facilitator.id)


def test_a_removed_entry_leaves_the_pages_and_comes_back_from_its_history(world, add, client):
    entry = add(EntryKind.CHALLENGE, "A test entry typed by mistake.")
    entries.remove_entry(world.facilitator, world.event, entry, 1)
    db.session.commit()
    assert "typed by mistake" not in client.get(f"/events/{world.event.slug}/recommendations").text
    entries.restore_version(world.facilitator, world.event, entry, 1, 2)
    db.session.commit()
    assert not entry.is_removed and entry.version == 3
    assert "typed by mistake" in client.get(f"/events/{world.event.slug}/recommendations").text


def test_the_same_client_key_sent_again_makes_nothing_new(app, client, world, make):
    make.login(client, world.facilitator)
    url = f"/manage/events/{world.event.slug}/capture/entries"
    body = {"kind": "challenge", "language": "fr", "text": "Les données ne circulent pas.",
            "client_key": "a1b2c3d4e5f60718"}
    first = client.post(url, data=body, headers={"Accept": "application/json"})
    assert first.status_code == 200 and first.json["ok"] and first.json["created"]
    again = client.post(url, data=body, headers={"Accept": "application/json"})
    assert again.json == {**first.json, "created": False}
    without_script = client.post(url, data=body)
    assert without_script.status_code == 302
    assert db.session.scalar(select(func.count(Entry.id))) == 1
    refused = client.post(url, data={"kind": "challenge", "text": " ", "client_key": "ffffffffffffffff"},
                          headers={"Accept": "application/json"})
    assert refused.status_code == 422 and refused.json["ok"] is False and refused.json["field"] == "text_en"


def test_the_console_script_gets_every_refusal_as_a_list_naming_its_field(client, world, make):
    """The script puts each error beside its field: the form's own checks answer in the same shape
    as the rules' refusals (a list of {error, field}), never as a dict it cannot read."""
    make.login(client, world.facilitator)
    url = f"/manage/events/{world.event.slug}/capture/entries"
    json = {"Accept": "application/json"}
    too_long = client.post(url, data={"kind": "challenge", "language": "en", "text": "x" * 10_001,
                                      "sdgs": "1" * 301, "client_key": "c" * 16}, headers=json)
    assert too_long.status_code == 422
    assert sorted((each["field"], each["error"]) for each in too_long.json["errors"]) == [
        ("sdgs", "At most 300 characters."), ("text", "At most 10000 characters.")]
    by_the_rules = client.post(url, data={"kind": "recommendation", "language": "en", "text": "Fund it.",
                                          "sdgs": "10.7, 99.9", "client_key": "d" * 16}, headers=json)
    assert by_the_rules.status_code == 422
    assert by_the_rules.json["errors"] == [
        {"field": "sdgs", "error": "Not a goal or target of the SDGs: 99.9. Write goals as 10 and targets as 10.7."}]


def test_who_may_capture(app, world, make, add):
    entry = add(EntryKind.RECOMMENDATION, "Open one-stop shops.")
    for person in (world.other_facilitator, world.other_organiser):
        with pytest.raises(PermissionDenied):
            entries.add_entry(person, world.event, EntryInput(EntryKind.CHALLENGE, text_en="No."))
        with pytest.raises(PermissionDenied):
            entries.edit_entry(person, world.event, entry, _edit_data(entry, text_en="No."), 1)
    slug = world.event.slug
    anonymous = app.test_client()
    assert anonymous.post(f"/manage/events/{slug}/capture/entries", data={"text": "x"}).status_code == 302
    outsider = app.test_client()
    make.login(outsider, world.other_facilitator)
    assert outsider.get(f"/manage/events/{slug}/capture").status_code == 403
    assert outsider.post(f"/manage/events/{slug}/capture/entries",
                         data={"kind": "challenge", "text": "x"}).status_code == 403
    facilitator = app.test_client()
    make.login(facilitator, world.facilitator)
    assert facilitator.get(f"/manage/events/{slug}/capture").status_code == 200
    # Facilitators record; organisers run the vote, merge and mark final.
    assert facilitator.post(f"/manage/events/{slug}/capture/switch/voting", data={"value": "1"}).status_code == 403
    assert facilitator.get(f"/manage/events/{slug}/capture/entries/{entry.id}/merge").status_code == 403
    assert facilitator.post(f"/manage/events/{slug}/capture/entries/{entry.id}/final",
                            data={"final": "1"}).status_code == 403
    # The workspace links the console for the facilitator.
    workspace = facilitator.get(f"/manage/events/{slug}/?lang=en").text
    assert f'href="/manage/events/{slug}/capture"' in workspace
    assert db.session.scalar(select(func.count(Entry.id))) == 1


def test_closed_capture_refuses_new_entries(world, add):
    from app.capture import voting

    voting.set_capture_closed(world.organiser, world.event, True)
    db.session.commit()
    with pytest.raises(DomainError, match="Capture is closed"):
        add(EntryKind.CHALLENGE, "Late.")


HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_hostile_text_is_shown_escaped_everywhere(app, client, world, add, make, open_voting):
    entry = add(EntryKind.RECOMMENDATION, f"=HYPERLINK(\"http://evil\") {HOSTILE}\x00\x1b end", actor=HOSTILE,
                working_group="@SUM(1+1)")
    case = add(EntryKind.CASE, HOSTILE, title_en=f"-{HOSTILE}", organisation=HOSTILE, city_other=HOSTILE)
    assert "\x00" not in entry.text_en and "\x1b" not in entry.text_en
    open_voting()
    slug = world.event.slug
    pages = [client.get(f"/events/{slug}/recommendations?lang=en").text,
             client.get(f"/events/{slug}/recommendations/screen").text,
             client.get(f"/events/{slug}/recommendations/screen/board").text,
             client.get(f"/r/{_token(world.participants[0])}/recommendations").text]
    make.login(client, world.organiser)
    pages += [client.get(f"/manage/events/{slug}/capture").text,
              client.get(f"/manage/events/{slug}/capture/entries/{entry.id}").text,
              client.get(f"/manage/events/{slug}/capture/entries/{case.id}/history").text]
    for page in pages:
        assert "<script>alert" not in page and "<img src=x" not in page
        assert re.search(r"&lt;script&gt;alert\(&#34;x&#34;\)&lt;/script&gt;|&lt;script&gt;alert\(&quot;x&quot;\)",
                         page), page[:300]
    csv_text = client.get(f"/manage/events/{slug}/capture/export.csv").text
    assert "'=HYPERLINK" in csv_text and "'@SUM(1+1)" in csv_text and "'-<script>" in csv_text
    assert ",=HYPERLINK" not in csv_text


def _token(registration):
    from app.registration.tokens import make_token

    return make_token(registration)


def test_pages_show_each_entry_in_the_viewer_language_with_the_fallback_marked(client, world, add, open_voting):
    add(EntryKind.RECOMMENDATION, "Ouvrir des guichets uniques.", language="fr")
    both = add(EntryKind.RECOMMENDATION, "Train staff together.")
    entries.edit_entry(world.facilitator, world.event, both,
                       _edit_data(both, text_fr="Former les agents ensemble.", translation_checked=True), 1)
    db.session.commit()
    slug = world.event.slug
    french = client.get(f"/events/{slug}/recommendations?lang=fr").text
    assert "Former les agents ensemble." in french and "Train staff together." not in french
    english = client.get(f"/events/{slug}/recommendations?lang=en").text
    assert "Train staff together." in english
    assert 'lang="fr">Ouvrir des guichets uniques.' in english and "in French only" in english


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_a_case_carries_its_slides_as_a_pdf_checked_by_content(app, client, world, make):
    import io

    make.login(client, world.facilitator)
    url = f"/manage/events/{world.event.slug}/capture/entries"
    refused = client.post(url, data={"kind": "case", "language": "en", "title": "Fake", "text": "",
                                     "pdf": (io.BytesIO(b"MZ not a pdf"), "slides.pdf")},
                          content_type="multipart/form-data")
    assert refused.status_code == 422 and "is not a PDF" in refused.text
    saved = client.post(url, data={"kind": "case", "language": "en", "title": "One-stop shops", "text": "Summary.",
                                   "pdf": (io.BytesIO(PDF), "Lyon slides.pdf")}, content_type="multipart/form-data")
    assert saved.status_code == 302
    case = db.session.scalar(select(Entry))
    assert case.pdf_filename == "Lyon slides.pdf" and case.pdf_stored_name
    download = client.get(f"/events/{world.event.slug}/recommendations/cases/{case.id}.pdf")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"]


def test_an_observation_belongs_to_one_of_the_events_field_visits(app, make, world, add):
    from app.domain import DomainError
    from app.field_visit.models import FieldVisit
    from tests.auth.test_permissions import _field_visit

    visit_id, _signup = _field_visit(world.event)
    observed = add(EntryKind.OBSERVATION, text="A one-stop shop in the making.", field_visit_id=visit_id)
    assert observed.field_visit_id == visit_id
    other_event = make.event(world.event.host_city, world.event.state)
    make.registration(other_event)
    other_visit, _ = _field_visit(other_event)
    with pytest.raises(DomainError, match="field visits"):
        add(EntryKind.OBSERVATION, text="Elsewhere.", field_visit_id=other_visit)
    db.session.rollback()
    # The visit removed, the observation stays, no longer tied to it.
    db.session.delete(db.session.get(FieldVisit, visit_id))
    db.session.commit()
    db.session.refresh(observed)
    assert observed.field_visit_id is None


def test_restoring_a_version_whose_field_visit_was_removed_since_keeps_the_entry(make, world, add):
    """Like a city or an agenda item gone since, a visit removed since is not put back: restoring
    the version must not point the observation at a row that no longer exists."""
    from app.field_visit.models import FieldVisit
    from tests.auth.test_permissions import _field_visit

    visit_id, _signup = _field_visit(world.event)
    observed = add(EntryKind.OBSERVATION, text="Seen on the visit.", field_visit_id=visit_id)
    entries.edit_entry(world.facilitator, world.event, observed,
                       _edit_data(observed, text_en="Seen somewhere else.", visit_label="Another place"), 1)
    db.session.commit()
    db.session.delete(db.session.get(FieldVisit, visit_id))
    db.session.commit()
    db.session.refresh(observed)
    entries.restore_version(world.facilitator, world.event, observed, 1, 2)
    db.session.commit()
    db.session.refresh(observed)
    assert (observed.version, observed.text_en, observed.field_visit_id) == (3, "Seen on the visit.", None)
