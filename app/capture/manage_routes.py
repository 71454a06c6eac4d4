"""Capture's staff pages (blueprint `capture_manage`, under /manage/events/<slug>/capture): the
facilitators' console, editing with history, and what organisers do (voting, merges, final
recommendations, closing, exports, follow-up)."""

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.actions import run_action, run_json_action
from app.auth.models import Role
from app.auth.permissions import can_manage_event, staff_required
from app.capture import curation, entries, export, queries, voting
from app.capture.common import can_capture, once
from app.capture.curation import can_follow_up
from app.capture.forms import (
    ActionForm,
    AllowanceForm,
    EditForm,
    EntryForm,
    FollowUpForm,
    MergeForm,
    VersionForm,
)
from app.capture.labels import FIELD_LABELS, KIND_HEADINGS, TRANSLATION_LABELS
from app.capture.models import EntryKind, Merge
from app.events.access import event_for
from app.events.models import Event, EventState
from app.extensions import db
from app.field_visit.queries import visit_choices
from app.i18n import current_language

manage_bp = Blueprint("capture_manage", __name__, url_prefix="/manage/events/<slug>/capture")


def _capture_event(slug: str) -> Event:
    return event_for(slug, can_capture)


def _managed_event(slug: str) -> Event:
    return event_for(slug, can_manage_event)


def _entry(event: Event, entry_id: int):
    entry = queries.entry_of(event, entry_id)
    if entry is None:
        abort(404)
    return entry


def _console_url(event: Event, entry_id: int | None = None) -> str:
    return url_for("capture_manage.console", slug=event.slug, _anchor=f"entry-{entry_id}" if entry_id else None)


@manage_bp.app_context_processor
def console_labels():
    return {"TRANSLATION_LABELS": TRANSLATION_LABELS, "CAPTURE_FIELD_LABELS": FIELD_LABELS,
            "CAPTURE_KIND_HEADINGS": KIND_HEADINGS}


# --- The console -------------------------------------------------------------------------------


def _entry_form(event: Event, form_class=EntryForm):
    form = form_class()
    form.set_choices(queries.all_cities(), queries.agenda_choices(event), queries.all_policy_areas(),
                     queries.answerable(event), current_language(), visits=visit_choices(event))
    return form


def _console_page(event: Event, form: EntryForm, status: int = 200):
    if not form.client_key.data or form.errors:
        form.client_key.data = form.client_key.data or entries.new_client_key()
    page = queries.console(event)
    return render_template("capture/manage/console.html", event=event, page=page, form=form,
                           can_manage=can_manage_event(current_user, event), EntryKind=EntryKind,
                           action_form=ActionForm()), status


@manage_bp.get("")
@staff_required()
def console(slug: str):
    event = _capture_event(slug)
    form = _entry_form(event)
    form.language.data = current_language()
    if request.args.get("kind") in {k.value for k in EntryKind}:
        form.kind.data = request.args["kind"]
    return _console_page(event, form)


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


@manage_bp.post("/entries")
@staff_required()
def add(slug: str):
    event = _capture_event(slug)
    form = _entry_form(event)
    if _wants_json():
        if not form.validate_on_submit():
            # The same shape as a refusal of the rules (run_json_action): the script shows each beside its field.
            errors = [{"error": str(message), "field": name}
                      for name, messages in form.errors.items() for message in messages]
            return {"ok": False, "error": _("Please correct the highlighted fields."), "errors": errors}, 422
        return run_json_action(
            lambda: once(lambda: entries.add_entry(current_user, event, form.to_input(), form.client_key.data or "")),
            answer=lambda added: {"id": added.entry.id, "created": added.created,
                                  "client_key": added.entry.client_key, "version": added.entry.version})
    if not form.validate_on_submit():
        return _console_page(event, form, 422)
    return run_action(lambda: once(lambda: entries.add_entry(current_user, event, form.to_input(),
                                                             form.client_key.data or "")),
                      success=lambda added: _("Saved.") if added.created else _("Already saved."),
                      redirect_to=lambda added: url_for("capture_manage.console", slug=event.slug,
                                                        kind=added.entry.kind.value),
                      form=form, on_error=lambda: _console_page(event, form, 422))


def _edit_page(event: Event, entry, form: EditForm, conflict=None):
    status = 409 if conflict is not None else 422 if form.errors else 200
    return render_template("capture/manage/edit.html", event=event, entry=entry, form=form, conflict=conflict,
                           EntryKind=EntryKind), status


