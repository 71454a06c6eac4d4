from babel.dates import format_date, format_skeleton
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import calendar
from app.agenda import queries, services
from app.agenda.forms import ItemForm
from app.agenda.labels import KIND_LABELS
from app.agenda.models import AgendaItem
from app.auth.permissions import staff_required
from app.domain import DomainError, PermissionDenied, show_error
from app.events.access import managed_event, public_event
from app.events.models import Event
from app.events.queries import network_fingerprint
from app.extensions import db
from app.i18n import current_language, other_language
from app.page_cache import cached_page, event_page_fingerprint, time_bucket
from app.stages import StageStatus, register_stage_status
from app.timezones import utc_to_local

bp = Blueprint("agenda", __name__)

ICS_CONTENT_TYPE = "text/calendar; charset=utf-8"





def _managed_item(event: Event, item_id: int) -> AgendaItem:
    item = queries.item_of(event, item_id)
    if item is None:
        abort(404)
    return item


def _lang_order() -> tuple[str, str]:
    return current_language(), other_language()


def _ics(cal, filename: str | None = None, public: bool = True) -> Response:
    response = Response(calendar.to_ics(cal), content_type=ICS_CONTENT_TYPE)
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    # A draft previewed by staff must never sit in a shared cache.
    response.headers["Cache-Control"] = "public, max-age=300" if public else "private, no-store"
    return response


def _render_page(template: str, event: Event, **context):
    return render_template(template, event=event, page=queries.agenda_page(event), KIND_LABELS=KIND_LABELS,
                           **context)


# Public pages and feeds.

@bp.get("/events/<slug>/agenda")
@cached_page(event_page_fingerprint)
def show(slug: str):
    event = public_event(slug)
    return _render_page("agenda/show.html", event)


@bp.get("/events/<slug>/calendar.ics")
@cached_page(event_page_fingerprint)
def feed(slug: str):
    event = public_event(slug)
    cal = calendar.agenda_calendar(event, queries.items_of(event), _lang_order(),
                                   uid_domain=current_app.config["ICAL_UID_DOMAIN"],
                                   url=url_for("agenda.show", slug=event.slug, _external=True))
    return _ics(cal, public=event.is_public)


@bp.get("/events/<slug>/agenda/<int:item_id>.ics")
@cached_page(event_page_fingerprint)
def item_ics(slug: str, item_id: int):
    event = public_event(slug)
    item = queries.item_of(event, item_id)
    if item is None:
        abort(404)
    cal = calendar.agenda_calendar(event, [item], _lang_order(), uid_domain=current_app.config["ICAL_UID_DOMAIN"],
                                   url=url_for("agenda.show", slug=event.slug, _external=True))
    return _ics(cal, filename=f"{event.slug}-{item.id}.ics", public=event.is_public)


@bp.get("/calendar.ics")
@cached_page(lambda: (network_fingerprint(), time_bucket()))
def network_feed():
    cal = calendar.network_calendar(
        queries.network_events(), lambda e: url_for("events.hub", slug=e.slug, _external=True), _lang_order(),
        uid_domain=current_app.config["ICAL_UID_DOMAIN"], name=_("MC2CM peer-learning events"),
    )
    return _ics(cal)


# Staff pages.

@bp.get("/manage/events/<slug>/agenda")
@staff_required()
def manage(slug: str):
    event = managed_event(slug)
    return _render_page("agenda/manage.html", event)


def _item_form_page(event: Event, form: ItemForm, item: AgendaItem | None):
    status = 422 if form.errors else 200
    return render_template("agenda/item_form.html", event=event, form=form, item=item), status


@bp.route("/manage/events/<slug>/agenda/items/new", methods=["GET", "POST"])
@staff_required()
def new_item(slug: str):
    event = managed_event(slug)
    form = ItemForm()
    form.set_zone_hint(event.timezone)
    form.set_participants(queries.presenter_choices(event))
    if form.validate_on_submit():
        try:
            result = services.add_item(current_user, event, form.to_input())
        except PermissionDenied:
            abort(403)
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Item added to the agenda."), "success")
            for warning in result.warnings:
                flash(warning, "warning")
            return redirect(url_for("agenda.manage", slug=event.slug))
    return _item_form_page(event, form, None)


@bp.route("/manage/events/<slug>/agenda/items/<int:item_id>", methods=["GET", "POST"])
@staff_required()
def edit_item(slug: str, item_id: int):
    event = managed_event(slug)
    item = _managed_item(event, item_id)
    form = ItemForm()
    form.set_zone_hint(event.timezone)
    if request.method == "GET":
        form.fill_from(item, event.timezone)
    form.set_participants(queries.presenter_choices(event, item))
    if form.validate_on_submit():
        try:
            result = services.update_item(current_user, event, item, form.to_input())
        except PermissionDenied:
            abort(403)
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Changes saved."), "success")
            for warning in result.warnings:
                flash(warning, "warning")
            return redirect(url_for("agenda.manage", slug=event.slug))
    return _item_form_page(event, form, item)


@bp.post("/manage/events/<slug>/agenda/items/<int:item_id>/remove")
@staff_required()
def remove_item(slug: str, item_id: int):
    event = managed_event(slug)
    item = _managed_item(event, item_id)
    try:
        services.remove_item(current_user, event, item)
    except PermissionDenied:
        abort(403)
    db.session.commit()
    flash(_("Item removed from the agenda."), "success")
    return redirect(url_for("agenda.manage", slug=event.slug))


@bp.post("/manage/events/<slug>/agenda/items/<int:item_id>/move")
@staff_required()
def move_item(slug: str, item_id: int):
    event = managed_event(slug)
    item = _managed_item(event, item_id)
    try:
        services.move_item(current_user, event, item, request.form.get("direction", ""))
    except PermissionDenied:
        abort(403)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("Items swapped: each keeps its duration."), "success")
    return redirect(url_for("agenda.manage", slug=event.slug, _anchor=f"item-{item_id}"))


@bp.post("/manage/events/<slug>/agenda/template")
@staff_required()
def start_from_template(slug: str):
    event = managed_event(slug)
    try:
        services.create_from_template(current_user, event)
    except PermissionDenied:
        abort(403)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("The agenda now follows the peer-learning template. Adjust its times, places and presenters."),
              "success")
    return redirect(url_for("agenda.manage", slug=event.slug))


def _agenda_status(event: Event):
    if queries.agenda_summary(event).items:
        return StageStatus.AVAILABLE, url_for("agenda.show", slug=event.slug)
    return StageStatus.PREPARING, None


def _field_visit_status(event: Event):
    # Until the field-visit stage has its own pages, the hub points at the visit in the agenda.
    visit_id = queries.agenda_summary(event).field_visit_id
    if visit_id is not None:
        return StageStatus.AVAILABLE, url_for("agenda.show", slug=event.slug, _anchor=f"item-{visit_id}")
    return StageStatus.PREPARING, None


register_stage_status("agenda", _agenda_status)
register_stage_status("field_visit", _field_visit_status)


@bp.app_template_filter("format_day")
def format_day(day) -> str:
    return format_date(day, "full", locale=current_language())


@bp.app_template_filter("local_time")
def local_time(instant, zone_name: str) -> str:
    return f"{utc_to_local(instant, zone_name):%H:%M}"


@bp.app_template_filter("local_moment")
def local_moment(instant, zone_name: str) -> str:
    """A moment in the event's zone, short: the page names the zone once."""
    local = utc_to_local(instant, zone_name)
    return f"{format_skeleton('MMMEd', local, locale=current_language())}, {local:%H:%M}"
