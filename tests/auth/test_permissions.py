"""Every staff route against every kind of visitor. A new /manage route fails the first test until
it is added to the matrix below, so no staff page ships without its permission check tested."""

import pytest
from flask import url_for

from app.auth.models import Role
from app.events.models import EventState
from app.extensions import db
from app.mail.recipients import Recipient
from app.mail.services import queue_message
from app.registration import signup
from app.registration.models import Registration
from app.registration.signup import RegistrationInput

# endpoint → (method, who may use it)
STAFF = {"admin", "organiser", "other_organiser", "facilitator", "other_facilitator"}
MATRIX = {
    "manage.dashboard": ("GET", STAFF),
    "staff.overview_page": ("GET", {"admin", "organiser", "other_organiser"}),
    "auth.account": ("GET", STAFF),
    "auth.end_session": ("POST", STAFF),
    "auth.end_other_sessions": ("POST", STAFF),
    "manage.new_event": ("GET", {"admin", "organiser", "other_organiser"}),
    "manage.workspace": ("GET", {"admin", "organiser", "facilitator"}),
    "manage.edit_event": ("GET", {"admin", "organiser"}),
    "manage.change_state": ("POST", {"admin", "organiser"}),
    "manage.facilitators": ("GET", {"admin", "organiser"}),
    "manage.duplicate_event": ("GET", {"admin", "organiser"}),
    "manage.remove_facilitator": ("POST", {"admin", "organiser"}),
    "registration_manage.participants": ("GET", {"admin", "organiser"}),
    "registration_manage.export": ("GET", {"admin", "organiser"}),
    "registration_manage.export_xlsx": ("GET", {"admin", "organiser"}),
    "registration_manage.sign_in_sheet": ("GET", {"admin", "organiser"}),
    "registration_manage.badges": ("GET", {"admin", "organiser"}),
    "registration_manage.settings": ("GET", {"admin", "organiser"}),
    "registration_manage.check_in_list": ("GET", {"admin", "organiser"}),
    "registration_manage.detail": ("GET", {"admin", "organiser"}),
    "registration_manage.check_in": ("GET", {"admin", "organiser"}),
    "registration_manage.undo_check_in": ("POST", {"admin", "organiser"}),
    "registration_manage.approve": ("POST", {"admin", "organiser"}),
    "registration_manage.reject": ("GET", {"admin", "organiser"}),
    "registration_manage.restore": ("POST", {"admin", "organiser"}),
    "registration_manage.promote": ("POST", {"admin", "organiser"}),
    "registration_manage.new_link": ("POST", {"admin", "organiser"}),
    "registration_manage.erase": ("POST", {"admin", "organiser"}),
    "registration_manage.fill": ("POST", {"admin", "organiser"}),
    "background.edit": ("GET", {"admin", "organiser"}),
    "background.draft_pdf": ("GET", {"admin", "organiser"}),
    "agenda.manage": ("GET", {"admin", "organiser"}),
    "agenda.new_item": ("GET", {"admin", "organiser"}),
    "agenda.edit_item": ("GET", {"admin", "organiser"}),
    "agenda.remove_item": ("GET", {"admin", "organiser"}),
    "agenda.restore_item": ("POST", {"admin", "organiser"}),
    "agenda.move_item": ("POST", {"admin", "organiser"}),
    "agenda.start_from_template": ("POST", {"admin", "organiser"}),
    "field_visit_manage.index": ("GET", {"admin", "organiser"}),
    "field_visit_manage.new_visit": ("GET", {"admin", "organiser"}),
    "field_visit_manage.edit_visit": ("GET", {"admin", "organiser"}),
    "field_visit_manage.remove_visit": ("GET", {"admin", "organiser"}),
    "field_visit_manage.signup_state": ("POST", {"admin", "organiser"}),
    "field_visit_manage.people": ("GET", {"admin", "organiser"}),
    "field_visit_manage.export": ("GET", {"admin", "organiser"}),
    "field_visit_manage.check_in_list": ("GET", {"admin", "organiser"}),
    "field_visit_manage.check_in": ("POST", {"admin", "organiser"}),
    "field_visit_manage.undo_check_in": ("POST", {"admin", "organiser"}),
    "capture_manage.console": ("GET", {"admin", "organiser", "facilitator"}),
    "capture_manage.add": ("POST", {"admin", "organiser", "facilitator"}),
    "capture_manage.edit": ("GET", {"admin", "organiser", "facilitator"}),
    "capture_manage.history": ("GET", {"admin", "organiser", "facilitator"}),
    "capture_manage.restore": ("POST", {"admin", "organiser", "facilitator"}),
    "capture_manage.remove": ("POST", {"admin", "organiser", "facilitator"}),
    "capture_manage.final": ("POST", {"admin", "organiser"}),
    "capture_manage.merge": ("GET", {"admin", "organiser"}),
    "capture_manage.undo_merge": ("POST", {"admin", "organiser"}),
    "capture_manage.voting_settings": ("GET", {"admin", "organiser"}),
    "capture_manage.switch": ("POST", {"admin", "organiser"}),
    "capture_manage.export_csv": ("GET", {"admin", "organiser"}),
    "capture_manage.export_xlsx": ("GET", {"admin", "organiser"}),
    # Once an event is finished, every city's organisers record their own follow-up; this one is a draft.
    "capture_manage.follow_up": ("GET", {"admin", "organiser"}),
    "capture_manage.record_follow_up": ("POST", {"admin", "organiser"}),
    "learning_note_manage.edit": ("GET", {"admin", "organiser", "facilitator"}),
    "learning_note_manage.generate": ("POST", {"admin", "organiser", "facilitator"}),
    "learning_note_manage.preview": ("GET", {"admin", "organiser", "facilitator"}),
    "learning_note_manage.preview_file": ("GET", {"admin", "organiser", "facilitator"}),
    "learning_note_manage.publish": ("GET", {"admin", "organiser"}),
    # A city's follow-up from its page: that city's organisers (Lyon's here) and administrators.
    "library_manage.follow_up": ("GET", {"admin", "organiser"}),
    "library_manage.save_follow_up": ("POST", {"admin", "organiser"}),
    "outbox.index": ("GET", {"admin", "organiser"}),
    "outbox.preview": ("GET", {"admin", "organiser"}),
    "outbox.preview_html": ("GET", {"admin", "organiser"}),
    "outbox.resend": ("POST", {"admin", "organiser"}),
    "auth.users": ("GET", {"admin"}),
    "auth.new_user": ("GET", {"admin"}),
    "auth.edit_user": ("GET", {"admin"}),
    "auth.send_password_link": ("POST", {"admin"}),
}
PUBLIC_UNDER_MANAGE = {"auth.login", "auth.logout", "auth.forgot_password", "auth.set_password"}
VISITORS = ["anonymous", "admin", "organiser", "other_organiser", "facilitator", "other_facilitator", "disabled"]