@manage_bp.route("/entries/<int:entry_id>", methods=["GET", "POST"])
@staff_required()
def edit(slug: str, entry_id: int):
    event = _capture_event(slug)
    entry = _entry(event, entry_id)
    form = _entry_form(event, EditForm)
    if request.method == "GET":
        form.fill_from(entry)
    if form.validate_on_submit():
        return run_action(lambda: entries.edit_entry(current_user, event, entry, form.to_input(entry),
                                                     form.version.data),
                          success=_("Saved."), redirect_to=_console_url(event, entry.id),
                          form=form, on_error=lambda: _refused_edit(event, entry, form))
    return _edit_page(event, entry, form)


def _refused_edit(event: Event, entry, form: EditForm):
    """The edit page again. When someone saved the entry meanwhile, it shows their version beside
    what this person typed (still in the form), and the form now carries their version: saving
    again is a decision made seeing both."""
    db.session.expire_all()
    current = queries.entry_of(event, entry.id)
    if current is None or current.version == form.version.data:
        return _edit_page(event, current or entry, form)
    form.version.data = current.version
    form.version.raw_data = [str(current.version)]
    return _edit_page(event, current, form, conflict=current)


@manage_bp.get("/entries/<int:entry_id>/history")
@staff_required()
def history(slug: str, entry_id: int):
    event = _capture_event(slug)
    entry = _entry(event, entry_id)
    versions = queries.history(entry)
    return render_template("capture/manage/history.html", event=event, entry=entry, versions=versions,
                           names=queries.names_for(event, versions), form=VersionForm(version=entry.version))


@manage_bp.post("/entries/<int:entry_id>/restore/<int:version>")
@staff_required()
def restore(slug: str, entry_id: int, version: int):
    event = _capture_event(slug)
    entry = _entry(event, entry_id)
    form = VersionForm()
    expected = form.version.data if form.validate_on_submit() else -1
    return run_action(lambda: entries.restore_version(current_user, event, entry, version, expected),
                      success=_("Version %(version)d restored, as a new version.", version=version),
                      redirect_to=url_for("capture_manage.history", slug=event.slug, entry_id=entry.id))


@manage_bp.post("/entries/<int:entry_id>/remove")
@staff_required()
def remove(slug: str, entry_id: int):
    event = _capture_event(slug)
    entry = _entry(event, entry_id)
    form = VersionForm()
    expected = form.version.data if form.validate_on_submit() else -1
    return run_action(lambda: entries.remove_entry(current_user, event, entry, expected),
                      success=_("Entry removed. Its history keeps it: restore a version to bring it back."),
                      redirect_to=_console_url(event))


# --- What organisers do --------------------------------------------------------------------------


@manage_bp.post("/entries/<int:entry_id>/final")
@staff_required()
def final(slug: str, entry_id: int):
    event = _managed_event(slug)
    entry = _entry(event, entry_id)
    make_final = request.form.get("final") == "1"
    if not ActionForm().validate_on_submit():
        abort(400)
    return run_action(lambda: curation.set_final(current_user, event, entry, make_final),
                      success=_("Marked final: it goes to the learning note.") if make_final
                      else _("No longer final."),
                      redirect_to=_console_url(event, entry.id))


def _merge_page(event, entry, form):
    return render_template("capture/manage/merge.html", event=event, entry=entry, form=form), \
        422 if form.errors else 200


@manage_bp.route("/entries/<int:entry_id>/merge", methods=["GET", "POST"])
@staff_required()
def merge(slug: str, entry_id: int):
    event = _managed_event(slug)
    entry = _entry(event, entry_id)
    form = MergeForm()
    form.set_targets(queries.merge_targets(event, entry))
    if form.validate_on_submit():
        return run_action(lambda: curation.merge(current_user, event, entry, form.target_id.data),
                          success=_("Merged. Its votes count for the other recommendation, each voter once."),
                          redirect_to=_console_url(event),
                          form=form, on_error=lambda: _merge_page(event, entry, form))
    return _merge_page(event, entry, form)


@manage_bp.post("/merges/<int:merge_id>/undo")
@staff_required()
def undo_merge(slug: str, merge_id: int):
    event = _managed_event(slug)
    record = db.session.get(Merge, merge_id)
    if record is None or record.event_id != event.id:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    return run_action(lambda: curation.undo_merge(current_user, event, record),
                      success=_("Merge undone: each recommendation has its own votes again."),
                      redirect_to=_console_url(event))


def _voting_page(event: Event, form: AllowanceForm, status: int = 200):
    page = queries.console(event)
    return render_template("capture/manage/voting.html", event=event, page=page, form=form,
                           action_form=ActionForm()), status


