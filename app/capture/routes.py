"""Capture's public pages (blueprint `capture`): the live, ranked recommendations, the room's big
screen, the case PDFs, and the participant's voting page `/r/<token>/recommendations`.

Views are thin: parse, call one service, and let app.actions.run_action commit and redirect."""

from flask import Blueprint, Response, abort, render_template, request, send_file, url_for
from flask_babel import gettext as _

from app import uploads
from app.actions import run_action
from app.background.routes import download_name
from app.capture import queries, voting
from app.capture.common import once
from app.capture.entries import UPLOAD_FOLDER
from app.capture.forms import ActionForm
from app.capture.labels import ACTOR_LEVEL_LABELS, FOLLOW_UP_LABELS, KIND_HEADINGS, KIND_LABELS
from app.capture.live import conditional_live_page
from app.capture.models import EntryKind
from app.capture.reference import goals, sdgs
from app.events.access import public_event
from app.links import link_to, qr_code
from app.page_cache import cached_page, event_page_fingerprint
from app.registration.queries import participant_from_token
from app.registration.tokens import private_page

bp = Blueprint("capture", __name__)

SCREEN_REFRESH_SECONDS = 5


@bp.app_context_processor
def capture_labels():
    return {"CAPTURE_KIND_LABELS": KIND_LABELS, "ACTOR_LEVEL_LABELS": ACTOR_LEVEL_LABELS,
            "FOLLOW_UP_LABELS": FOLLOW_UP_LABELS, "SDGS": sdgs}


# --- The live pages ----------------------------------------------------------------------------


@bp.get("/events/<slug>/recommendations")
@conditional_live_page
def show(slug: str):
    event = public_event(slug)
    page = queries.live_page(event, queries.Filters.from_args(request.args))
    return render_template("capture/show.html", event=event, page=page, goals=goals(), KIND_HEADINGS=KIND_HEADINGS,
                           EntryKind=EntryKind)


def _vote_qr(event) -> str:
    return qr_code(link_to("capture.vote", slug=event.slug), scale=6)


@bp.get("/events/<slug>/recommendations/screen")
@conditional_live_page(board=True)
def screen(slug: str):
    """The room's big screen: no site header, large type the presenter scales, a QR code to the
    voting page, and a board that refreshes itself (app/static/js/capture-screen.js)."""
    event = public_event(slug)
    return render_template("capture/screen.html", event=event, screen=queries.screen(event), qr=_vote_qr(event),
                           vote_url=link_to("capture.vote", slug=event.slug), refresh=SCREEN_REFRESH_SECONDS)


@bp.get("/events/<slug>/recommendations/screen/board")
@conditional_live_page(board=True)
def board(slug: str):
    """The screen's board alone: what its script fetches (conditionally) every few seconds, and
    in full after a reconnection."""
    event = public_event(slug)
    return render_template("capture/_board.html", event=event, screen=queries.screen(event))


@bp.get("/events/<slug>/recommendations/vote")
@cached_page(event_page_fingerprint)
def vote(slug: str):
    """Where the screen's QR code leads: each participant votes from their own private link."""
    event = public_event(slug)
    return render_template("capture/vote.html", event=event)


@bp.get("/events/<slug>/recommendations/cases/<int:entry_id>.pdf")
def case_pdf(slug: str, entry_id: int):
    event = public_event(slug)
    entry = queries.entry_of(event, entry_id)
    if entry is None or entry.is_removed or not entry.pdf_stored_name:
        abort(404)
    try:
        path = uploads.path_of(UPLOAD_FOLDER, entry.pdf_stored_name)
    except ValueError:
        abort(404)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype="application/pdf", as_attachment=True,
                         download_name=download_name(entry.pdf_filename, f"{event.slug}-case-{entry.id}"),
                         max_age=0 if not event.is_public else 3600)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# --- The participant's voting page ---------------------------------------------------------------


def _ballot_url(token: str, entry_id: int | None = None) -> str:
    return url_for("capture.ballot", token=token, _anchor=f"rec-{entry_id}" if entry_id else None)


@bp.get("/r/<token>/recommendations")
def ballot(token: str):
    registration = participant_from_token(token)
    event = registration.event
    page = render_template("capture/ballot.html", registration=registration, event=event, token=token,
                           ballot=queries.ballot(registration), reason=voting.why_cannot_vote(registration),
                           form=ActionForm(), new_key=_new_key)
    return private_page(Response(page))


def _new_key() -> str:
    from app.capture.entries import new_client_key

    return new_client_key()


def _vote(token: str, entry_id: int, act):
    registration = participant_from_token(token)
    if not ActionForm().validate_on_submit():
        return private_page(Response(render_template("errors/error.html", code=400, title=_("Bad request"),
                                                     message=_("This form has expired. Reload the page and try "
                                                               "again.")), 400))
    return private_page(run_action(lambda: once(lambda: act(registration)), success=lambda result: result.message,
                                   redirect_to=_ballot_url(token, entry_id)))


@bp.post("/r/<token>/recommendations/<int:entry_id>/endorse")
def endorse(token: str, entry_id: int):
    return _vote(token, entry_id, lambda registration: voting.endorse(registration, entry_id))


@bp.post("/r/<token>/recommendations/<int:entry_id>/withdraw")
def withdraw(token: str, entry_id: int):
    return _vote(token, entry_id, lambda registration: voting.withdraw_endorsement(registration, entry_id))


@bp.post("/r/<token>/recommendations/<int:entry_id>/dot")
def add_dot(token: str, entry_id: int):
    key = request.form.get("key", "")
    return _vote(token, entry_id, lambda registration: voting.spend_dot(registration, entry_id, key))


@bp.post("/r/<token>/recommendations/<int:entry_id>/undot")
def take_back_dot(token: str, entry_id: int):
    raw = request.form.get("dot_id", "")
    dot_id = int(raw) if raw.isdigit() else None
    return _vote(token, entry_id, lambda registration: voting.take_back_dot(registration, entry_id, dot_id))
