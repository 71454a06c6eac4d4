"""The published note as readers get it: the page, the PDF and the Word document, in both languages,
opened and read back."""

import io
import zipfile

import docx
import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from app.extensions import db
from app.learning_note import render, services
from app.learning_note.models import NARRATIVE_FIELDS, NoteFile, NoteVersion
from app.learning_note.queries import note_of

HOSTILE = ("Intro with <script>alert('x')</script> and <img src=x onerror=alert(1)> "
           "[a link](javascript:alert(2)) and [a good link](https://example.org/report).")


@pytest.fixture
def published(captured):
    event = captured.event
    services.generate(captured.organiser, event)
    note = note_of(event)
    values = dict.fromkeys(NARRATIVE_FIELDS, "")
    values.update(
        executive_summary_en=f"Two days in **Lyon**.\n\n{HOSTILE}",
        executive_summary_fr="Deux jours à **Lyon**.",
        key_messages_en="- Start from the newcomer's path.\n- Share data with consent.",
        key_messages_fr="- Partir du parcours du nouvel arrivant.\n- Partager les données avec consentement.",
        next_steps_en="1. Report in spring.\n2. Share the tools.",
        next_steps_fr="1. Rendre compte au printemps.\n2. Partager les outils.",
        foreword_en="Lyon welcomes you.")
    services.save_narrative(captured.organiser, event, services.NarrativeInput(values, note.edit_version))
    db.session.commit()
    note = note_of(event)
    services.publish(captured.organiser, event, services.PublishInput(
        note.edit_version, note.generation, confirm_untranslated=True))
    db.session.commit()
    return captured


def _pdf_text(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def _flat(text: str) -> str:
    return " ".join(text.replace("-\n", "").split())


def test_the_page_reads_on_a_phone_in_both_languages(published, client):
    slug = published.event.slug
    english = client.get(f"/events/{slug}/learning-note?lang=en")
    assert english.status_code == 200
    assert 'name="viewport"' in english.text and "learning-note.css" in english.text
    for expected in ("Executive summary", "Open one-stop shops for every resident.", "Access to basic services",
                     "16.6, 16.7", "Who should act", "3 dots", "12–13 March 2025", "Local solutions presented",
                     "Sfax", "What the field visit showed", "The body met twice."):
        assert expected in english.text, expected
    assert f"/events/{slug}/learning-note/v1.pdf?lang=fr" in english.text
    french = client.get(f"/events/{slug}/learning-note?lang=fr").text
    for expected in ("Synthèse", "Ouvrir des guichets uniques pour tous les habitants.", "Accès aux services de base",
                     "Qui doit agir", "12 et 13 mars 2025", "Solutions locales présentées",
                     "Cette partie n'a pas encore été traduite : elle est affichée en anglais."):
        assert expected.replace(" :", "\u00a0:") in french, expected
    # The untranslated recommendation is shown in English, marked as such.
    assert 'lang="en">Give cities a voice in national migration policy.' in french
    assert "(en anglais uniquement)" in french or "(in English only)" in french
    # Sanitised: nothing of the hostile Markdown is live on the page.
    assert "<script" not in english.text and "onerror" not in english.text.replace("onerror=alert(1)&gt;", "")
    assert 'href="javascript' not in english.text and 'href="https://example.org/report"' in english.text


def test_the_pdf_is_a_publication_in_each_language(published, client):
    slug = published.event.slug
    response = client.get(f"/events/{slug}/learning-note.pdf?lang=en")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert f"learning-note-{slug}-v1-en.pdf" in response.headers["Content-Disposition"]
    reader, text = _pdf_text(response.data)
    flat = _flat(text)
    assert len(reader.pages) >= 5
    first_page = reader.pages[0].extract_text()
    assert "Thematic learning note" in first_page and "Inter-institutional coordination" in first_page
    assert "Lyon" in first_page and "12–13 March 2025" in first_page and "Version 1" in first_page
    assert "Contents" in reader.pages[1].extract_text()
    for expected in ("Executive summary", "Key messages", "Recommendations", "Open one-stop shops for every resident.",
                     "Access to basic services", "Participants who agreed to be named", "Amina Listed"):
        assert expected in flat, expected
    assert "Secret Person" not in flat and "Hidden Delegate" not in flat
    # Running headers and numbered pages.
    last = reader.pages[-1].extract_text()
    assert f"{len(reader.pages)} / {len(reader.pages)}" in last and "Inter-institutional coordination" in last
    # Bookmarks for the sections, the fonts shipped with the app.
    assert [item.title for item in reader.outline if not isinstance(item, list)][:3] == [
        "Contents", "1. Foreword by the host city", "2. Executive summary"]
    fonts = {str(font.get_object()["/BaseFont"]) for page in reader.pages
             for font in page["/Resources"]["/Font"].values()}
    assert any("Source-Serif-4" in f for f in fonts) and any("Source-Sans-3" in f for f in fonts)
    # Sanitised Markdown: the hostile parts are inert text at most, never a link.
    assert "javascript" not in str([a.get_object().get("/A") for p in reader.pages for a in (p.get("/Annots") or [])])

    french = client.get(f"/events/{slug}/learning-note.pdf?lang=fr")
    _reader, french_text = _pdf_text(french.data)
    flat = _flat(french_text)
    for expected in ("Note d'apprentissage thématique", "Synthèse", "Sommaire", "12 et 13 mars 2025",
                     "Ouvrir des guichets uniques pour tous les habitants.", "Accès aux services de base"):
        assert expected in flat, expected


def test_the_word_document_has_real_headings_lists_and_tables(published, client):
    slug = published.event.slug
    response = client.get(f"/events/{slug}/learning-note.docx?lang=fr")
    assert response.status_code == 200
    assert response.mimetype.endswith("wordprocessingml.document")
    assert "attachment" in response.headers["Content-Disposition"]
    document = docx.Document(io.BytesIO(response.data))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[:3] == ["Sommaire", "1. Avant-propos de la ville hôte", "2. Synthèse"]
    assert "Recommandations" in " ".join(headings)
    assert any(p.style.name == "Heading 2" and p.text == "Accès aux services de base" for p in document.paragraphs)
    bullets = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]
    assert "Partir du parcours du nouvel arrivant." in bullets
    numbered = [p.text for p in document.paragraphs if p.style.name == "List Number"]
    assert numbered == ["Rendre compte au printemps.", "Partager les outils."]
    tables = ["\n".join(cell.text for row in table.rows for cell in row.cells) for table in document.tables]
    assert any("Ouvrir des guichets uniques pour tous les habitants." in table and "11.1" in table for table in tables)
    assert any("participants" in table and "5" in table for table in tables)
    text = "\n".join(p.text for p in document.paragraphs)
    assert "12 et 13 mars 2025" in text and "Secret Person" not in text
    assert document.core_properties.language == "fr-FR"
    # The foreword exists in English only: shown, marked.
    assert "Lyon welcomes you. (en anglais uniquement)" in text

    english = docx.Document(io.BytesIO(client.get(f"/events/{slug}/learning-note.docx?lang=en").data))
    xml = zipfile.ZipFile(io.BytesIO(client.get(f"/events/{slug}/learning-note.docx?lang=en").data)) \
        .read("word/document.xml").decode()
    assert "<script" not in xml and "javascript:" not in " ".join(
        r.target_ref for r in english.part.rels.values() if r.is_external)
    assert any(r.target_ref == "https://example.org/report" for r in english.part.rels.values() if r.is_external)


