from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from app.events.models import EventState
from app.i18n import file_size, localized, missing_translations

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "app/translations/fr/LC_MESSAGES/messages.po"


def _french_catalog():
    with CATALOG.open("rb") as handle:
        return read_po(handle)


def _source_messages() -> set[str]:
    method_map = [("app/**.py", "python"), ("app/templates/**.html", "jinja2"), ("app/templates/**.txt", "jinja2")]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None,
                "lazy_ngettext": (1, 2)}
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=method_map, keywords=keywords
    ):
        found.add(message if isinstance(message, str) else message[0])  # a plural is known by its singular
    return found


def test_every_interface_string_has_a_french_translation():
    catalog = _french_catalog()
    untranslated = [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]
    assert untranslated == [], "translate these in messages.po"
    in_catalog = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    missing = sorted(_source_messages() - in_catalog)
    assert missing == [], "run `make extract-messages` and translate these"


def test_french_keeps_every_placeholder_of_the_english():
    import re

    placeholder = re.compile(r"%\(\w+\)[sd]")
    for message in _french_catalog():
        if not message.id:
            continue
        english = message.id if isinstance(message.id, tuple) else (message.id,)
        french = message.string if isinstance(message.string, tuple) else (message.string,)
        for translated in french:
            assert sorted(placeholder.findall(english[-1])) == sorted(placeholder.findall(translated)), message.id


def test_lang_parameter_switches_and_is_remembered(client):
    response = client.get("/?lang=fr")
    assert '<html lang="fr">' in response.text
    assert "Événements à venir" in response.text
    assert "lang=fr" in response.headers["Set-Cookie"]
    again = client.get("/")
    assert '<html lang="fr">' in again.text


def test_accept_language_is_used_without_a_choice(client):
    response = client.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"})
    assert '<html lang="fr">' in response.text
    response = client.get("/", headers={"Accept-Language": "de-DE,en;q=0.5"})
    assert '<html lang="en">' in response.text


def test_lang_parameter_beats_cookie_and_accept_language(client):
    client.get("/?lang=fr")
    response = client.get("/?lang=en", headers={"Accept-Language": "fr"})
    assert '<html lang="en">' in response.text
    assert "Upcoming events" in response.text


def test_unknown_language_is_ignored(client):
    response = client.get("/?lang=de", headers={"Accept-Language": "fr"})
    assert '<html lang="fr">' in response.text
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize(("lang", "other", "label"), [("en", "fr", "Français"), ("fr", "en", "English")])
def test_every_page_links_to_the_other_language_keeping_the_query(client, lang, other, label):
    response = client.get(f"/?lang={lang}&page=2")
    assert f'href="/?lang={other}&amp;page=2"' in response.text or f'href="/?page=2&amp;lang={other}"' in response.text
    assert f'hreflang="{other}"' in response.text
    assert label in response.text


def test_missing_french_side_falls_back_to_english_marked(app, client, make):
    event = make.event(state=EventState.OPEN, theme_fr="", theme_en="Urban citizenship")
    response = client.get(f"/events/{event.slug}/?lang=fr")
    assert '<span lang="en">Urban citizenship</span>' in response.text
    assert "en anglais uniquement" in response.text


def test_localized_prefers_the_viewer_language(app, make):
    event = make.event(theme_en="Housing", theme_fr="Logement")
    assert localized(event, "theme", "fr").text == "Logement"
    assert localized(event, "theme", "en").is_fallback is False
    event.theme_en = ""
    value = localized(event, "theme", "en")
    assert (value.text, value.lang, value.is_fallback) == ("Logement", "fr", True)


def test_missing_translations_lists_the_one_sided_texts(app, make):
    event = make.event(theme_en="Housing", theme_fr="", summary_en="", summary_fr="")
    assert missing_translations(event, ("theme", "summary")) == [("theme", "fr")]


@pytest.mark.parametrize(("lang", "sizes"), [("en", ["1\u00a0kB", "12\u00a0kB", "2.5\u00a0MB"]),
                                             ("fr", ["1\u202fko", "12\u202fko", "2,5\u202fMo"])])
def test_file_sizes_are_written_in_the_readers_units(app, lang, sizes):
    with app.test_request_context(f"/?lang={lang}"):
        assert [file_size(n) for n in (10, 12_000, 2_621_440)] == sizes


