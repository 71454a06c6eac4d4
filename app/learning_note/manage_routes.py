"""The note's staff pages (blueprint `learning_note_manage`): the editor (organisers, administrators
and the event's facilitators), generation, the draft's preview in both languages and formats, and
publishing (organisers and administrators)."""

import json

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.actions import run_action
from app.auth.permissions import staff_required
from app.events.access import event_for
from app.events.models import Event, EventState
from app.i18n import current_language
from app.learning_note import content, queries, render, services
from app.learning_note.forms import NarrativeForm, PublishForm
from app.learning_note.models import Note
from app.pdf import RenderFailed

manage_bp = Blueprint("learning_note_manage", __name__)


def _editable_event(slug: str) -> Event:
    return event_for(slug, services.can_edit_note)


def _counts(note: Note | None) -> dict:
    captured = json.loads(note.captured or "{}") if note is not None else {}
    return {key: len(captured.get(key, [])) for key in
            ("challenges", "opportunities", "cases", "observations", "recommendations")}


def _edit_page(event: Event, form: NarrativeForm, conflict: services.EditConflict | None = None):
    note = queries.note_of(event)
    draft = content.draft_content(note, event) if note is not None else None
    status = 409 if conflict is not None else (422 if form.errors else 200)
    return render_template(
        "learning_note/manage/edit.html", event=event, note=note, form=form, counts=_counts(note),
        missing=content.missing_translations(draft) if draft else [], versions=queries.versions_of(event),
        conflict=conflict, can_publish=services.can_publish_note(current_user, event),
        **render.template_context()), status


def _saved_message(result: services.SaveResult) -> str:
    if not result.saved:
        return _("Nothing had changed: nothing was saved.")
    if result.merged:
        return _("Saved. Someone else had saved other parts meanwhile: theirs are kept too.")
    return _("Saved. Readers see it once the note is published.")


@manage_bp.route("/manage/events/<slug>/learning-note", methods=["GET", "POST"])
@staff_required()
def edit(slug: str):
    event = _editable_event(slug)
    form = NarrativeForm()
    if request.method == "GET":
        form.fill_from(queries.note_of(event))
    if form.validate_on_submit():
        refused: dict = {}

        def save():
            try:
                return services.save_narrative(current_user, event, form.to_input())
            except services.EditConflict as conflict:
                refused["conflict"] = conflict
                raise

        def again():
            conflict = refused.get("conflict")
            if conflict is not None:
                # Saving again from here is a choice made knowing the other person's version.
                form.set_base(queries.note_of(event))
            return _edit_page(event, form, conflict)

        return run_action(save, success=_saved_message,
                          redirect_to=url_for("learning_note_manage.edit", slug=event.slug),
                          form=form, on_error=again)
    return _edit_page(event, form)


@manage_bp.post("/manage/events/<slug>/learning-note/generate")
@staff_required()
def generate(slug: str):
    event = _editable_event(slug)
    return run_action(lambda: services.generate(current_user, event),
                      success=_("The note's captured parts were generated again from what the meeting recorded. "
                                "The written parts are unchanged."),
                      redirect_to=url_for("learning_note_manage.edit", slug=event.slug))


def _publish_page(event: Event, note: Note, form: PublishForm):
    draft = content.draft_content(note, event)
    number = queries.latest_number(event) + 1
    status = 422 if form.errors else 200
    return render_template(
        "learning_note/manage/publish.html", event=event, note=note, form=form, number=number,
        missing=content.missing_translations(draft), untranslated=content.untranslated_recommendations(draft),
        counts=_counts(note), **render.template_context()), status


@manage_bp.route("/manage/events/<slug>/learning-note/publish", methods=["GET", "POST"])
@staff_required()
def publish(slug: str):
    event = event_for(slug, services.can_publish_note)
    note = queries.note_of(event)
    if note is None or not note.generation or event.state is not EventState.FINISHED:
        flash(_("The note can be published once the event is finished and the note generated."), "info")
        return redirect(url_for("learning_note_manage.edit", slug=event.slug))
    form = PublishForm()
    if request.method == "GET":
        form.fill_from(note)
    if form.validate_on_submit():
        return run_action(lambda: services.publish(current_user, event, form.to_input()),
                          success=lambda version: _("Version %(number)d of the learning note is published. "
                                                    "Participants and the network's organisers are told by email.",
                                                    number=version.number),
                          redirect_to=lambda version: url_for("learning_note.version", slug=event.slug,
                                                              number=version.number),
                          after=lambda version: render.warm_files_later(current_app._get_current_object(), event.id,
                                                                        version.id),
                          form=form, on_error=lambda: _refreshed_publish_page(event, form))
    return _publish_page(event, note, form)


def _refreshed_publish_page(event: Event, form: PublishForm):
    note = queries.note_of(event)
    form.fill_from(note)  # what the organiser now sees is what they publish next
    return _publish_page(event, note, form)


def _draft(event: Event) -> Note:
    note = queries.note_of(event)
    if note is None or not note.generation:
        abort(404)
    return note


@manage_bp.get("/manage/events/<slug>/learning-note/preview")
@staff_required()
def preview(slug: str):
    event = _editable_event(slug)
    note = queries.note_of(event)
    if note is None or not note.generation:
        flash(_("Generate the note first: the preview shows it as it would be published."), "info")
        return redirect(url_for("learning_note_manage.edit", slug=event.slug))
    view = render.draft_view(event, note, current_language())
    return render_template("learning_note/show.html", event=event, note=view, version=None, latest_number=None,
                           versions=queries.versions_of(event), **render.template_context())


@manage_bp.get("/manage/events/<slug>/learning-note/preview.<any(pdf, docx):fmt>")
@staff_required()
def preview_file(slug: str, fmt: str):
    event = _editable_event(slug)
    note = queries.note_of(event)
    if note is None or not note.generation:
        flash(_("Generate the note first: the preview shows it as it would be published."), "info")
        return redirect(url_for("learning_note_manage.edit", slug=event.slug))
    lang = current_language()
    view = render.draft_view(event, note, lang)
    try:
        data = render.render_file(view, fmt, None)
    except RenderFailed:
        abort(503, _("The PDF could not be made just now. Try again in a moment."))
    response = Response(data, mimetype=render.FORMATS[fmt])
    response.headers["Content-Disposition"] = (
        f'{"inline" if fmt == "pdf" else "attachment"}; filename="{render.file_name(event, None, lang, fmt)}"')
    response.headers["Cache-Control"] = "private, no-store"
    return response