def test_files_are_rendered_once_per_version_and_language(published, client, monkeypatch):
    slug = published.event.slug
    calls = []
    original = render.render_file
    monkeypatch.setattr(render, "render_file", lambda *args: calls.append(args[1]) or original(*args))
    first = client.get(f"/events/{slug}/learning-note.pdf?lang=en")
    again = client.get(f"/events/{slug}/learning-note/v1.pdf?lang=en")
    assert first.data == again.data and calls == ["pdf"]
    assert client.get(f"/events/{slug}/learning-note.pdf", headers={"If-None-Match": first.headers["ETag"].strip('"')}
                      ).status_code in (200, 304)
    assert db.session.scalar(select(func.count()).select_from(NoteFile)) == 1
    # A participant withdrawing consent changes the file: it is rendered again without their name.
    published.participants[0].consent_public_list = False
    db.session.commit()
    _reader, text = _pdf_text(client.get(f"/events/{slug}/learning-note.pdf?lang=en").data)
    assert calls == ["pdf", "pdf"] and "Amina Listed" not in text and "Bruno Listed" in _flat(text)


def test_the_draft_can_be_previewed_by_its_editors(published, client, make):
    slug = published.event.slug
    make.login(client, published.facilitator)
    page = client.get(f"/manage/events/{slug}/learning-note/preview?lang=en")
    assert page.status_code == 200 and "Preview of the draft." in page.text
    pdf = client.get(f"/manage/events/{slug}/learning-note/preview.pdf?lang=fr")
    assert pdf.status_code == 200 and "Projet, non publié" in _flat(_pdf_text(pdf.data)[1])
    assert pdf.headers["Cache-Control"] == "private, no-store"


def test_a_published_version_files_are_made_in_the_background(published, app, client, monkeypatch):
    version = db.session.scalar(select(NoteVersion))
    render.warm_files_later(app, published.event.id, version.id)  # off under tests
    assert db.session.scalar(select(func.count()).select_from(NoteFile)) == 0
    render._warm(app, published.event.id, version.id)  # what the thread runs, after the publication's commit
    db.session.expire_all()
    kept = {(f.lang, f.format) for f in db.session.scalars(select(NoteFile))}
    assert kept == {("en", "pdf"), ("fr", "pdf"), ("en", "docx"), ("fr", "docx")}
    monkeypatch.setattr(render, "render_file", lambda *args: pytest.fail("rendered again"))
    assert client.get(f"/events/{published.event.slug}/learning-note.pdf?lang=fr").data.startswith(b"%PDF-")


def test_a_long_address_on_the_cover_is_never_hyphenated(published, app):
    """Readers copy the note's address from the cover: it may break across lines, never gain a hyphen."""
    from app.pdf import render_pdf

    url = ("https://events.example.org/events/inter-institutional-coordination-in-migration-governance-"
           "towards-improved/learning-note/v2.pdf?lang=fr")
    version = db.session.scalar(select(NoteVersion).where(NoteVersion.event_id == published.event.id))
    with app.test_request_context("/?lang=fr"):
        html = render.print_html(render.version_view(published.event, version, "fr"), url)
    cover = PdfReader(io.BytesIO(render_pdf(html, app.static_folder))).pages[0].extract_text()
    assert url in "".join(cover.split()), cover
