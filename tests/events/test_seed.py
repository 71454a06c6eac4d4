import csv
from pathlib import Path

from sqlalchemy import func, select

from app.auth.models import User
from app.events.models import City, Event, EventState, PolicyArea
from app.events.seed import DATA_DIR, DEMO_PASSWORDS, DEMO_SLUG
from app.extensions import db

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"


def _counts():
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (City, PolicyArea, Event, User)}


def _rows(name):
    with open(DATA_DIR / name, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_seed_loads_the_reference_data_and_is_idempotent(runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    counts = _counts()
    assert counts == {"City": len(_rows("cities.csv")), "PolicyArea": len(_rows("policy_areas.csv")),
                      "Event": len(_rows("events.csv")) + 1, "User": 3}
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0
    assert "0 new" in second.output
    assert _counts() == counts


def test_seeded_history_is_finished_and_keeps_month_only_dates(runner):
    runner.invoke(args=["seed-demo"])
    grenoble = db.session.scalar(select(Event).join(City).where(City.name_en == "Grenoble"))
    assert grenoble.theme_fr == "Citoyenneté urbaine" and grenoble.month_only
    assert grenoble.state is EventState.FINISHED
    lyon_2017 = db.session.scalar(select(Event).where(Event.theme_en.like("Inter-institutional%")))
    assert (lyon_2017.start_date.isoformat(), lyon_2017.end_date.isoformat()) == ("2017-12-12", "2017-12-13")
    assert not lyon_2017.month_only
    slugs = list(db.session.scalars(select(Event.slug)))
    assert len(slugs) == len(set(slugs))


def test_demo_event_is_upcoming_open_and_complete(runner, client):
    result = runner.invoke(args=["seed-demo"])
    for email, password in DEMO_PASSWORDS.items():
        assert email in result.output and password in result.output
    demo = db.session.scalar(select(Event).where(Event.slug == DEMO_SLUG))
    assert demo.state is EventState.OPEN
    assert demo.theme_en and demo.theme_fr and demo.summary_en and demo.summary_fr
    assert demo.registration_opens_at < demo.registration_closes_at
    assert client.get(f"/events/{DEMO_SLUG}/").status_code == 200
    upcoming = client.get("/?lang=en").text.split('id="past-heading"')[0]
    assert demo.theme_en in upcoming
    response = client.post("/manage/login", data={"email": "organiser.turin@example.org",
                                                   "password": DEMO_PASSWORDS["organiser.turin@example.org"]})
    assert response.status_code == 302


def test_the_app_ships_its_own_copy_of_the_reference_data():
    assert DATA_DIR.is_relative_to(Path(__file__).resolve().parents[2] / "app")
    if SHARED_DATA.exists():
        for name in ("cities.csv", "events.csv", "policy_areas.csv"):
            assert (DATA_DIR / name).read_text(encoding="utf-8") == (SHARED_DATA / name).read_text(encoding="utf-8")


def test_seed_without_demo_accounts_in_production_like_settings(app, runner):
    app.config["DEMO_ACCOUNTS"] = False
    try:
        result = runner.invoke(args=["seed-demo"])
    finally:
        app.config["DEMO_ACCOUNTS"] = True
    assert result.exit_code == 0
    assert "demo-admin" not in result.output
    assert _counts()["User"] == 0


def test_demo_event_has_a_few_participants_and_room_left(runner, client):
    from app.registration.models import Registration, RegistrationStatus

    runner.invoke(args=["seed-demo"])
    runner.invoke(args=["seed-demo"])
    demo = db.session.scalar(select(Event).where(Event.slug == DEMO_SLUG))
    registrations = db.session.scalars(select(Registration).where(Registration.event_id == demo.id)).all()
    assert 3 <= len(registrations) < demo.capacity == 40
    assert {r.status for r in registrations} == {RegistrationStatus.CONFIRMED}
    response = client.post(f"/events/{DEMO_SLUG}/register", data={
        "name": "New Person", "email": "new.person@example.org", "preferred_language": "en",
        "attendance": "in_person", "consent_processing": "y"})
    assert response.status_code == 302
    newcomer = db.session.scalar(select(Registration).where(Registration.email == "new.person@example.org"))
    assert newcomer.status is RegistrationStatus.CONFIRMED
