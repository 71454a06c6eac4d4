from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.utils import secure_filename

from app import uploads
from app.actions import run_action
from app.auth.permissions import staff_required
from app.background import queries, services
from app.background.forms import BackgroundForm
from app.events.access import managed_event, public_event
from app.markdown import render_markdown, safe_html
from app.page_cache import cached_page, event_page_fingerprint

bp = Blueprint("background", __name__)


def download_name(original: str, slug: str) -> str:
    """A file name safe in a header and on any disk, from the name the organiser's file had."""
    name = secure_filename(original or "")
    if not name.lower().endswith(".pdf") or len(name) <= len(".pdf"):
        name = f"background-{slug}.pdf"
    return name[-120:]


def _send_pdf(stored_name: str, original: str, slug: str, *, private: bool):
    try:
        path = uploads.path_of(services.UPLOAD_FOLDER, stored_name)
    except ValueError:
        abort(404)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype="application/pdf", as_attachment=True,
                         download_name=download_name(original, slug), max_age=0 if private else 3600)
    response.headers["X-Content-Type-Options"] = "nosniff"
    if private:
        response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/events/<slug>/background")
@cached_page(event_page_fingerprint)
def show(slug: str):
    event = public_event(slug)
    document = queries.document_of(event)
    if document is None or not document.is_published:
        return render_template("background/show.html", event=event, document=None), 404
    return render_template("background/show.html", event=event, document=document, safe_html=safe_html)


@bp.get("/events/<slug>/background.pdf")
def pdf(slug: str):
    event = public_event(slug)
    document = queries.document_of(event)
    if document is None or not document.is_published or not document.published_pdf_stored_name:
        abort(404)
    return _send_pdf(document.published_pdf_stored_name, document.published_pdf_filename, event.slug,
                     private=not event.is_public)


@bp.route("/manage/events/<slug>/background", methods=["GET", "POST"])
@staff_required()
def edit(slug: str):
    event = managed_event(slug)
    document = queries.document_of(event)
    form = BackgroundForm()
    form.set_limit_hint()
    if request.method == "GET":
        form.fill_from(document)
    if form.validate_on_submit():
        publish = request.form.get("action") == "publish"
        return run_action(lambda: services.save_background(current_user, event, form.to_input(), publish=publish),
                          success=_("The background document is published. Participants see this version.")
                          if publish else _("Draft saved. Participants do not see it until you publish it."),
                          redirect_to=url_for("background.edit", slug=event.slug),
                          form=form, on_error=lambda: _edit_page(event, document, form))
    return _edit_page(event, document, form)


def _edit_page(event, document, form: BackgroundForm):
    previews = {lang: render_markdown(getattr(form, f"markdown_{lang}").data or "") for lang in ("en", "fr")}
    status = 422 if form.errors else 200
    return render_template("background/edit.html", event=event, document=document, form=form, previews=previews,
                           safe_html=safe_html), status


@bp.get("/manage/events/<slug>/background/draft.pdf")
@staff_required()
def draft_pdf(slug: str):
    event = managed_event(slug)
    document = queries.document_of(event)
    if document is None or not document.draft_pdf_stored_name:
        flash(_("No PDF is attached to the draft."), "info")
        return redirect(url_for("background.edit", slug=event.slug))
    return _send_pdf(document.draft_pdf_stored_name, document.draft_pdf_filename, event.slug, private=True)
