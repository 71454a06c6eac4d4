"""The background document: organisers write and publish it, participants read the published version."""

import io
from datetime import UTC, datetime

import pytest

from app import uploads
from app.auth.models import Role
from app.background import services
from app.background.models import BackgroundDocument
from app.background.signals import background_published
from app.events.models import EventState
from app.extensions import db

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def event(make):
    return make.event(make.city("Turin", "Europe/Rome", "IT"), EventState.OPEN)


@pytest.fixture
def organiser(client, make, event):
    user = make.user(Role.ORGANISER, event.host_city)
    make.login(client, user)
    return user


def _form(**overrides):
    data = {"markdown_en": "# Housing\n\nCities open the **rental market**.",
            "markdown_fr": "# Logement\n\nLes villes ouvrent le **marché locatif**.", "action": "save"}
    data.update(overrides)
    return data


def _document(event) -> BackgroundDocument:
    db.session.expire_all()
    return db.session.scalar(db.select(BackgroundDocument).where(BackgroundDocument.event_id == event.id))


def test_draft_is_not_public_until_published_then_both_languages_show(client, make, event, organiser):
    response = client.post(f"/manage/events/{event.slug}/background?lang=en", data=_form())
    assert response.status_code == 302
    visitor = client.application.test_client()
    assert visitor.get(f"/events/{event.slug}/background?lang=en").status_code == 404
    hub = visitor.get(f"/events/{event.slug}/?lang=en").text
    assert f"/events/{event.slug}/background" not in hub

    client.post(f"/manage/events/{event.slug}/background?lang=en", data=_form(action="publish"))
    english = visitor.get(f"/events/{event.slug}/background?lang=en")
    assert english.status_code == 200
    assert "<h2>Housing</h2>" in english.text and "<strong>rental market</strong>" in english.text
    assert "Last updated:" in english.text
    french = visitor.get(f"/events/{event.slug}/background?lang=fr").text
    assert "<h2>Logement</h2>" in french and "Dernière mise à jour" in french
    assert f'href="/events/{event.slug}/background"' in visitor.get(f"/events/{event.slug}/?lang=en").text


def test_edits_after_publication_stay_private_until_published_again(client, event, organiser):
    client.post(f"/manage/events/{event.slug}/background", data=_form(action="publish"))
    client.post(f"/manage/events/{event.slug}/background", data=_form(markdown_en="Second version"))
    visitor = client.application.test_client()
    assert "Second version" not in visitor.get(f"/events/{event.slug}/background?lang=en").text
    manage = client.get(f"/manage/events/{event.slug}/background?lang=en").text
    assert "The draft has changes that participants do not see yet." in manage
    client.post(f"/manage/events/{event.slug}/background", data=_form(markdown_en="Second version", action="publish"))
    assert "Second version" in visitor.get(f"/events/{event.slug}/background?lang=en").text


def test_missing_translation_falls_back_marked(client, event, organiser):
    client.post(f"/manage/events/{event.slug}/background", data=_form(markdown_fr="", action="publish"))
    page = client.application.test_client().get(f"/events/{event.slug}/background?lang=fr").text
    assert '<div class="prose" lang="en">' in page and "<h2>Housing</h2>" in page
    assert "pas encore été traduit" in page


def test_publishing_an_empty_document_is_refused_next_to_the_field(client, event, organiser):
    response = client.post(f"/manage/events/{event.slug}/background?lang=fr",
                           data=_form(markdown_en="  ", markdown_fr="", action="publish"))
    assert response.status_code == 422
    assert "Rédigez le document de cadrage" in response.text
    assert _document(event) is None


HOSTILE = """Hello <script>alert('x')</script>

[click](javascript:alert(1)) [also](JAVASCRIPT:alert(1)) [data](data:text/html;base64,PHNjcmlwdD4=)

<img src="x" onerror="alert(1)"> <a href="https://example.org" onclick="steal()">link</a>

<iframe src="https://evil.example"></iframe> [fine](https://example.org/ok)
"""


def test_hostile_markdown_is_neutralised_before_it_is_stored_and_when_shown(client, event, organiser):
    client.post(f"/manage/events/{event.slug}/background", data=_form(markdown_en=HOSTILE, action="publish"))
    stored = _document(event).published_html_en
    page = client.application.test_client().get(f"/events/{event.slug}/background?lang=en").text
    for html in (stored, page):
        assert "<script" not in html and "<img" not in html and "<iframe" not in html
        assert 'href="javascript' not in html.lower() and 'href="data:' not in html
        assert "onclick=" not in html.split("&lt;a")[0]
        assert '<a href="https://example.org/ok" rel="noopener noreferrer">fine</a>' in html


def test_stored_html_is_sanitised_again_when_shown(client, make, event):
    # Even HTML that reached the database some other way is cleaned on the way out.
    db.session.add(BackgroundDocument(
        event_id=event.id, published_markdown_en="x", published_html_en='<p onclick="x()">Hi<script>bad()</script></p>',
        published_at=datetime(2027, 1, 1, tzinfo=UTC), first_published_at=datetime(2027, 1, 1, tzinfo=UTC)))
    db.session.commit()
    page = client.get(f"/events/{event.slug}/background?lang=en").text
    assert "<p>Hi</p>" in page and "bad()" not in page and "onclick" not in page


