"""The registration stage's staff pages (blueprint `registration_manage`, under
/manage/events/<slug>/participants): the participant table and its CSV export, the settings, and
what organisers do to one registration (approve, check in, erase…).

Views are thin: parse a form, call one service, and let app.actions.run_action commit and redirect."""

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.actions import run_action
from app.auth.permissions import staff_required
from app.events.access import managed_event
from app.events.labels import LANGUAGE_LABELS
from app.events.models import Event
from app.forms import search_text
from app.pdf import RenderFailed
from app.registration import exports, printouts, privacy, queries, staff
from app.registration.forms import EmptyForm, SettingsForm
from app.registration.models import Registration

manage_bp = Blueprint("registration_manage", __name__, url_prefix="/manage/events/<slug>/participants")


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
    capacities = queries.capacities(event)
    return render_template("registration/manage/participants.html", event=event, filters=filters,
                           table=queries.participant_table(event, filters), capacities=capacities,
                           seats_left=queries.seats_left(event, capacities), form=EmptyForm(),
                           checks_in=queries.checks_in(event))


XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(data: bytes, mimetype: str, filename: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store, private"
    return response


def _exported_sheet(event: Event) -> exports.ParticipantSheet:
    """The participants the table shows with the same filters (the links carry them)."""
    return exports.participant_sheet(event, queries.export_rows(event, queries.Filters.from_args(request.args)))


@manage_bp.get("/export.csv")
@staff_required()
def export(slug: str):
    event = managed_event(slug)
    return _download(exports.csv_bytes(_exported_sheet(event)), "text/csv", f"participants-{event.slug}.csv")


@manage_bp.get("/export.xlsx")
@staff_required()
def export_xlsx(slug: str):
    event = managed_event(slug)
    return _download(exports.xlsx_bytes(_exported_sheet(event)), XLSX_MIMETYPE, f"participants-{event.slug}.xlsx")


def _printout(event: Event, html: str, name: str) -> Response:
    try:
        data = printouts.render(html)
    except RenderFailed as error:
        current_app.logger.error("%s of %s not rendered: %s", name, event.slug, error)
        abort(503, _("The PDF could not be made just now. Try again in a moment."))
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{name}-{event.slug}.pdf"'
    response.headers["Cache-Control"] = "no-store, private"
    return response


@manage_bp.get("/sign-in-sheet.pdf")
@staff_required()
def sign_in_sheet(slug: str):
    event = managed_event(slug)
    return _printout(event, printouts.sign_in_sheet_html(event), "sign-in-sheet")


@manage_bp.get("/badges.pdf")
@staff_required()
def badges(slug: str):
    event = managed_event(slug)
    return _printout(event, printouts.badges_html(event), "badges")


@manage_bp.route("/settings", methods=["GET", "POST"])
@staff_required()
def settings(slug: str):
    event = managed_event(slug)
    form = SettingsForm()
    if request.method == "GET":
        form.fill_from(queries.settings_for(event))
    if form.validate_on_submit():
        return run_action(lambda: staff.update_settings(current_user, event, form.to_input()),
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
    return run_action(lambda: staff.fill_free_places(current_user, event),
                      success=lambda moved: _("Given a place from the waiting list: %(count)d.", count=len(moved)),
                      redirect_to=url_for("registration_manage.participants", slug=event.slug))


@manage_bp.get("/<int:registration_id>")
@staff_required()
def detail(slug: str, registration_id: int):
    event, registration = _managed_registration(slug, registration_id)
    return render_template("registration/manage/detail.html", event=event, registration=registration,
                           position=queries.waiting_list_position(registration), form=EmptyForm(),
                           checks_in=queries.checks_in(event))


@manage_bp.get("/check-in")
@staff_required()
def check_in_list(slug: str):
    event = managed_event(slug)
    q, refused = search_text(request.args.get("q"))
    return render_template("registration/manage/check_in_list.html", event=event, q=q, q_refused=refused,
                           people=queries.check_in_list(event, q), arrivals=queries.arrivals(event),
                           form=EmptyForm())


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
                               arrivals=queries.arrivals(event), form=EmptyForm())
    return _act(slug, registration_id, staff.check_in, _("Checked in."))


@manage_bp.post("/<int:registration_id>/undo-check-in")
@staff_required()
def undo_check_in(slug: str, registration_id: int):
    return _act(slug, registration_id, staff.undo_check_in, _("Check-in undone."))


@manage_bp.post("/<int:registration_id>/approve")
@staff_required()
def approve(slug: str, registration_id: int):
    return _act(slug, registration_id, staff.approve, _("Registration approved."))


@manage_bp.route("/<int:registration_id>/reject", methods=["GET", "POST"])
@staff_required()
def reject(slug: str, registration_id: int):
    """Asks first, saying what will happen and who will be told: a slip must not reject a delegate."""
    if request.method == "POST" and request.form.get("confirmed") == "y":
        return _act(slug, registration_id, staff.reject, _("Registration rejected. You can restore it from its page."))
    event, registration = _managed_registration(slug, registration_id)
    return render_template("registration/manage/reject.html", event=event, registration=registration,
                           language=LANGUAGE_LABELS.get(registration.preferred_language, ""),
                           next_waiting=queries.first_waiting(event, registration.attendance) if registration.holds_seat
                           else None, form=EmptyForm(),
                           back=request.values.get("back", ""))


@manage_bp.post("/<int:registration_id>/restore")
@staff_required()
def restore(slug: str, registration_id: int):
    return _act(slug, registration_id, staff.restore,
                _("Registration restored: the participant is told where they stand now."))


@manage_bp.post("/<int:registration_id>/promote")
@staff_required()
def promote(slug: str, registration_id: int):
    return _act(slug, registration_id, staff.promote, _("Moved from the waiting list: the place is confirmed."))


@manage_bp.post("/<int:registration_id>/new-link")
@staff_required()
def new_link(slug: str, registration_id: int):
    return _act(slug, registration_id, staff.new_link,
                _("A new private link is on its way; the links sent before no longer work."))


@manage_bp.post("/<int:registration_id>/erase")
@staff_required()
def erase(slug: str, registration_id: int):
    if request.form.get("confirmed") != "y":
        _event, _registration = _managed_registration(slug, registration_id)
        flash(_("Tick the box to confirm the erasure."), "error")
        return redirect(url_for("registration_manage.detail", slug=slug, registration_id=registration_id))
    return _act(slug, registration_id, privacy.erase, _("The participant's personal data is erased."))
