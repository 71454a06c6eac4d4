"""The library's pages: public reads in both languages, the search form and its paging, city and
SDG pages, the Atom feed, and a city's follow-up kept current from its page by its organisers."""

from datetime import date
from xml.etree import ElementTree as ET

import pytest

from app.auth.models import Role
from app.capture import entries
from app.capture.entries import EntryInput
from app.capture.models import EntryKind, FollowUp
from app.extensions import db

PUBLIC = ["/library", "/library?q=r%C3%A9fugi%C3%A9", "/library?city=tunis&status=dropped", "/library/figures",
          "/library/sdgs", "/library/sdgs/16", "/library/sdgs/10.7", "/cities", "/cities/lyon", "/cities/amman"]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_public_pages_answer_anyone(client, indexed, lang):
    for path in PUBLIC:
        response = client.get(f"{path}{'&' if '?' in path else '?'}lang={lang}")
        assert response.status_code == 200, path
        assert f'<html lang="{lang}">' in response.text
    assert client.get("/cities/nowhere").status_code == 404
    assert client.get("/library/sdgs/18").status_code == 404
    assert client.get("/library/sdgs/10.99").status_code == 404


def test_the_library_page_searches_filters_and_pages(client, indexed):
    page = client.get("/library?q=r%C3%A9fugi%C3%A9&lang=fr").text
    assert "2 documents trouvés." in page
    assert "<mark>réfugiés</mark>" in page and "<mark>réfugiée</mark>" in page
    # The filters offer every value of the index, with how many of the results have it.
    assert '<option value="tunis">Tunis (1)</option>' in page
    assert '<option value="amman">Amman (0)</option>' in page
    assert '<option value="dropped">Abandonné (1)</option>' in page
    # Exports of what was found.
    assert "/library/recommendations.csv?q=r%C3%A9fugi%C3%A9" in page
    english = client.get("/library?status=dropped&lang=en").text
    assert "1 document found." in english and '<option value="dropped" selected>' in english
    # A French-only recommendation to an English reader: marked as French.
    assert 'lang="fr"' in english and "(in French only)" in english


def test_paging_keeps_the_search_and_filters(client, indexed, app):
    from app.library import search as library_search

    app.config["PAGE_CACHE"] = False
    library_search.PER_PAGE, saved = 2, library_search.PER_PAGE
    try:
        page = client.get("/library?kind=recommendation&lang=en").text
        assert "Showing 1 to 2." in page
        assert 'href="/library?page=2&amp;kind=recommendation" rel="next"' in page
        third = client.get("/library?kind=recommendation&page=3&lang=en").text
        assert "Showing 5 to 5." in third and 'rel="prev"' in third and 'rel="next"' not in third
    finally:
        library_search.PER_PAGE = saved
        app.config["PAGE_CACHE"] = True


def test_browsing_shows_the_key_figures(client, indexed):
    page = client.get("/library?lang=en").text
    assert "The network in figures" in page and "5 documents in the library." in page
    assert "The network in figures" not in client.get("/library?q=city&lang=en").text


def test_a_city_page_gathers_what_it_hosted_presented_recommended_and_took_up(client, indexed, make):
    network = indexed
    lyon, tunis = network.cities["Lyon"], network.cities["Tunis"]
    entries.add_entry(network.admin, network.events["tunis"], EntryInput(
        EntryKind.CASE, title_en="The Lyon one-stop shop", title_fr="Le guichet unique lyonnais",
        text_en="How the metropolis joined its services.", city_id=lyon.id, organisation="Métropole de Lyon"))
    db.session.commit()
    make.registration(network.events["amman"], city="lyon", organisation="Ville de Lyon")
    page = client.get("/cities/lyon?lang=en").text
    assert "Inter-institutional coordination" in page  # hosted
    assert "The Lyon one-stop shop" in page and "Communication on migration" in page  # presented, at Tunis
    assert "Open one-stop shops for refugees in every district." in page  # from its events
    assert "Train front-line staff in intercultural mediation." in page
    assert "Urban planning and housing" in page  # attended (a participant from Lyon)
    assert "Not public yet" not in page  # its draft event
    # What it took up, with its status and dated note.
    taken = page.split('id="taken-up"')[1]
    assert "Done" in taken and "Wednesday, May 1, 2019" in taken and "Noted by Lyon." in taken
    assert "Update this follow-up" not in page  # not for visitors
    tunis_page = client.get("/cities/tunis?lang=fr").text
    assert "Abandonné" in tunis_page and "Prévu" in tunis_page
    assert tunis.slug == "tunis"