def test_pdf_is_attached_published_and_served_with_a_safe_name(client, event, organiser):
    data = _form(pdf=(io.BytesIO(PDF), "../../Dossier élève 2027.pdf"))
    response = client.post(f"/manage/events/{event.slug}/background", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    visitor = client.application.test_client()
    # Only the published document's PDF is public.
    assert visitor.get(f"/events/{event.slug}/background.pdf").status_code == 404
    draft = client.get(f"/manage/events/{event.slug}/background/draft.pdf")
    assert draft.status_code == 200 and draft.data == PDF
    assert draft.headers["Cache-Control"] == "private, no-store"

    client.post(f"/manage/events/{event.slug}/background", data=_form(action="publish"))
    served = visitor.get(f"/events/{event.slug}/background.pdf")
    assert served.status_code == 200 and served.data == PDF
    assert served.mimetype == "application/pdf"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Disposition"] == "attachment; filename=Dossier_eleve_2027.pdf"
    assert "Download the PDF version" in visitor.get(f"/events/{event.slug}/background?lang=en").text
    assert "(1\u00a0kB)" in visitor.get(f"/events/{event.slug}/background?lang=en").text
    assert "(1\u202fko)" in visitor.get(f"/events/{event.slug}/background?lang=fr").text


def test_a_renamed_non_pdf_is_refused_next_to_the_field_keeping_the_text(client, event, organiser):
    data = _form(markdown_en="My carefully typed text", pdf=(io.BytesIO(PNG), "photo.pdf"))
    response = client.post(f"/manage/events/{event.slug}/background?lang=fr", data=data,
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Ce fichier n'est pas un PDF" in response.text
    assert 'id="pdf-error"' in response.text
    assert "My carefully typed text" in response.text
    assert _document(event) is None


def test_a_pdf_over_the_limit_gets_a_clear_message(app, client, event, organiser, monkeypatch):
    monkeypatch.setitem(app.config, "BACKGROUND_PDF_MAX_BYTES", 1024 * 1024)
    big = PDF[:-6] + b" " * (1024 * 1024) + b"%%EOF\n"
    response = client.post(f"/manage/events/{event.slug}/background?lang=en",
                           data=_form(pdf=(io.BytesIO(big), "big.pdf")), content_type="multipart/form-data")
    assert response.status_code == 422
    assert "This file is larger than 1 MB, the largest PDF accepted." in response.text
    assert "Cities open the" in response.text


def test_a_pdf_without_end_marker_is_refused(app, event, make):
    organiser = make.user(Role.ORGANISER, event.host_city)
    with pytest.raises(services.DomainError) as error:
        services.save_background(organiser, event, services.BackgroundInput(
            "text", "texte", pdf=services.PdfUpload(b"%PDF-1.4\ntruncated", "cut.pdf")))
    assert error.value.field == "pdf"


def test_replaced_files_leave_the_disk_after_commit_and_rolled_back_files_never_stay(app, event, make):
    organiser = make.user(Role.ORGANISER, event.host_city)
    first = services.save_background(organiser, event, services.BackgroundInput(
        "a", "b", pdf=services.PdfUpload(PDF, "one.pdf")))
    db.session.commit()
    first_path = uploads.path_of(services.UPLOAD_FOLDER, first.draft_pdf_stored_name)
    assert first_path.read_bytes() == PDF

    second = services.save_background(organiser, event, services.BackgroundInput(
        "a", "b", pdf=services.PdfUpload(PDF + b"\n", "two.pdf")))
    second_path = uploads.path_of(services.UPLOAD_FOLDER, second.draft_pdf_stored_name)
    assert first_path.exists()  # still referenced until the change commits
    db.session.commit()
    assert not first_path.exists() and second_path.exists()

    third = services.save_background(organiser, event, services.BackgroundInput(
        "a", "b", pdf=services.PdfUpload(PDF + b"\n\n", "three.pdf")))
    third_path = uploads.path_of(services.UPLOAD_FOLDER, third.draft_pdf_stored_name)
    assert third_path.exists()
    db.session.rollback()
    assert not third_path.exists() and second_path.exists()


def test_publication_is_announced_inside_the_transaction(app, event, make):
    organiser = make.user(Role.ORGANISER, event.host_city)
    received = []

    def receiver(sender, document, first_publication):
        # Inside the transaction: the publication is flushed but not committed yet.
        received.append((sender.slug, document.published_markdown_en, first_publication, db.session().in_transaction()))

    with background_published.connected_to(receiver):
        services.save_background(organiser, event, services.BackgroundInput("v1", "v1 fr"), publish=True)
        db.session.commit()
        services.save_background(organiser, event, services.BackgroundInput("v2", "v2 fr"), publish=True)
        db.session.commit()
        services.save_background(organiser, event, services.BackgroundInput("v3 draft", "v3"))
        db.session.commit()
    assert received == [(event.slug, "v1", True, True), (event.slug, "v2", False, True)]


def test_other_cities_organisers_cannot_change_it(app, event, make):
    stranger = make.user(Role.ORGANISER, make.city("Tunis", "Africa/Tunis", "TN"))
    with pytest.raises(services.PermissionDenied):
        services.save_background(stranger, event, services.BackgroundInput("x", "y"), publish=True)


def test_every_refusal_of_a_save_comes_at_once(event, organiser):
    from app.domain import DomainError

    too_long = "x" * (services.MARKDOWN_MAX_LENGTH + 1)
    with pytest.raises(DomainError) as refused:
        services.save_background(organiser, event, services.BackgroundInput(
            too_long, too_long, pdf=services.PdfUpload(PNG, "photo.pdf")))
    assert {error.field for error in refused.value.all_errors} == {"markdown_en", "markdown_fr", "pdf"}
