"""Public registration pages, the participant's private page, and the organisers' pages.

Views are thin: parse a form, call one service, commit, redirect."""

import csv
import io

import segno
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app.actions import run_action
from app.auth.permissions import staff_required
from app.events import queries as event_queries
from app.events.access import managed_event
from app.events.models import Event
from app.extensions import db
from app.i18n import current_language
from app.page_cache import cached_page, form_page_with_fresh_token
from app.registration import calendar, queries, services, tokens
from app.registration.forms import CancelForm, DetailsForm, EmptyForm, RegistrationForm, SettingsForm
from app.registration.labels import STATUS_LABELS
from app.registration.models import AttendanceMode, Registration, RegistrationStatus
from app.stages import participant_panels

bp = Blueprint("registration", __name__)
manage_bp = Blueprint("registration_manage", __name__, url_prefix="/manage/events/<slug>/participants")

A = services.Availability


def _public_event(slug: str) -> Event:
    """Unlike other stages' pages, no staff preview: nobody registers for a draft."""
    event = event_queries.event_by_slug(slug)
    if event is None or not event.is_public:
        abort(404)
    return event


def _capacities(event: Event) -> dict[AttendanceMode, int | None]:
    settings = services.settings_for(event)
    return {mode: services.capacity_for(event, mode, settings) for mode in services.modes_for(event)}


# --- Public pages ------------------------------------------------------------------------------


@bp.route("/events/<slug>/register", methods=["GET", "POST"])
def register(slug: str):
    # First of all: the attempt is committed at once, on a database connection of its own that
    # it gives back before this request's session takes one, whatever becomes of this form.
    rate_limited = _count_attempt() if request.method == "POST" else None
    event = _public_event(slug)
    state = services.availability(event)
    if state is not A.OPEN:
        return render_template("registration/closed.html", event=event, state=state,
                               message=services.CLOSED_MESSAGES[state]), 200 if request.method == "GET" else 409
    if request.method == "GET":
        # The blank form is the same for every visitor but for the CSRF token: rendered once.
        return form_page_with_fresh_token(queries.registrations_fingerprint(slug),
                                          lambda: _registration_page(event, _registration_form(event)))
    form = _registration_form(event)
    if rate_limited is not None:
        form.validate()
        flash(rate_limited.message, "error")
        return _registration_page(event, form), 429
    if not form.validate_on_submit():
        return _registration_page(event, form), 422
    if form.website.data:  # the honeypot: a bot; answer as for anybody, register nobody
        return redirect(url_for("registration.sent", slug=event.slug))
    return run_action(lambda: _register(event, form), success=None, after=_show_link_in_development,
                      redirect_to=url_for("registration.sent", slug=event.slug),
                      form=form, on_error=lambda: (_registration_page(event, form), 422))


def _count_attempt() -> services.RateLimited | None:
    try:
        services.record_attempt(request.remote_addr or "")
    except services.RateLimited as error:
        return error
    return None


def _registration_form(event: Event) -> RegistrationForm:
    form = RegistrationForm()
    form.configure(event, current_language())
    return form


def _register(event: Event, form: RegistrationForm) -> services.Outcome:
    try:
        return services.register(event, form.to_registration_input())
    except IntegrityError:
        # The same email registered at the same moment by another request (a double submit):
        # that one won; this one re-sends its link.
        db.session.rollback()
        return services.register(event, form.to_registration_input())


def _registration_page(event: Event, form) -> str:
    return render_template("registration/register.html", event=event, form=form,
                           seats_left=queries.seats_left(event, _capacities(event)))


def _show_link_in_development(outcome: services.Outcome) -> None:
    if current_app.config["REGISTRATION_SHOW_LINK"]:
        flash(_("Development only: your private link is %(url)s (it is emailed as well, or printed "
                "to the console when no MAIL_SERVER is set).", url=tokens.participant_url(outcome.registration)),
              "info")


@bp.get("/events/<slug>/register/sent")
def sent(slug: str):
    return render_template("registration/sent.html", event=_public_event(slug))


@bp.get("/events/<slug>/participants")
@cached_page(queries.registrations_fingerprint)
def public_list(slug: str):
    event = _public_event(slug)
    if not services.settings_for(event).public_list:
        abort(404)
    return render_template("registration/public_list.html", event=event,
                           participants=queries.public_participants(event))


# --- The participant's private page ------------------------------------------------------------


def _private(response):
    response.headers["Cache-Control"] = "no-store, private"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _unless_event_over(registration: Registration, token: str):
    """Back to the participant's page, which says why, when their event (cancelled, finished) no
    longer lets them edit, cancel or accept a place. The services refuse it too."""
    if services.registrations_can_change(registration.event):
        return None
    return _private(redirect(url_for("registration.participant", token=token)))