def test_sdg_pages_list_what_is_tagged_and_what_cities_made_of_it(client, indexed):
    goal = client.get("/library/sdgs/10?lang=en").text
    assert "Open one-stop shops for refugees" in goal and "Give cities a voice" in goal
    assert "Target 10.7" not in goal or "10.7" in goal
    assert "Noted by Tunis." in goal and "Noted by Amman." in goal  # city actions on them
    target = client.get("/library/sdgs/10.7?lang=en").text
    assert "Open one-stop shops" in target and "Give cities a voice" not in target
    index_page = client.get("/library/sdgs?lang=en").text
    assert 'href="/library/sdgs/10.7"' in index_page


def test_atom_feed_of_published_notes(client, indexed, note_source, app):
    empty = client.get("/library/notes.atom")
    assert empty.status_code == 200 and empty.mimetype == "application/atom+xml"
    feed = ET.fromstring(empty.data)  # noqa: S314 (our own feed)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert feed.findall("a:entry", ns) == [] and feed.find("a:updated", ns).text
    note_source.publish("lyon", title_en="What Lyon learned", title_fr="Ce que Lyon a appris",
                        text_en="Coordination <b>first</b>.", text_fr="La coordination d'abord.")
    note_source.publish("tunis", title_en="What Tunis learned", text_en="Communication.")
    feed = ET.fromstring(client.get("/library/notes.atom?lang=fr").data)  # noqa: S314 (our own feed)
    titles = [entry.find("a:title", ns).text for entry in feed.findall("a:entry", ns)]
    assert titles == ["What Tunis learned", "Ce que Lyon a appris"]  # the latest first; a fallback otherwise
    link = feed.find("a:entry/a:link", ns).get("href")
    assert link.startswith(app.config["PUBLIC_URL"].rstrip("/") + "/events/")
    summary = feed.findall("a:entry/a:summary", ns)[1]
    assert summary.get("type") == "text" and summary.text == "La coordination d'abord."
    assert b'href="/library/notes.atom"' in client.get("/library?lang=en").data


# --- A city's follow-up from its page ----------------------------------------------------------------


def _url(network, city="Lyon", recommendation="training"):
    return f"/manage/cities/{network.cities[city].slug}/follow-up/{network.recommendations[recommendation].id}"


def test_a_citys_organiser_keeps_its_follow_up_current(client, indexed, make):
    network = indexed
    make.login(client, network.organisers["Lyon"])
    page = client.get("/cities/lyon?lang=en").text
    assert "Update this follow-up" in page and _url(network) in page  # from its page
    form = client.get(_url(network) + "?lang=en")
    assert form.status_code == 200 and "Train front-line staff" in form.text
    response = client.post(_url(network), data={"status": "in_progress", "noted_on": "2020-02-03",
                                                 "note": "Two sessions held ; more planned.", "action_url": ""})
    assert response.status_code == 302 and response.headers["Location"].endswith("/cities/lyon#taken-up")
    follow_up = db.session.scalar(db.select(FollowUp).where(
        FollowUp.recommendation_id == network.recommendations["training"].id))
    assert (follow_up.city_id, follow_up.status.value, follow_up.noted_on) == (
        network.cities["Lyon"].id, "in_progress", date(2020, 2, 3))
    client.post("/manage/logout")
    public = client.get("/cities/lyon?lang=fr").text
    assert "Two sessions held" in public and "lundi 3 février 2020" in public and "En cours" in public
    assert "Update this follow-up" not in public
    # Its library line says so too, once the index follows.
    assert "Two sessions held" in client.get("/library?status=in_progress&lang=en").text


