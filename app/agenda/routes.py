from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import calendar
from app.actions import check_rules_too, flash_with_undo, run_action
from app.agenda import queries, services
from app.agenda.calendar import feed_entries
from app.agenda.forms import ItemForm
from app.agenda.labels import KIND_LABELS
from app.agenda.models import AgendaItem
from app.auth.permissions import staff_required
from app.events.access import managed_event, public_event
from app.events.models import Event
from app.i18n import current_language, other_language
from app.links import link_to
from app.page_cache import cached_page, event_page_fingerprint
from app.stages import agenda_slot_fills

bp = Blueprint("agenda", __name__)

def _managed_item(event: Event, item_id: int) -> AgendaItem:
    item = queries.item_of(event, item_id)
    if item is None:
        abort(404)
    return item


def _lang_order() -> tuple[str, str]:
    return current_language(), other_language()


def _render_page(template: str, event: Event, **context):
    # Slots that another stage fills (the field visit) show what fills them (app/stages.py, SlotFill).
    return render_template(template, event=event, page=queries.agenda_page(event), KIND_LABELS=KIND_LABELS,
                           fills=agenda_slot_fills(event), **context)


# Public pages and feeds.

@bp.get("/events/<slug>/agenda")
@cached_page(event_page_fingerprint)
def show(slug: str):
    event = public_event(slug)
    return _render_page("agenda/show.html", event)


@bp.get("/events/<slug>/agenda/<int:item_id>.ics")
@cached_page(event_page_fingerprint)
def item_ics(slug: str, item_id: int):
    event = public_event(slug)
    item = queries.item_of(event, item_id)
    if item is None:
        abort(404)
    cal = calendar.event_calendar(event, feed_entries([item], event, _lang_order(),
                                                      link_to("agenda.show", slug=event.slug)))
    return calendar.ics_response(cal, filename=f"{event.slug}-{item.id}.ics", public=event.is_public)


# Staff pages.

@bp.get("/manage/events/<slug>/agenda")
@staff_required()
def manage(slug: str):
    event = managed_event(slug)
    return _render_page("agenda/manage.html", event)


def _item_form_page(event: Event, form: ItemForm, item: AgendaItem | None):
    status = 422 if form.errors else 200
    return render_template("agenda/item_form.html", event=event, form=form, item=item,
                           told=services.who_hears_of(event, item)), status


def _flash_warnings(result: services.SaveResult) -> None:
    for warning in result.warnings:
        flash(warning, "warning")


@bp.route("/manage/events/<slug>/agenda/items/new", methods=["GET", "POST"])
@staff_required()
def new_item(slug: str):
    event = managed_event(slug)
    form = ItemForm()
    form.set_zone_hint(event.timezone)
    form.set_participants(queries.presenter_choices(event))
    if form.validate_on_submit():
        return run_action(lambda: services.add_item(current_user, event, form.to_input()),
                          success=_("Item added to the agenda."), after=_flash_warnings,
                          redirect_to=url_for("agenda.manage", slug=event.slug),
                          form=form, on_error=lambda: _item_form_page(event, form, None))
    check_rules_too(form, lambda: services.check_item_input(event, form.to_input()))
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
        return run_action(lambda: services.update_item(current_user, event, item, form.to_input()),
                          success=_("Changes saved."), after=_flash_warnings,
                          redirect_to=url_for("agenda.manage", slug=event.slug),
                          form=form, on_error=lambda: _item_form_page(event, form, item))
    check_rules_too(form, lambda: services.check_item_input(event, form.to_input()))
    return _item_form_page(event, form, item)


@bp.route("/manage/events/<slug>/agenda/items/<int:item_id>/remove", methods=["GET", "POST"])
@staff_required()
def remove_item(slug: str, item_id: int):
    """Asks first, saying who will be told once the event is open."""
    event = managed_event(slug)
    item = _managed_item(event, item_id)
    if request.method == "POST" and request.form.get("confirmed") == "y":
        return run_action(lambda: services.remove_item(current_user, event, item), success=None,
                          after=lambda removed: flash_with_undo(
                              _("Item removed from the agenda."),
                              url_for("agenda.restore_item", slug=event.slug, removed_id=removed.id)),
                          redirect_to=url_for("agenda.manage", slug=event.slug))
    return render_template("agenda/remove.html", event=event, item=item, told=services.who_hears_of(event, item),
                           undo_minutes=services.UNDO_WINDOW.seconds // 60)


@bp.post("/manage/events/<slug>/agenda/removed/<int:removed_id>/restore")
@staff_required()
def restore_item(slug: str, removed_id: int):
    """The "Undo" of the message that follows a removal."""
    event = managed_event(slug)
    return run_action(lambda: services.restore_item(current_user, event, removed_id),
                      success=_("Item restored, with its times, texts and presenters."),
                      redirect_to=lambda item: url_for("agenda.manage", slug=event.slug, _anchor=f"item-{item.id}"),
                      on_error=lambda: redirect(url_for("agenda.manage", slug=event.slug)))


@bp.post("/manage/events/<slug>/agenda/items/<int:item_id>/move")
@staff_required()
def move_item(slug: str, item_id: int):
    event = managed_event(slug)
    item = _managed_item(event, item_id)
    return run_action(lambda: services.move_item(current_user, event, item, request.form.get("direction", "")),
                      success=_("Items swapped: each keeps its duration."),
                      redirect_to=url_for("agenda.manage", slug=event.slug, _anchor=f"item-{item_id}"))


@bp.post("/manage/events/<slug>/agenda/template")
@staff_required()
def start_from_template(slug: str):
    event = managed_event(slug)
    return run_action(
        lambda: services.create_from_template(current_user, event),
        success=_("The agenda now follows the peer-learning template. Adjust its times, places and presenters."),
        redirect_to=url_for("agenda.manage", slug=event.slug),
    )