def _registration_from(token: str) -> Registration:
    try:
        return tokens.read_token(token)
    except tokens.BadLink as bad:
        code = 410 if bad.problem is tokens.LinkProblem.EXPIRED else 404
        abort(_private(Response(render_template("registration/bad_link.html", problem=bad.problem), code)))


@bp.get("/r/<token>")
def participant(token: str):
    registration = _registration_from(token)
    event = registration.event
    check_in_url = url_for("registration_manage.check_in", slug=event.slug, registration_id=registration.id,
                           _external=True)
    qr = segno.make(check_in_url, error="m").svg_data_uri(scale=4, border=2) if registration.holds_seat else None
    page = render_template(
        "registration/participant.html", registration=registration, event=event, token=token,
        position=services.waiting_list_position(registration), qr=qr, check_in_url=check_in_url,
        offer_expired=services.offer_has_expired(registration), form=EmptyForm(),
        can_change=registration.status in services.ACTIVE and services.registrations_can_change(event),
        event_message=services.why_registrations_cannot_change(event),
        public_list=services.settings_for(event).public_list,
        panels=participant_panels(registration, token),
    )
    return _private(Response(page))


@bp.route("/r/<token>/edit", methods=["GET", "POST"])
def edit(token: str):
    registration = _registration_from(token)
    if back := _unless_event_over(registration, token):
        return back
    form = DetailsForm()
    form.configure(registration.event, current_language())
    if request.method == "GET":
        form.fill_from(registration)
    if form.validate_on_submit():
        return run_action(lambda: services.update_details(registration, form.to_input(email=registration.email or "")),
                          success=_("Your changes are saved."),
                          redirect_to=url_for("registration.participant", token=token),
                          form=form, on_error=lambda: _edit_page(registration, form, token))
    return _edit_page(registration, form, token)


def _edit_page(registration: Registration, form: DetailsForm, token: str):
    page = render_template("registration/edit.html", registration=registration, event=registration.event, form=form,
                           token=token)
    return _private(Response(page, 422 if form.errors else 200))


@bp.route("/r/<token>/cancel", methods=["GET", "POST"])
def cancel(token: str):
    registration = _registration_from(token)
    if back := _unless_event_over(registration, token):
        return back
    form = CancelForm()
    if form.validate_on_submit():
        return run_action(lambda: services.cancel(registration),
                          success=_("Your registration is cancelled. Thank you for letting us know."),
                          redirect_to=url_for("registration.participant", token=token))
    page = render_template("registration/cancel.html", registration=registration, event=registration.event,
                           form=form, token=token)
    return _private(Response(page, 422 if form.errors else 200))


@bp.post("/r/<token>/accept")
def accept(token: str):
    registration = _registration_from(token)
    if back := _unless_event_over(registration, token):
        return back
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("registration.participant", token=token))
    return run_action(lambda: services.accept_offer(registration),
                      commit_on_error=True,  # an expired offer was passed on to the next person: keep that
                      success=_("You have accepted the place. See you there!"),
                      redirect_to=url_for("registration.participant", token=token))


