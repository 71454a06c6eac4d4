"""The one way a route acts (app/actions.py): what a refused action wrote is rolled back before
anything else reads the database (the form page drawn again, the JSON answer); what a done action
wrote is committed. Through the helpers themselves, on the real database: a service that writes,
flushes and then refuses, as many do when a later rule fails."""

import json

from app.actions import run_action, run_json_action
from app.domain import DomainError
from app.events.models import City
from app.extensions import db


def _rename(city_id: int, refuse: bool) -> City:
    city = db.session.get(City, city_id)
    city.name_fr = "Renommée"
    db.session.flush()
    if refuse:
        raise DomainError("Refused after a write.")
    return city


def _name_now(city_id: int) -> str:
    return db.session.execute(db.select(City.name_fr).where(City.id == city_id)).scalar_one()


def test_a_refused_action_is_rolled_back_before_its_page_is_drawn_again(app, make):
    city_id = make.city("Lyon").id
    seen = []

    def page_again():
        seen.append(_name_now(city_id))
        return "the form page", 422

    with app.test_request_context("/", method="POST"):
        answer = run_action(lambda: _rename(city_id, refuse=True), success="Saved.", redirect_to="/",
                            on_error=page_again)
    assert answer == ("the form page", 422)
    assert seen == ["Lyon"], "the page drawn again showed what the refused action wrote"


def test_a_refused_action_of_a_script_is_rolled_back_before_it_answers(app, make):
    city_id = make.city("Lyon").id
    with app.test_request_context("/", method="POST"):
        response, status = run_json_action(lambda: _rename(city_id, refuse=True), answer=lambda city: {})
        assert status == 422
        assert json.loads(response.get_data())["error"] == "Refused after a write."
        assert _name_now(city_id) == "Lyon"


def test_a_done_action_is_committed(app, make):
    city_id = make.city("Lyon").id
    with app.test_request_context("/", method="POST"):
        response = run_action(lambda: _rename(city_id, refuse=False), success="Saved.", redirect_to="/next")
        assert response.status_code == 302 and response.location == "/next"
    db.session.rollback()
    assert _name_now(city_id) == "Renommée"
