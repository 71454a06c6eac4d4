"""`flask seed-demo` gives the library something real: the sixteen past events with their policy
areas, Lyon 2017's final recommendations and follow-up, and the figures they make."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.events.models import Event, EventState
from app.extensions import db


def test_seed_demo_fills_the_library(runner, client):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "past events' policy areas: 16 new" in first.output
    past = list(db.session.scalars(select(Event).options(selectinload(Event.policy_areas))
                                   .where(Event.state == EventState.FINISHED)))
    assert len(past) == 16 and all(event.policy_areas for event in past)
    again = runner.invoke(args=["seed-demo"])
    assert "past events' policy areas" not in again.output and again.output.count("Turin capture entries: 0 new.") == 1

    page = client.get("/library?lang=en").text
    assert "7 documents in the library." in page  # Lyon's six final recommendations and its note
    assert 'class="hit hit-learning_note"' in page and '/learning-note">' in page
    assert "Create a permanent coordination body" in page
    assert "<dd>16</dd>" in page  # events held
    french = client.get("/library?q=guichets+uniques&lang=fr").text
    assert "<mark>guichets</mark> <mark>uniques</mark>" in french
    lyon = client.get("/cities/lyon?lang=en").text
    assert "Inter-institutional coordination" in lyon and "One-stop shops for social services" in lyon
    assert "In progress" in lyon and "Friday, March 15, 2019" in lyon  # its follow-up, dated
    amman = client.get("/cities/amman?lang=fr").text
    assert "Prévu" in amman and "Lyon" in amman
    figures = client.get("/library/figures?lang=en").text
    assert "Institutional coordination" in figures and "Peace, justice and strong institutions" in figures