@bp.get("/r/<token>/calendar.ics")
def calendar_file(token: str):
    registration = _registration_from(token)
    if registration.status not in services.ACTIVE:
        abort(404)
    response = Response(calendar.registration_ics(registration), mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{registration.event.slug}.ics"'
    return _private(response)


# --- Organisers --------------------------------------------------------------------------------


def _managed_registration(slug: str, registration_id: int) -> tuple[Event, Registration]:
    event = managed_event(slug)
    registration = queries.registration_of(event, registration_id)
    if registration is None:
        abort(404)
    return event, registration


@manage_bp.get("/")
@staff_required()
def participants(slug: str):
    event = managed_event(slug)
    filters = queries.Filters.from_args(request.args)
    capacities = _capacities(event)
    return render_template("registration/manage/participants.html", event=event, filters=filters,
                           table=queries.participant_table(event, filters), capacities=capacities,
                           seats_left=queries.seats_left(event, capacities), form=EmptyForm())


CSV_COLUMNS = ("id", "status", "name", "email", "organisation", "position", "city", "country", "language",
               "attendance", "dietary_needs", "accessibility_needs", "public_list", "registered_at", "checked_in_at")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


@manage_bp.get("/export.csv")
@staff_required()
def export(slug: str):
    event = managed_event(slug)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for r in queries.export_rows(event):
        writer.writerow([neutralise(v) for v in (
            r.id, r.status.value, r.name, r.email, r.organisation, r.position, r.city, r.country_code,
            r.preferred_language, r.attendance.value, r.dietary_needs, r.accessibility_needs,
            "yes" if r.consent_public_list else "no", r.created_at.isoformat(),
            r.checked_in_at.isoformat() if r.checked_in_at else "",
        )])
    response = Response("\ufeff" + out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="participants-{event.slug}.csv"'
    response.headers["Cache-Control"] = "no-store, private"
    return response


@manage_bp.route("/settings", methods=["GET", "POST"])
@staff_required()
def settings(slug: str):
    event = managed_event(slug)
    form = SettingsForm()
    if request.method == "GET":
        form.fill_from(services.settings_for(event))
    if form.validate_on_submit():
        return run_action(lambda: services.update_settings(current_user, event, form.to_input()),
                          success=_("Registration settings saved."),
                          redirect_to=url_for("registration_manage.participants", slug=event.slug),
                          form=form, on_error=lambda: _settings_page(event, form))
    return _settings_page(event, form)


def _settings_page(event: Event, form: SettingsForm):
    return render_template("registration/manage/settings.html", event=event, form=form), 422 if form.errors else 200


@manage_bp.post("/fill")
@staff_required()
def fill(slug: str):
    event = managed_event(slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    return run_action(lambda: services.fill_free_places(current_user, event),
                      success=lambda moved: _("Given a place from the waiting list: %(count)d.", count=len(moved)),
                      redirect_to=url_for("registration_manage.participants", slug=event.slug))


@manage_bp.get("/<int:registration_id>")
@staff_required()
def detail(slug: str, registration_id: int):
    event, registration = _managed_registration(slug, registration_id)
    return render_template("registration/manage/detail.html", event=event, registration=registration,
                           position=services.waiting_list_position(registration), form=EmptyForm())


@manage_bp.get("/check-in")
@staff_required()
def check_in_list(slug: str):
    event = managed_event(slug)
    q = (request.args.get("q") or "").strip()[:200]
    return render_template("registration/manage/check_in_list.html", event=event, q=q,
                           people=queries.check_in_list(event, q), form=EmptyForm())


def _act(slug: str, registration_id: int, action, done_message: str):
    event, registration = _managed_registration(slug, registration_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    return run_action(lambda: action(current_user, registration), success=done_message,
                      redirect_to=_back(event, registration))


def _back(event: Event, registration: Registration) -> str:
    """The staff page the action was asked from."""
    back = request.form.get("back")
    if back == "check-in":
        return url_for("registration_manage.check_in_list", slug=event.slug, q=request.form.get("q") or None)
    if back == "detail":
        return url_for("registration_manage.detail", slug=event.slug, registration_id=registration.id)
    return url_for("registration_manage.participants", slug=event.slug)


@manage_bp.route("/<int:registration_id>/check-in", methods=["GET", "POST"])
@staff_required()
def check_in(slug: str, registration_id: int):
    if request.method == "GET":  # what the QR code on the participant's page opens
        event, registration = _managed_registration(slug, registration_id)
        return render_template("registration/manage/check_in.html", event=event, registration=registration,
                               form=EmptyForm())
    return _act(slug, registration_id, services.check_in, _("Checked in."))


@manage_bp.post("/<int:registration_id>/undo-check-in")
@staff_required()
def undo_check_in(slug: str, registration_id: int):
    return _act(slug, registration_id, services.undo_check_in, _("Check-in undone."))


@manage_bp.post("/<int:registration_id>/approve")
@staff_required()
def approve(slug: str, registration_id: int):
    return _act(slug, registration_id, services.approve, _("Registration approved."))


@manage_bp.post("/<int:registration_id>/reject")
@staff_required()
def reject(slug: str, registration_id: int):
    return _act(slug, registration_id, services.reject, _("Registration rejected."))


@manage_bp.post("/<int:registration_id>/promote")
@staff_required()
def promote(slug: str, registration_id: int):
    return _act(slug, registration_id, services.promote, _("Moved from the waiting list: the place is confirmed."))


@manage_bp.post("/<int:registration_id>/new-link")
@staff_required()
def new_link(slug: str, registration_id: int):
    return _act(slug, registration_id, services.new_link,
                _("A new private link is on its way; the links sent before no longer work."))


@manage_bp.post("/<int:registration_id>/erase")
@staff_required()
def erase(slug: str, registration_id: int):
    if request.form.get("confirmed") != "y":
        _event, _registration = _managed_registration(slug, registration_id)
        flash(_("Tick the box to confirm the erasure."), "error")
        return redirect(url_for("registration_manage.detail", slug=slug, registration_id=registration_id))
    return _act(slug, registration_id, services.erase, _("The participant's personal data is erased."))


@bp.app_context_processor
def registration_labels():
    from app.registration.labels import ATTENDANCE_LABELS, STATUS_EXPLANATIONS

    return {"REGISTRATION_STATUS_LABELS": STATUS_LABELS, "REGISTRATION_STATUS_EXPLANATIONS": STATUS_EXPLANATIONS,
            "ATTENDANCE_LABELS": ATTENDANCE_LABELS, "RegistrationStatus": RegistrationStatus}
