"""Words as the search sees them: accents folded, common words dropped, plurals and feminines
joined in both languages; queries in web-search syntax; excerpts escaped, then marked."""

import pytest

from app.i18n import french_spacing
from app.library.text import excerpt, fold, guess_language, key, keys, marked_spans, parse_query


@pytest.mark.parametrize("words", [
    ("réfugié", "réfugiés", "Réfugiée", "réfugiées", "REFUGIE"),
    ("migrant", "migrants", "migrante", "migrantes"),
    ("local", "locaux", "Locale"),
    ("national", "nationaux", "nationales"),
    ("nouveau", "nouveaux"),
    ("city", "cities"),
    ("policy", "policies"),
    ("service", "services"),
    ("refugee", "refugees"),
    ("accès", "acces", "Accès"),
])
def test_forms_of_a_word_share_a_key(words):
    assert len({key(word) for word in words}) == 1, {word: key(word) for word in words}


def test_common_words_of_both_languages_are_not_indexed():
    assert keys("Les réfugiés et the refugees of the city, l'accueil d'abord") == "refugi refug citi accueil abord"
    assert key("the") is None and key("les") is None and key("été") is None and key("l") is None


def test_folding_keeps_letters_and_drops_accents():
    assert fold("Œuvre à Séville, ÉTÉ") == "oeuvre a seville, ete"
    assert keys("10.7 SDG") == "10 7 sdg"


def test_query_syntax_follows_web_search_habits():
    query = parse_query('"one-stop shops" réfugiés -logement or voice')
    assert [[(term.keys, term.negated) for term in group] for group in query.groups] == [
        [(("one", "stop", "shop"), False), (("refugi",), False), (("logement",), True)],
        [(("voic",), False)],
    ]
    assert query.websearch() == '"one stop shop" refugi -logement or voic'
    assert query.fts5() == '("one stop shop" AND "refugi" NOT "logement") OR ("voic")'
    assert query.positive_keys == {"one", "stop", "shop", "refugi", "voic"}


def test_queries_of_common_words_or_exclusions_only_search_nothing():
    assert not parse_query("the and les")
    assert not parse_query("-refugees")
    assert not parse_query('""')
    assert not parse_query("or or")
    assert parse_query("réfugiés -logement")


def test_a_query_cannot_smuggle_fts_or_tsquery_syntax():
    query = parse_query('refugees" OR * NEAR(a b) : ( ) & ! | <->')
    assert query.fts5() == '("refug") OR ("near")'
    assert query.websearch() == "refug or near"


def test_excerpt_escapes_the_text_then_marks_the_matches():
    text = "<script>alert('réfugiés')</script> & Réfugiés <b>ici</b>"
    query = parse_query("réfugié")
    html = str(excerpt(text, marked_spans(text, query)))
    assert html == ("&lt;script&gt;alert(&#39;<mark>réfugiés</mark>&#39;)&lt;/script&gt; &amp; <mark>Réfugiés</mark> "
                    "&lt;b&gt;ici&lt;/b&gt;")


def test_a_long_text_is_cut_around_its_first_match():
    text = ("word " * 200) + "refugees here " + ("more " * 200)
    html = str(excerpt(text, marked_spans(text, parse_query("refugee")), length=100))
    assert html.startswith("…") and html.endswith("…") and "<mark>refugees</mark>" in html
    assert len(html) < 160


def test_french_spacing_and_language_guess():
    assert french_spacing("Qui : la ville ; « oui » ?") == "Qui\u00a0: la ville\u00a0; «\u00a0oui\u00a0»\u00a0?"
    assert guess_language("The city opened its shops in every district.") == "en"
    assert guess_language("La ville a ouvert ses guichets dans les quartiers.") == "fr"
    assert guess_language("Amman 2019") is None


def test_text_typed_in_the_other_language_is_marked_as_a_one_sided_translation_is(app):
    from flask_babel import force_locale

    typed = app.jinja_env.filters["typed"]
    with app.test_request_context("/"), force_locale("fr"):
        assert str(typed("Tram line 4 and on foot")) == (
            '<span lang="en">Tram line 4 and on foot</span> <small class="fallback">(en anglais uniquement)</small>')
        assert str(typed("À pied depuis la gare")) == "À pied depuis la gare"
    with app.test_request_context("/"), force_locale("en"):
        assert "(in French only)" in str(typed("À pied depuis la gare et dans le quartier"))
