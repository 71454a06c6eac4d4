"""The outbox of an event, for its organisers: what was sent, what waits, what failed; a preview of
every message in both languages; sending one again."""

from flask import Blueprint, abort, make_response, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from app.actions import run_action
from app.auth.permissions import can_manage_event, staff_required
from app.events import queries
from app.extensions import db
from app.forms import FlaskForm
from app.i18n import LANGUAGE_NAMES
from app.mail.delivery import PRINTED_NOTE
from app.mail.kinds import kind_label
from app.mail.models import OutboxMessage, OutboxStatus
from app.mail.rendering import TEXT_SEPARATOR
from app.mail.services import resend as resend_message

bp = Blueprint("outbox", __name__, url_prefix="/manage")

PAGE_SIZE = 500
# The HTML part is shown as sent, but cannot run scripts, load anything or submit anything.
PREVIEW_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _event(slug: str):
    event = queries.event_by_slug(slug)
    if event is None:
        abort(404)
    if not can_manage_event(current_user, event):
        abort(403)
    return event


def _message(event, message_id: int) -> OutboxMessage:
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.event_id != event.id:
        abort(404)
    return message


def status_label(status: OutboxStatus) -> str:
    return {
        OutboxStatus.QUEUED: _("Queued"),
        OutboxStatus.SENDING: _("Sending"),
        OutboxStatus.SENT: _("Sent"),
        OutboxStatus.FAILED: _("Failed"),
    }[status]


def delivery_note(note: str) -> str:
    """A delivery note in the reader's language: the notes the mail worker writes are stored in
    English, once for every reader."""
    if note == PRINTED_NOTE:
        return _("printed to the console: no mail server (MAIL_SERVER) is configured")
    return note


def text_by_language(message: OutboxMessage) -> list[tuple[str, str]]:
    """The text part cut into its language blocks, in the order the message shows them."""
    blocks = message.text_body.split(TEXT_SEPARATOR)
    languages = message.language_order
    if len(blocks) == len(languages):
        first, _sep, rest = blocks[0].partition("\n\n")
        blocks[0] = rest if first.startswith("[") and rest else blocks[0]
        return list(zip(languages, blocks, strict=True))
    return [(languages[0], message.text_body)]


@bp.get("/events/<slug>/outbox")
@staff_required()
def index(slug: str):
    event = _event(slug)
    # ?status=failed (the overview links there) shows one status; an unknown value shows everything
    shown = next((status for status in OutboxStatus if status.value == request.args.get("status")), None)
    query = select(OutboxMessage).where(OutboxMessage.event_id == event.id)
    if shown is not None:
        query = query.where(OutboxMessage.status == shown)
    messages = db.session.scalars(
        query.order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()).limit(PAGE_SIZE)).all()
    counts = dict(db.session.execute(
        select(OutboxMessage.status, func.count(OutboxMessage.id)).where(OutboxMessage.event_id == event.id)
        .group_by(OutboxMessage.status)).all())
    return render_template("manage/outbox.html", event=event, messages=messages, kind_label=kind_label,
                           status_label=status_label, delivery_note=delivery_note, form=FlaskForm(), shown=shown,
                           counts=counts, statuses=list(OutboxStatus))


@bp.get("/events/<slug>/outbox/<int:message_id>")
@staff_required()
def preview(slug: str, message_id: int):
    event = _event(slug)
    message = _message(event, message_id)
    return render_template("manage/outbox_message.html", event=event, message=message, blocks=text_by_language(message),
                           LANGUAGE_NAMES=LANGUAGE_NAMES, kind_label=kind_label, status_label=status_label,
                           form=FlaskForm())


@bp.get("/events/<slug>/outbox/<int:message_id>/html")
@staff_required()
def preview_html(slug: str, message_id: int):
    event = _event(slug)
    message = _message(event, message_id)
    response = make_response(message.html_body)
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    response.headers["Content-Security-Policy"] = PREVIEW_CSP
    return response


@bp.post("/events/<slug>/outbox/<int:message_id>/resend")
@staff_required()
def resend(slug: str, message_id: int):
    event = _event(slug)
    message = _message(event, message_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    return run_action(
        lambda: resend_message(message),
        success=_("The message to %(email)s will be sent again in a moment.", email=message.recipient_email),
        redirect_to=url_for("outbox.index", slug=event.slug),
    )
