"""The registration stage's public pages (blueprint `registration`): the form, the public list of
participants, and the participant's private page `/r/<token>` with what they do from it.

Views are thin: parse a form, call one service, and let app.actions.run_action commit and redirect."""

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from app.actions import run_action
from app.events import queries as event_queries
from app.events.models import Event
from app.extensions import db
from app.i18n import current_language
from app.links import link_to, qr_code
from app.mail.services import host_organizer
from app.page_cache import cached_page, form_page_with_fresh_token
from app.registration import calendar, queries, signup, waitlist
from app.registration.forms import CancelForm, DetailsForm, EmptyForm, RegistrationForm
from app.registration.labels import STATUS_LABELS
from app.registration.models import ACTIVE, Registration, RegistrationStatus
from app.registration.queries import participant_from_token
from app.registration.rate_limit import RateLimited, record_attempt
from app.registration.recipients import attending_mode, meeting_link_for
from app.registration.tokens import participant_url, private_page
from app.stages import participant_panels

bp = Blueprint("registration", __name__)


def _public_event(slug: str) -> Event:
    """Unlike other stages' pages, no staff preview: nobody registers for a draft."""
    event = event_queries.event_by_slug(slug)
    if event is None or not event.is_public:
        abort(404)
    return event


# --- Public pages ------------------------------------------------------------------------------


@bp.route("/events/<slug>/register", methods=["GET", "POST"])
def register(slug: str):
    # First of all: the attempt is committed at once, on a database connection of its own that
    # it gives back before this request's session takes one, whatever becomes of this form.
    rate_limited = _count_attempt() if request.method == "POST" else None
    event = _public_event(slug)
    state = queries.availability(event)
    if state is not queries.Availability.OPEN:
        return render_template("registration/closed.html", event=event, state=state,
                               message=queries.CLOSED_MESSAGES[state]), 200 if request.method == "GET" else 409
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


def _count_attempt() -> RateLimited | None:
    try:
        record_attempt(request.remote_addr or "", email=request.form.get("email", ""))
    except RateLimited as error:
        return error
    return None


def _registration_form(event: Event) -> RegistrationForm:
    form = RegistrationForm()
    form.configure(event, current_language())
    return form


def _register(event: Event, form: RegistrationForm) -> signup.Outcome:
    try:
        return signup.register(event, form.to_registration_input())
    except IntegrityError:
        # The same email registered at the same moment by another request (a double submit):
        # that one won; this one re-sends its link.
        db.session.rollback()
        return signup.register(event, form.to_registration_input())


def _registration_page(event: Event, form) -> str:
    return render_template("registration/register.html", event=event, form=form,
                           seats_left=queries.seats_left(event, queries.capacities(event)))


def _show_link_in_development(outcome: signup.Outcome) -> None:
    """Only for a registration this very form created: anyone can type someone else's address,
    so the link of a registration that existed before goes by email only, in every configuration."""
    if current_app.config["REGISTRATION_SHOW_LINK"] and outcome.brand_new:
        flash(_("Development only: your private link is %(url)s (it is emailed as well, or printed "
                "to the console when no MAIL_SERVER is set).", url=participant_url(outcome.registration)),
              "info")


@bp.get("/events/<slug>/register/sent")
def sent(slug: str):
    """The same page whatever the form did: anyone can type someone else's address, so where the
    registration stands goes to that address only."""
    return render_template("registration/sent.html", event=_public_event(slug))


@bp.get("/events/<slug>/participants")
@cached_page(queries.registrations_fingerprint)
def public_list(slug: str):
    event = _public_event(slug)
    if not queries.settings_for(event).public_list:
        abort(404)
    return render_template("registration/public_list.html", event=event,
                           participants=queries.public_participants(event))


# --- The participant's private page ------------------------------------------------------------


def _changeable_registration(token: str) -> Registration:
    """The participant's registration; or back to their page, which says why, when their event
    (cancelled, finished) no longer lets them edit, cancel or accept a place. The services refuse
    it too."""
    registration = participant_from_token(token)
    if not queries.registrations_can_change(registration.event):
        abort(private_page(redirect(url_for("registration.participant", token=token))))
    return registration


@bp.get("/r/<token>")
def participant(token: str):
    registration = participant_from_token(token)
    event = registration.event
    check_in_url = link_to("registration_manage.check_in", slug=event.slug, registration_id=registration.id)
    qr = qr_code(check_in_url) if registration.holds_seat and queries.checks_in(event) else None
    page = render_template(
        "registration/participant.html", registration=registration, event=event, token=token,
        position=queries.waiting_list_position(registration), qr=qr, check_in_url=check_in_url,
        offer_expired=queries.offer_has_expired(registration), form=EmptyForm(),
        can_change=registration.status in ACTIVE and queries.registrations_can_change(event),
        event_message=queries.why_registrations_cannot_change(event),
        public_list=queries.settings_for(event).public_list,
        panels=participant_panels(registration, token), meeting_link=meeting_link_for(registration),
        attendance=attending_mode(registration),
        contact=host_organizer(event),
        can_register_again=registration.status not in ACTIVE
        and queries.availability(event) is queries.Availability.OPEN,
    )
    return private_page(Response(page))


@bp.route("/r/<token>/edit", methods=["GET", "POST"])
def edit(token: str):
    registration = _changeable_registration(token)
    form = DetailsForm()
    form.configure(registration.event, current_language())
    if request.method == "GET":
        form.fill_from(registration)
    if form.validate_on_submit():
        return run_action(lambda: signup.update_details(registration, form.to_input(email=registration.email or "")),
                          success=_("Your changes are saved."),
                          redirect_to=url_for("registration.participant", token=token),
                          form=form, on_error=lambda: _edit_page(registration, form, token))
    return _edit_page(registration, form, token)


def _edit_page(registration: Registration, form: DetailsForm, token: str):
    page = render_template("registration/edit.html", registration=registration, event=registration.event, form=form,
                           token=token)
    return private_page(Response(page, 422 if form.errors else 200))


@bp.route("/r/<token>/cancel", methods=["GET", "POST"])
def cancel(token: str):
    registration = _changeable_registration(token)
    form = CancelForm()
    if form.validate_on_submit():
        return run_action(lambda: signup.cancel(registration),
                          success=_("Your registration is cancelled. Thank you for letting us know."),
                          redirect_to=url_for("registration.participant", token=token))
    page = render_template("registration/cancel.html", registration=registration, event=registration.event,
                           form=form, token=token)
    return private_page(Response(page, 422 if form.errors else 200))


@bp.post("/r/<token>/accept")
def accept(token: str):
    registration = _changeable_registration(token)
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("registration.participant", token=token))
    return run_action(lambda: waitlist.accept_offer(registration),
                      commit_on_error=True,  # an expired offer was passed on to the next person: keep that
                      success=_("You have accepted the place. See you there!"),
                      redirect_to=url_for("registration.participant", token=token))


@bp.get("/r/<token>/calendar.ics")
def calendar_file(token: str):
    registration = participant_from_token(token)
    if registration.status not in ACTIVE:
        abort(404)
    response = Response(calendar.registration_ics(registration), mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{registration.event.slug}.ics"'
    return private_page(response)


@bp.app_context_processor
def registration_labels():
    from app.registration.labels import ATTENDANCE_LABELS, STATUS_EXPLANATIONS

    return {"REGISTRATION_STATUS_LABELS": STATUS_LABELS, "REGISTRATION_STATUS_EXPLANATIONS": STATUS_EXPLANATIONS,
            "ATTENDANCE_LABELS": ATTENDANCE_LABELS, "RegistrationStatus": RegistrationStatus}