def test_an_organiser_records_a_follow_up_of_another_citys_recommendation_for_their_own(client, indexed, make):
    network = indexed
    make.login(client, network.organisers["Amman"])
    library = client.get("/library?city=lyon&lang=en").text
    assert "Record what Amman made of it" in library
    assert client.get(_url(network, "Amman", "shops")).status_code == 200
    response = client.post(_url(network, "Amman", "shops"), data={"status": "planned", "note": "Budget asked."})
    assert response.status_code == 302
    assert "Budget asked." in client.get("/cities/amman?lang=en").text


@pytest.mark.parametrize("who,expected", [("anonymous", 302), ("Tunis", 403), ("facilitator", 403),
                                          ("admin", 302), ("Lyon", 302)])
def test_only_the_citys_organisers_and_administrators_write_its_follow_up(client, indexed, make, who, expected):
    network = indexed
    people = {"admin": network.admin, "facilitator": make.user(Role.FACILITATOR), **network.organisers}
    if who != "anonymous":
        make.login(client, people[who])
    response = client.post(_url(network), data={"status": "done", "note": "Done."})
    assert response.status_code == expected
    if who == "anonymous":
        assert "/manage/login" in response.headers["Location"]
    saved = db.session.scalar(db.select(FollowUp).where(
        FollowUp.recommendation_id == network.recommendations["training"].id))
    assert (saved is not None) == (who in ("admin", "Lyon"))


def test_refusals_are_shown_in_place(client, indexed, make):
    network = indexed
    make.login(client, network.organisers["Lyon"])
    response = client.post(_url(network) + "?lang=en", data={"status": "", "note": "x"})
    assert response.status_code == 422 and "Choose what came of it." in response.text
    response = client.post(_url(network) + "?lang=en", data={"status": "done", "action_url": "javascript:alert(1)"})
    assert response.status_code == 422
    not_final = network.others["not_final"]
    page = client.get(f"/manage/cities/lyon/follow-up/{not_final.id}?lang=en")
    assert page.status_code == 200 and "final recommendations of finished events only" in page.text
    refused = client.post(f"/manage/cities/lyon/follow-up/{not_final.id}?lang=en", data={"status": "done"})
    assert refused.status_code == 422 and "final recommendations only" in refused.text
    # A draft event of another city is not even shown.
    client.post("/manage/logout")
    make.login(client, network.organisers["Tunis"])
    draft = network.others["draft"]
    assert client.get(f"/manage/cities/tunis/follow-up/{draft.id}").status_code == 404


def test_public_pages_are_cached_until_the_network_changes(client, indexed, count_queries):
    network = indexed
    first = client.get("/cities/lyon?lang=en")
    with count_queries() as statements:
        again = client.get("/cities/lyon?lang=en")
    assert again.data == first.data and len(statements) == 1
    from app.capture import curation
    from app.capture.models import FollowUpStatus

    curation.record_follow_up(network.admin, network.events["lyon"], network.recommendations["training"],
                              curation.FollowUpInput(city_id=network.cities["Lyon"].id, status=FollowUpStatus.DONE,
                                                     note="Changed since."))
    db.session.commit()
    assert "Changed since." in client.get("/cities/lyon?lang=en").text


def test_a_city_page_shows_the_latest_of_each_list_and_offers_the_rest(client, indexed, monkeypatch):
    from app.library import queries

    monkeypatch.setattr(queries, "CITY_LIST", 1)
    page = client.get("/cities/lyon?lang=en").text
    assert "2 recommendations from its events" in page
    assert 'href="/cities/lyon?all=1#recommendations">Show all 2</a>' in page
    shown = page.split('id="recommendations"')[1].split('id="taken-up"')[0]
    assert ("Train front-line staff" in shown) != ("Open one-stop shops for refugees" in shown)
    everything = client.get("/cities/lyon?all=1&lang=en").text
    assert "Train front-line staff" in everything and "Open one-stop shops for refugees" in everything
    assert "Show all" not in everything
