"""The learning note's pages through check-html (Nu HTML Checker and axe-core in Chromium), in both
languages, and the note on a phone: nothing wider than the screen."""

import pytest

from app.extensions import db
from app.learning_note import services
from app.learning_note.models import NARRATIVE_FIELDS
from app.learning_note.queries import note_of
from tests.e2e.test_html_validity import _check_html, _signed_in_cookie
from tests.learning_note.conftest import captured  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def published(captured):  # noqa: F811 (the fixture imported above)
    event = captured.event
    services.generate(captured.organiser, event)
    values = dict.fromkeys(NARRATIVE_FIELDS, "")
    values.update(executive_summary_en="Two days in **Lyon**, with [a report](https://example.org/report).",
                  executive_summary_fr="Deux jours à **Lyon**.", key_messages_en="- One\n- Two",
                  next_steps_fr="1. Rendre compte.\n2. Partager les outils.")
    services.save_narrative(captured.organiser, event, services.NarrativeInput(values, note_of(event).edit_version))
    db.session.commit()
    note = note_of(event)
    services.publish(captured.organiser, event, services.PublishInput(note.edit_version, note.generation,
                                                                      confirm_untranslated=True))
    db.session.commit()
    return captured


def test_the_note_pages_are_valid_and_accessible(live_server, published, make):
    slug = published.event.slug
    public = [f"{live_server}/events/{slug}/learning-note{path}?lang={lang}" for lang in ("en", "fr")
              for path in ("", "/v1")]
    result = _check_html(public)
    assert result.returncode == 0, result.stdout[-4000:]
    cookie = _signed_in_cookie(live_server, published.organiser.email, make.PASSWORD)
    staff = [f"{live_server}/manage/events/{slug}/learning-note{path}" for path in (
        "?lang=fr", "?lang=en", "/publish?lang=fr", "/preview?lang=en")]
    result = _check_html(staff, cookie)
    assert result.returncode == 0, result.stdout[-4000:]


def test_the_note_reads_on_a_phone(live_server, published, phone):
    phone.goto(f"{live_server}/events/{published.event.slug}/learning-note?lang=fr")
    assert phone.locator("h1").inner_text().startswith("Coordination inter-institutionnelle")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert phone.locator("a", has_text="PDF (Français)").is_visible()