def test_countries_are_listed_in_dictionary_order_in_french(app):
    from app.registration.forms import country_choices

    with app.test_request_context("/?lang=fr"):
        names = [str(choice.label) for choice in country_choices("fr")[1:]]
    assert names.index("Égypte") < names.index("Émirats arabes unis") < names.index("Espagne") < names.index("Estonie")
    assert names.index("Espagne") < names.index("États-Unis") < names.index("Éthiopie") < names.index("Fidji")


def test_french_elision_leaves_a_pronoun_after_an_imperative_alone():
    from app.i18n import french_elision

    assert french_elision("Si vous l'y aviez ajouté vous-même, retirez-le aussi.").endswith("retirez-le aussi.")
    assert french_elision("Le programme de Amman et la invitation") == "Le programme d'Amman et l'invitation"


def test_a_title_inside_a_french_sentence_loses_only_its_titles_capital(app):
    from app.i18n import french_elision, title_in_sentence

    title = title_in_sentence("Accès inclusif au logement", "fr")
    assert french_elision(f"Le programme de {title} a changé.") == "Le programme d'accès inclusif au logement a changé."
    assert title_in_sentence("Accès inclusif au logement", "en") == "Accès inclusif au logement"
    assert title_in_sentence("ODD et villes", "fr") == "ODD et villes"
    assert title_in_sentence("Amman, ville refuge", "fr", ("Amman",)) == "Amman, ville refuge"
    assert title_in_sentence("Maroc et Tunisie", "fr") == "Maroc et Tunisie"
    assert title_in_sentence("Indemnisation des victimes", "fr") == "indemnisation des victimes"  # not « Inde »


def test_the_background_document_has_one_name_in_each_language():
    """« document de cadrage » in French and "background document" in English, on every page and in
    every email: a reader who meets two names looks for two documents."""
    import re

    french_names, english_names = set(), set()
    for message in _french_catalog():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        texts = message.string if isinstance(message.string, tuple) else (message.string,)
        english_names.update(re.findall(r"(?i)\b(background document|reference document|background paper)",
                                        " ".join(ids)))
        french_names.update(re.findall(r"(?i)\bdocuments? de (cadrage|référence)|note de cadrage", " ".join(texts)))
    assert {name.lower() for name in english_names} == {"background document"}
    assert french_names == {"cadrage"}


def test_french_elides_before_a_vowel():
    """« l'événement », never « l événement » (an apostrophe lost to a space or a no-break space)."""
    import re

    lost_elision = re.compile(r"(?<![)\w])(?:[LlDdJjNnSsMmTt]|[Qq]u)[ \u00a0][aeiouyéèêàâîôAEIOUÉÈÊÀ]")
    for message in _french_catalog():
        if not message.id:
            continue
        for translated in (message.string if isinstance(message.string, tuple) else (message.string,)):
            assert not lost_elision.search(translated), translated


@pytest.mark.parametrize(("lang", "written"), [
    ("fr", ["lundi 1er mars 2027", "1er mars 2027", "1er–3 mars 2027", "28 févr.\u2009–\u20091er mars 2027",
            "1er mars 2027, 09:30 (Europe/Rome)", "jeudi 11 mars 2027", "21 mars 2027"]),
    ("en", ["Monday, March 1, 2027", "Mar 1, 2027", "Mar 1\u2009–\u20093, 2027",
            "Feb 28\u2009–\u2009Mar 1, 2027", "Mar 1, 2027, 09:30 (Europe/Rome)", "Thursday, March 11, 2027",
            "Mar 21, 2027"]),
])
def test_the_first_of_a_month_is_written_as_french_writes_it(app, lang, written):
    """« le 1er mars », never « le 1 mars »; English and other days untouched."""
    from datetime import UTC, date, datetime

    from flask_babel import force_locale

    from app.i18n import format_date_range, format_day, format_local_datetime

    with app.test_request_context(), force_locale(lang):
        assert [format_day(date(2027, 3, 1)), format_date_range(date(2027, 3, 1), None),
                format_date_range(date(2027, 3, 1), date(2027, 3, 3)),
                format_date_range(date(2027, 2, 28), date(2027, 3, 1)),
                format_local_datetime(datetime(2027, 3, 1, 8, 30, tzinfo=UTC), "Europe/Rome"),
                format_day(date(2027, 3, 11)), format_date_range(date(2027, 3, 21), None)] == written