def test_every_staff_route_is_in_the_matrix(app):
    staff_endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.rule.startswith("/manage")}
    assert staff_endpoints - PUBLIC_UNDER_MANAGE == set(MATRIX)


@pytest.fixture
def world(make):
    lyon = make.city("Lyon", "Europe/Paris", "FR")
    tunis = make.city("Tunis", "Africa/Tunis", "TN")
    event = make.event(lyon, EventState.DRAFT)
    people = {
        "admin": make.user(Role.ADMIN),
        "organiser": make.user(Role.ORGANISER, lyon),
        "other_organiser": make.user(Role.ORGANISER, tunis),
        "facilitator": make.user(Role.FACILITATOR),
        "other_facilitator": make.user(Role.FACILITATOR),
        "disabled": make.user(Role.ADMIN, active=False),
    }
    make.assign(event, people["facilitator"])
    signup.register(event, RegistrationInput(name="Ana", email="ana@example.org", consent_processing=True),
                      check_window=False)
    db.session.commit()
    people["item"] = make.agenda_item(event)
    message = queue_message("private_link_resent", Recipient("zoe@example.net", "Zoé", "fr"), event=event)
    db.session.commit()
    people["message_id"] = message.id
    people["visit"], people["signup"] = _field_visit(event)
    people["entry"] = _capture(event, people["admin"])
    return event, people


def _field_visit(event):
    """A visit of the event and Ana's sign-up for it, written straight to the tables."""
    from datetime import datetime, time, timedelta

    from app.field_visit.models import FieldVisit, SignupStatus, VisitSignup
    from app.timezones import local_to_utc

    day = event.start_date + timedelta(days=1)
    visit = FieldVisit(event_id=event.id, title_en="Visit", meeting_point="Place Bellecour", capacity=10,
                       meets_at=local_to_utc(datetime.combine(day, time(14)), event.timezone),
                       returns_at=local_to_utc(datetime.combine(day, time(17)), event.timezone))
    db.session.add(visit)
    db.session.flush()
    registration_id = db.session.scalar(db.select(Registration.id).where(Registration.event_id == event.id))
    signup = VisitSignup(visit_id=visit.id, registration_id=registration_id, status=SignupStatus.CONFIRMED)
    db.session.add(signup)
    db.session.commit()
    return visit.id, signup.id


