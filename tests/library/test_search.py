"""Search and every filter, on SQLite and on PostgreSQL (run this file with TEST_DATABASE_URL too):
the expected results are written once and must come out the same on both databases."""

import pytest

from app.events.services import slugify
from app.library import index
from app.library.search import Filters, backend, search
from app.library.text import parse_query


def _found(network, query="", lang="en", per_page=50, **filters) -> set[str]:
    results = search(parse_query(query), Filters(**filters), per_page=per_page, lang=lang)
    names = {entry.id: name for name, entry in network.recommendations.items()}
    names.update({entry.id: f"other:{name}" for name, entry in network.others.items()})
    return {names.get(hit.document.detail.get("entry_id"), hit.document.key) for hit in results.hits}


SEARCHES = [
    # French plurals, feminine and accents, found alike whatever is typed.
    ("réfugié", {"shops", "rights"}),
    ("réfugiés", {"shops", "rights"}),
    ("REFUGIEE", {"shops", "rights"}),
    ("refugiees", {"shops", "rights"}),
    ("locaux", {"rights"}),
    ("local", {"rights"}),
    ("accès", {"rights"}),
    ("acces", {"rights"}),
    ("interculturelle", {"training"}),
    ("nationales", {"voice"}),
    # English plurals.
    ("cities", {"voice"}),
    ("city", {"voice"}),
    ("policy", {"voice", "rents"}),
    ("policies", {"voice", "rents"}),
    ("shop", {"shops"}),
    # Both languages at once: a word of each side.
    ("mediation", {"training"}),
    ("médiation", {"training"}),
    # Phrases, choices, exclusions.
    ('"one-stop shops"', {"shops"}),
    ('"guichets uniques"', {"shops"}),
    ('"uniques guichets"', set()),
    ("guichets or voix", {"shops", "voice"}),
    ("réfugiés -quartier", {"rights"}),
    ("réfugiés quartier", {"shops"}),
    # Every word on one side.
    ("guichets voix", set()),
    # Not final, or in a draft event: never in the library.
    ("rental", set()),
    ("brouillon", set()),
]


@pytest.mark.parametrize("query,expected", SEARCHES)
def test_search_finds_the_same_documents_on_both_databases(indexed, query, expected):
    assert _found(indexed, query) == expected


def test_only_common_words_list_everything(indexed):
    assert _found(indexed, "les de the") == set(indexed.recommendations)


@pytest.mark.parametrize("filters,expected", [
    ({}, {"shops", "training", "voice", "rights", "rents"}),
    ({"kind": "recommendation"}, {"shops", "training", "voice", "rights", "rents"}),
    ({"kind": "note"}, set()),
    ({"theme": slugify("Inter-institutional coordination")}, {"shops", "training"}),
    ({"city": "tunis"}, {"voice", "rights"}),
    ({"area": "welcome"}, {"shops", "rights"}),
    ({"sdg": "16"}, {"training", "voice"}),
    ({"sdg": "10"}, {"shops", "voice"}),
    ({"sdg": "10.7"}, {"shops"}),
    ({"year": "2019"}, {"rents"}),
    ({"actor": "national"}, {"training", "voice"}),
    ({"status": "none"}, {"training", "rents"}),
    ({"status": "done"}, {"shops"}),
    ({"status": "planned"}, {"shops"}),
    ({"status": "in_progress"}, {"voice"}),
    ({"status": "dropped"}, {"rights"}),
    ({"city": "lyon", "area": "welcome", "sdg": "10", "year": "2017", "actor": "local", "status": "done"},
     {"shops"}),
    ({"city": "lyon", "year": "2019"}, set()),
])
def test_every_filter_on_both_databases(indexed, filters, expected):
    assert _found(indexed, **filters) == expected


def test_a_search_and_filters_together(indexed):
    assert _found(indexed, "réfugié", city="tunis") == {"rights"}
    assert _found(indexed, "réfugié", status="done") == {"shops"}


def test_filters_from_the_query_string_are_checked():
    filters = Filters.from_args({"sdg": "SDG 16.6", "year": "17' OR 1=1", "city": "x" * 500, "nothing": "1"})
    assert filters.sdg == "16.6" and filters.year == "" and len(filters.city) == 120
    assert Filters.from_args({"sdg": "99"}).sdg == ""