@manage_bp.route("/voting", methods=["GET", "POST"])
@staff_required()
def voting_settings(slug: str):
    event = _managed_event(slug)
    form = AllowanceForm()
    if request.method == "GET":
        form.dots_allowance.data = queries.settings_of(event).dots_allowance
    if form.validate_on_submit():
        return run_action(lambda: voting.set_allowance(current_user, event, form.dots_allowance.data),
                          success=_("Saved."), redirect_to=url_for("capture_manage.voting_settings", slug=event.slug),
                          form=form, on_error=lambda: _voting_page(event, form, 422))
    return _voting_page(event, form, 422 if form.errors else 200)


_SWITCHES = {
    "voting": (voting.set_voting, _("Voting is open."), _("Voting is closed.")),
    "results": (voting.set_results_revealed, _("Results are shown."), _("Results are hidden.")),
    "capture": (voting.set_capture_closed, _("Capture is closed."), _("Capture is open again.")),
}


@manage_bp.post("/switch/<name>")
@staff_required()
def switch(slug: str, name: str):
    event = _managed_event(slug)
    if name not in _SWITCHES:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    service, on_message, off_message = _SWITCHES[name]
    value = request.form.get("value") == "1"
    return run_action(lambda: service(current_user, event, value), success=on_message if value else off_message,
                      redirect_to=url_for("capture_manage.voting_settings", slug=event.slug))


@manage_bp.get("/export.csv")
@staff_required()
def export_csv(slug: str):
    event = _managed_event(slug)
    response = Response("\ufeff" + export.csv_text(event), mimetype="text/csv")
    return _download(response, f"capture-{event.slug}.csv")


@manage_bp.get("/export.xlsx")
@staff_required()
def export_xlsx(slug: str):
    event = _managed_event(slug)
    response = Response(export.xlsx_bytes(event),
                        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return _download(response, f"capture-{event.slug}.xlsx")


def _download(response: Response, filename: str) -> Response:
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store, private"
    return response


# --- Follow-up after the event -------------------------------------------------------------------


def _may_see_follow_up(user, event: Event) -> bool:
    """The event's organisers; and, once it is finished, every city's organisers, who record what
    their own city made of its recommendations."""
    if can_manage_event(user, event):
        return True
    return user.role is Role.ORGANISER and event.state is EventState.FINISHED


def _follow_up_cities(event: Event):
    cities = queries.all_cities()
    return [city for city in cities if can_follow_up(current_user, city.id)]


def _follow_up_form(entry_id: int, cities, formdata=True) -> FollowUpForm:
    """One form per recommendation, its fields prefixed so that the page's ids stay unique."""
    form = FollowUpForm(prefix=f"rec{entry_id}") if formdata else FollowUpForm(formdata=None, prefix=f"rec{entry_id}")
    form.set_cities(cities, current_language())
    return form


def _follow_up_page(event: Event, posted: FollowUpForm | None = None, posted_for: int | None = None,
                    status: int = 200):
    cities = _follow_up_cities(event)
    rows = queries.final_recommendations(event)
    forms = {}
    for row in rows:
        form = posted if posted is not None and posted_for == row.entry.id else None
        if form is None:
            form = _follow_up_form(row.entry.id, cities, formdata=False)
            if current_user.city_id:
                form.city_id.data = current_user.city_id
        forms[row.entry.id] = form
    return render_template("capture/manage/follow_up.html", event=event, rows=rows, forms=forms, cities=cities,
                           posted_for=posted_for, open_=event.state is EventState.FINISHED), status


@manage_bp.get("/follow-up")
@staff_required()
def follow_up(slug: str):
    event = event_for(slug, _may_see_follow_up)
    return _follow_up_page(event)


@manage_bp.post("/follow-up/<int:entry_id>")
@staff_required()
def record_follow_up(slug: str, entry_id: int):
    event = event_for(slug, _may_see_follow_up)
    entry = _entry(event, entry_id)
    form = _follow_up_form(entry.id, _follow_up_cities(event))
    if form.validate_on_submit():
        return run_action(lambda: curation.record_follow_up(current_user, event, entry, form.to_input()),
                          success=_("Follow-up saved."),
                          redirect_to=url_for("capture_manage.follow_up", slug=event.slug, _anchor=f"rec-{entry.id}"),
                          form=form, on_error=lambda: _follow_up_page(event, form, entry.id, 422))
    return _follow_up_page(event, form, entry.id, 422)