def _capture(event, admin):
    """Two recommendations, the second merged into the first: the capture routes' ids."""
    from app.capture import curation, entries
    from app.capture.models import EntryKind

    first = entries.add_entry(admin, event, entries.EntryInput(EntryKind.RECOMMENDATION, text_en="One")).entry
    second = entries.add_entry(admin, event, entries.EntryInput(EntryKind.RECOMMENDATION, text_en="Two")).entry
    merge = curation.merge(admin, event, second, first.id)
    db.session.commit()
    return {"entry_id": first.id, "version": first.version, "merge_id": merge.id, "name": "results"}


def _url(app, endpoint: str, event, people) -> str:
    registration_id = db.session.scalar(db.select(Registration.id).where(Registration.event_id == event.id))
    values = {"slug": event.slug, "user_id": people["facilitator"].id, "registration_id": registration_id,
              "item_id": people["item"].id, "message_id": people["message_id"], "visit_id": people["visit"],
              "signup_id": people["signup"], "session_id": 1, "purpose": "reset", "token": "not-a-token",
              "fmt": "pdf", "city_slug": event.host_city.slug, "removed_id": 1, **people["entry"]}
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    with app.test_request_context():
        return url_for(endpoint, **{k: v for k, v in values.items() if k in rule.arguments})


@pytest.mark.parametrize("visitor", VISITORS)
@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_staff_route_permissions(app, client, make, world, endpoint, visitor):
    event, people = world
    method, allowed = MATRIX[endpoint]
    if visitor in people:
        make.login(client, people[visitor])
    url = _url(app, endpoint, event, people)
    response = client.open(url, method=method, data={"target": "open"} if method == "POST" else None)
    if visitor in ("anonymous", "disabled"):
        assert response.status_code == 302
        assert "/manage/login" in response.headers["Location"]
    elif visitor in allowed:
        # 422: let in, and the (empty) form sent refused next to its fields.
        assert response.status_code in (200, 302, 303, 409, 422), response.status_code
        if response.status_code == 302:
            assert "/manage/login" not in response.headers["Location"]
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("visitor", ["admin", "organiser", "anonymous"])
def test_no_staff_page_is_kept_in_any_cache(app, client, make, world, visitor):
    """Staff pages show participants' data: `Cache-Control: no-store` on every one of them, to those
    who may see them and to those sent away alike."""
    event, people = world
    if visitor in people:
        make.login(client, people[visitor])
    for endpoint in sorted(PUBLIC_UNDER_MANAGE | {e for e, (method, _who) in MATRIX.items() if method == "GET"}):
        if endpoint == "auth.logout":
            continue
        response = client.get(_url(app, endpoint, event, people))
        assert "no-store" in response.headers.get("Cache-Control", ""), (endpoint, response.status_code)


def test_public_pages_stay_cacheable_for_visitors_but_not_for_signed_in_staff(client, make, world):
    event, people = world
    event.state = EventState.OPEN
    db.session.commit()
    assert "no-store" not in client.get(f"/events/{event.slug}/").headers.get("Cache-Control", "")
    make.login(client, people["organiser"])
    assert "no-store" in client.get(f"/events/{event.slug}/").headers["Cache-Control"]


def test_forbidden_page_is_translated_and_has_no_details(client, make, world):
    event, people = world
    make.login(client, people["other_organiser"])
    response = client.get(f"/manage/events/{event.slug}/edit?lang=fr")
    assert response.status_code == 403
    assert "Accès non autorisé" in response.text
    assert "Traceback" not in response.text


def test_organiser_dashboard_lists_only_their_city_events(client, make, world):
    event, people = world
    other = make.event(make.city("Tunis"), EventState.OPEN, theme_en="Tunis only")
    make.login(client, people["organiser"])
    page = client.get("/manage/?lang=en").text
    assert event.theme_en in page and other.theme_en not in page


def test_facilitator_dashboard_lists_only_assigned_events(client, make, world):
    event, people = world
    make.event(make.city("Lyon"), EventState.OPEN, theme_en="Not assigned")
    make.login(client, people["facilitator"])
    page = client.get("/manage/?lang=en").text
    assert event.theme_en in page and "Not assigned" not in page
    assert "Create an event" not in page


def test_organiser_cannot_create_an_event_in_another_city(client, make, world):
    _event, people = world
    make.login(client, people["organiser"])
    tunis = make.city("Tunis")
    response = client.post("/manage/events/new?lang=en", data={
        "theme_en": "Elsewhere", "host_city_id": tunis.id, "start_date": "2030-05-01",
        "end_date": "2030-05-02", "format": "in_person",
    })
    assert response.status_code == 422
    assert "You can create events for your own city only." in response.text