def test_results_are_paged_and_counted_with_their_filter_values(indexed):
    first = search(parse_query(""), Filters(), page=1, per_page=2)
    second = search(parse_query(""), Filters(), page=2, per_page=2)
    last = search(parse_query(""), Filters(), page=99, per_page=2)
    assert (first.total, first.pages, len(first.hits), len(second.hits)) == (5, 3, 2, 2)
    assert (last.page, len(last.hits)) == (3, 1)
    keys = [hit.document.key for page in (first, second, last) for hit in page.hits]
    assert len(set(keys)) == 5
    # Without a search: the latest published first.
    assert [hit.document.published_at for hit in first.hits] == sorted(
        [hit.document.published_at for hit in first.hits], reverse=True)
    counted = search(parse_query("réfugié"), Filters())
    assert counted.by_kind == {"recommendation": 2}
    assert counted.facet_counts["city"] == {"lyon": 1, "tunis": 1}
    assert counted.facet_counts["status"] == {"done": 1, "planned": 1, "dropped": 1}
    assert counted.facet_counts["goal"] == {"10": 1, "1": 1}


def test_matches_are_highlighted_in_the_viewers_language_and_escaped(indexed):
    french = search(parse_query("réfugié"), Filters(city="lyon"), lang="fr").hits[0]
    assert french.excerpt_lang == "fr" and "<mark>réfugiés</mark>" in str(french.excerpt)
    # A French-only recommendation shown to an English reader: in French, marked as such.
    only_french = search(parse_query("réfugié"), Filters(city="tunis"), lang="en").hits[0]
    assert only_french.excerpt_lang == "fr" and "<mark>réfugiée</mark>" in str(only_french.excerpt)
    english = search(parse_query("one-stop shops"), Filters(), lang="en").hits[0]
    assert "<mark>one</mark>-<mark>stop</mark> <mark>shops</mark>" in str(english.excerpt)


def test_hostile_text_is_escaped_before_it_is_marked(indexed, app):
    from app.capture import curation, entries
    from app.capture.entries import EntryInput
    from app.capture.models import EntryKind
    from app.extensions import db

    event = indexed.events["amman"]
    added = entries.add_entry(indexed.admin, event, EntryInput(
        EntryKind.RECOMMENDATION, text_en='<img src=x onerror="alert(1)"> Hostile <b>markup</b> & refugee camps')).entry
    curation.set_final(indexed.admin, event, added, True)
    db.session.commit()
    index.refresh()
    hit = search(parse_query("hostile camps"), Filters(), lang="en").hits[0]
    html = str(hit.excerpt)
    assert "<img" not in html and "<b>" not in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt; <mark>Hostile</mark> &lt;b&gt;markup&lt;/b&gt; &amp;" in html
    assert "<mark>camps</mark>" in html


def test_a_title_match_ranks_above_a_text_match(indexed, note_source):
    note_source.publish("lyon", title_en="Refugees and their reception", text_en="A note on reception.")
    note_source.publish("tunis", title_en="Communication", text_en="Cities told the story of refugees once.")
    index.refresh()
    results = search(parse_query("refugees"), Filters(kind="note"))
    assert [hit.document.key for hit in results.hits] == ["note-lyon", "note-tunis"]
    assert results.hits[0].rank > results.hits[1].rank
    assert "<mark>Refugees</mark>" in str(results.hits[0].title)


@pytest.mark.postgres
def test_postgresql_finds_at_least_what_sqlite_finds_through_its_stemmers(indexed):
    """PostgreSQL's Snowball stemmers join words the small stemmer keeps apart: a search there can
    only find more. Here "coordinating" finds "coordination", and the English "refugees" finds a
    recommendation written in French only (the French stemmer reads "refug" as "réfugié")."""
    assert backend().name == "postgresql"
    assert _found(indexed, "mediating") == {"training"}
    assert _found(indexed, "refugees") == {"shops", "rights"}
    hit = search(parse_query("mediating"), Filters(), lang="en").hits[0]
    assert "<mark>mediation</mark>" in str(hit.excerpt)


def test_sqlite_keeps_to_the_small_stemmer(indexed):
    if backend().name != "sqlite":
        pytest.skip("SQLite's behaviour")
    assert _found(indexed, "mediating") == set()
    assert _found(indexed, "refugees") == {"shops"}
