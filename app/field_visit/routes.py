"""The field visit's pages: the public page and the group's handout (blueprint `field_visit`), what a
participant does from `/r/<token>`, and the organisers' pages (blueprint `field_visit_manage`, under
/manage/events/<slug>/field-visit). Views are thin: parse, call one service, `run_action`."""

import csv
import io

from flask import Blueprint, Response, abort, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.actions import check_rules_too, run_action
from app.agenda.labels import KIND_LABELS
from app.agenda.queries import items_of
from app.auth.permissions import can_view_workspace, staff_required
from app.db_types import utcnow
from app.events.access import managed_event, public_event
from app.events.models import Event
from app.field_visit import queries, services, signups
from app.field_visit.forms import ActionForm, VisitForm, language_name
from app.field_visit.labels import SIGNUP_LABELS
from app.field_visit.models import ACTIVE_SIGNUP, FieldVisit, SignupStatus
from app.forms import search_text
from app.i18n import localized
from app.links import map_link
from app.page_cache import cached_page
from app.registration.queries import checks_in, participant_from_token
from app.registration.tokens import private_page
from app.timezones import utc_to_local

bp = Blueprint("field_visit", __name__)
manage_bp = Blueprint("field_visit_manage", __name__, url_prefix="/manage/events/<slug>/field-visit")


@bp.app_context_processor
def field_visit_helpers():
    return {"language_name": language_name, "map_link": map_link, "SignupStatus": SignupStatus,
            "SIGNUP_LABELS": SIGNUP_LABELS, "visit_day": visit_day}


def visit_day(visit: FieldVisit):
    return utc_to_local(visit.meets_at, visit.event.timezone).date()


def _visit_or_404(event: Event, visit_id: int) -> FieldVisit:
    visit = queries.visit_of(event, visit_id)
    if visit is None:
        abort(404)
    return visit


# --- Public pages ------------------------------------------------------------------------------


@bp.get("/events/<slug>/field-visit")
@cached_page(queries.page_fingerprint)
def show(slug: str):
    event = public_event(slug)
    return render_template("field_visit/show.html", event=event, views=queries.visit_views(event), now=utcnow())


@bp.get("/events/<slug>/field-visit/<int:visit_id>/handout")
def handout(slug: str, visit_id: int):
    """One page for the group, to print: when and where to meet, the stops in order, the return.
    The contact person on the day is printed only for the event's staff, who hand it out."""
    event = public_event(slug)
    visit = _visit_or_404(event, visit_id)
    with_contact = current_user.is_authenticated and can_view_workspace(current_user, event)
    response = make_response(render_template("field_visit/handout.html", event=event, visit=visit,
                                              with_contact=with_contact))
    if with_contact:
        response.cache_control.private = True
        response.cache_control.no_store = True
    return response


# --- From the participant's page ------------------------------------------------------------


def _participant_action(token: str, visit_id: int, action, success: str):
    registration = participant_from_token(token)
    visit = _visit_or_404(registration.event, visit_id)
    back = url_for("registration.participant", token=token, _anchor="field-visit-heading")
    if not ActionForm().validate_on_submit():
        return private_page(redirect(back))
    return private_page(run_action(lambda: action(registration, visit), success=success, redirect_to=back))


@bp.post("/r/<token>/field-visit/<int:visit_id>/sign-up")
def sign_up(token: str, visit_id: int):
    def success(signup):
        if signup.status is SignupStatus.CONFIRMED:
            return _("You are signed up for the visit. Your invitation is on its way by email.")
        return _("The visit is full: you are on its waiting list.")

    return _participant_action(token, visit_id, signups.sign_up, success)


@bp.post("/r/<token>/field-visit/<int:visit_id>/leave")
def leave(token: str, visit_id: int):
    return _participant_action(token, visit_id, signups.leave,
                               _("You are no longer signed up for the visit: your place goes to someone else."))


@bp.post("/r/<token>/field-visit/<int:visit_id>/accept")
def accept(token: str, visit_id: int):
    return _participant_action(token, visit_id, signups.accept_offer, _("The place on the visit is yours."))


# --- Staff pages -------------------------------------------------------------------------------


def _slot_choices(event: Event) -> list[tuple[int, str]]:
    from app.i18n import local_moment

    return [(item.id, f"{KIND_LABELS[item.kind]} · {localized(item, 'title').text} · "
                      f"{local_moment(item.starts_at, event.timezone)}") for item in items_of(event)]


@manage_bp.get("")
@staff_required()
def index(slug: str):
    event = managed_event(slug)
    views = queries.visit_views(event)
    return render_template("field_visit/manage/index.html", event=event, views=views,
                           counts=queries.status_counts(v.visit.id for v in views), form=ActionForm(),
                           checks_in=checks_in(event))


def _visit_form_page(event: Event, form: VisitForm, visit: FieldVisit | None):
    told = len(queries.confirmed_registrations(visit)) if visit is not None else 0
    return render_template("field_visit/manage/visit_form.html", event=event, form=form, visit=visit,
                           told=told), 422 if form.errors else 200


@manage_bp.route("/new", methods=["GET", "POST"])
@staff_required()
def new_visit(slug: str):
    event = managed_event(slug)
    form = VisitForm()
    form.configure(event.timezone, _slot_choices(event))
    if request.method == "GET":
        form.agenda_item_id.data = services.free_template_slot(event)
    if form.validate_on_submit():
        return run_action(lambda: services.create_visit(current_user, event, form.to_input()),
                          success=_("Visit added."), redirect_to=url_for("field_visit_manage.index", slug=event.slug),
                          form=form, on_error=lambda: _visit_form_page(event, form, None))
    check_rules_too(form, lambda: services.check_visit_input(event, form.to_input(), None))
    return _visit_form_page(event, form, None)


