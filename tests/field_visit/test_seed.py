"""Demo data: the Turin demo event's visit (three stops, a few sign-ups, in its agenda slot), the
Guillotière visit of the network's launch workshop in Lyon, 2016, and the study visit of Lyon, 2017."""

import html
from datetime import date

from sqlalchemy import select

from app.events.models import Event
from app.events.seed import DEMO_SLUG
from app.extensions import db
from app.field_visit.models import FieldVisit, SignupStatus, VisitSignup
from tests.ical_check import assert_check_ics


def test_seed_demo_adds_the_turin_visit_the_guillotiere_of_2016_and_the_one_stop_shop_of_2017(
        app, runner, client, tmp_path):
    app.config["DEMO_ACCOUNTS"], saved = True, app.config.get("DEMO_ACCOUNTS")
    try:
        first = runner.invoke(args=["seed-demo"])
        assert first.exit_code == 0, first.output
        assert "field visits: 3 new" in first.output
        again = runner.invoke(args=["seed-demo"])
        assert "field visits: 0 new" in again.output
    finally:
        app.config["DEMO_ACCOUNTS"] = saved
    demo = db.session.scalar(select(Event).where(Event.slug == DEMO_SLUG))
    visit = db.session.scalars(select(FieldVisit).where(FieldVisit.event_id == demo.id)).one()
    assert len(visit.stops) == 3 and visit.agenda_item_id is not None
    going = db.session.scalars(select(VisitSignup).where(VisitSignup.visit_id == visit.id,
                                                         VisitSignup.status == SignupStatus.CONFIRMED)).all()
    assert len(going) == 3
    page = client.get(f"/events/{DEMO_SLUG}/field-visit?lang=en").text
    assert "Via Arquata social housing estate" in page and "Places left: 9" in page
    agenda = client.get(f"/events/{DEMO_SLUG}/agenda?lang=fr").text
    assert "Logement social et intermédiation locative à Turin" in agenda
    path = tmp_path / "demo.ics"
    path.write_bytes(client.get(f"/events/{DEMO_SLUG}/calendar.ics").data)
    assert_check_ics(path)

    lyon_2016 = db.session.scalar(select(Event).where(Event.start_date == date(2016, 3, 9)))
    guillotiere = db.session.scalars(select(FieldVisit).where(FieldVisit.event_id == lyon_2016.id)).one()
    assert [s.shown_fr for s in guillotiere.stops][:2] == [
        "Soutien scolaire pour les jeunes qui ne parlent pas français", "Cours de français"]
    page = client.get(f"/events/{lyon_2016.slug}/field-visit?lang=fr").text
    assert "Le quartier de la Guillotière et ses associations" in page and "Un écrivain public" in page
    # Each stop is a place, with what is shown there: no English heading on the French page, and
    # no line twice on the English one.
    assert all(s.place and s.place not in (s.shown_en, s.shown_fr) for s in guillotiere.stops)
    assert "A public letter-writer" not in page and "French courses" not in page
    english = client.get(f"/events/{lyon_2016.slug}/field-visit?lang=en").text
    assert english.count("A public letter-writer") == 1 and english.count("Cours de français") == 0
    assert "Maison des associations de la Guillotière" in english

    lyon_2017 = db.session.scalar(select(Event).where(Event.start_date == date(2017, 12, 12)))
    one_stop_shop = db.session.scalars(select(FieldVisit).where(FieldVisit.event_id == lyon_2017.id)).one()
    assert "CCAS" in one_stop_shop.host_organisations and len(one_stop_shop.stops) == 2
    assert [s.at for s in one_stop_shop.stops] == sorted(s.at for s in one_stop_shop.stops)
    assert one_stop_shop.meets_at < one_stop_shop.stops[0].at and one_stop_shop.returns_at > one_stop_shop.stops[-1].at
    english = client.get(f"/events/{lyon_2017.slug}/field-visit?lang=en").text
    assert "the Maisons de la Métropole des Solidarités and the CCAS" in english
    assert "This visit took place on Tuesday" in english
    french = html.unescape(client.get(f"/events/{lyon_2017.slug}/field-visit?lang=fr").text)
    assert "Visite d'étude du futur guichet unique des services sociaux" in french
    assert "L'accueil unique\u00a0: un nouvel arrivant est reçu une seule fois" in french
    # Who receives the group is one text for both pages: it must read in French too.
    assert "Accueil par Karim Haddad, CCAS de Lyon" in french and "The CCAS" not in french
    turin = html.unescape(client.get(f"/events/{DEMO_SLUG}/field-visit?lang=fr").text)
    assert "Accueil par The" not in turin and "Accueil par Giulia Rossi" in turin