@manage_bp.route("/<int:visit_id>", methods=["GET", "POST"])
@staff_required()
def edit_visit(slug: str, visit_id: int):
    event = managed_event(slug)
    visit = _visit_or_404(event, visit_id)
    form = VisitForm()
    form.configure(event.timezone, _slot_choices(event))
    if request.method == "GET":
        form.fill_from(visit, event.timezone)
    if form.validate_on_submit():
        return run_action(lambda: services.update_visit(current_user, event, visit, form.to_input()),
                          success=_("Changes saved. Those signed up are told of a new time or meeting point."),
                          redirect_to=url_for("field_visit_manage.index", slug=event.slug),
                          form=form, on_error=lambda: _visit_form_page(event, form, visit))
    check_rules_too(form, lambda: services.check_visit_input(event, form.to_input(), visit))
    return _visit_form_page(event, form, visit)


@manage_bp.route("/<int:visit_id>/remove", methods=["GET", "POST"])
@staff_required()
def remove_visit(slug: str, visit_id: int):
    """Asks first, saying how many people are emailed: those with a place and those waiting for one."""
    event = managed_event(slug)
    visit = _visit_or_404(event, visit_id)
    if request.method == "POST" and request.form.get("confirmed") == "y":
        return run_action(lambda: services.remove_visit(current_user, event, visit), success=_("Visit removed."),
                          redirect_to=url_for("field_visit_manage.index", slug=event.slug))
    holders, waiting = services.who_hears_of_removal(visit)
    return render_template("field_visit/manage/remove.html", event=event, visit=visit, holders=holders,
                           waiting=waiting)


@manage_bp.post("/<int:visit_id>/sign-up")
@staff_required()
def signup_state(slug: str, visit_id: int):
    event = managed_event(slug)
    visit = _visit_or_404(event, visit_id)
    opening = request.form.get("open") == "1"
    return run_action(lambda: services.set_signup_open(current_user, event, visit, opening),
                      success=_("Sign-up reopened.") if opening else _("Sign-up closed."),
                      redirect_to=url_for("field_visit_manage.index", slug=event.slug))


@manage_bp.get("/<int:visit_id>/people")
@staff_required()
def people(slug: str, visit_id: int):
    """Who goes, with what matters on the visit: also the printable list for the host organisations."""
    event = managed_event(slug)
    visit = _visit_or_404(event, visit_id)
    return render_template("field_visit/manage/people.html", event=event, visit=visit,
                           signups=queries.people(visit, ACTIVE_SIGNUP), checks_in=checks_in(event))


def neutralise(value) -> str:
    """A cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@manage_bp.get("/<int:visit_id>/people.csv")
@staff_required()
def export(slug: str, visit_id: int):
    event = managed_event(slug)
    visit = _visit_or_404(event, visit_id)
    out = io.StringIO()
    writer = csv.writer(out)
    header = [_("Name"), _("Organisation"), _("City"), _("Status"), _("Accessibility needs")]
    if visit.meal_included:
        header.append(_("Dietary needs"))
    header.append(_("Checked in"))
    writer.writerow(header)
    for signup in queries.people(visit, ACTIVE_SIGNUP):
        registration = signup.registration
        row = [registration.name, registration.organisation, registration.city, SIGNUP_LABELS[signup.status],
               registration.accessibility_needs]
        if visit.meal_included:
            row.append(registration.dietary_needs)
        row.append(utc_to_local(signup.checked_in_at, event.timezone).strftime("%Y-%m-%d %H:%M")
                   if signup.checked_in_at else "")
        writer.writerow([neutralise(v) for v in row])
    response = Response("\ufeff" + out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="field-visit-{event.slug}-{visit.id}.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@manage_bp.get("/<int:visit_id>/check-in")
@staff_required()
def check_in_list(slug: str, visit_id: int):
    event = managed_event(slug)
    visit = _visit_or_404(event, visit_id)
    q, q_refused = search_text(request.args.get("q"))
    return render_template("field_visit/manage/check_in.html", event=event, visit=visit, q=q, q_refused=q_refused,
                           form=ActionForm(),
                           signups=queries.people(visit, (SignupStatus.CONFIRMED,), q))


def _check_in_action(slug: str, visit_id: int, signup_id: int, action, success):
    event = managed_event(slug)
    visit = _visit_or_404(event, visit_id)
    signup = queries.signup_by_id(visit, signup_id)
    if signup is None:
        abort(404)
    back = url_for("field_visit_manage.check_in_list", slug=event.slug, visit_id=visit.id,
                   q=request.form.get("q") or None)
    return run_action(lambda: action(current_user, event, signup), success=success, redirect_to=back)


@manage_bp.post("/<int:visit_id>/check-in/<int:signup_id>")
@staff_required()
def check_in(slug: str, visit_id: int, signup_id: int):
    return _check_in_action(slug, visit_id, signup_id, services.check_in, _("Checked in."))


@manage_bp.post("/<int:visit_id>/check-in/<int:signup_id>/undo")
@staff_required()
def undo_check_in(slug: str, visit_id: int, signup_id: int):
    return _check_in_action(slug, visit_id, signup_id, services.undo_check_in, _("Check-in undone."))

