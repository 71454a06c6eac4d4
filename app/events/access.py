"""Loading an event for a view, with the visitor's right to see it checked: one way for every stage."""

from collections.abc import Callable

from flask import abort
from flask_login import current_user

from app.auth.permissions import can_manage_event, can_view_workspace
from app.events.models import Event
from app.events.queries import event_by_slug


def event_for(slug: str, allowed: Callable, load: Callable[[str], Event | None] = event_by_slug) -> Event:
    """The event, or 404 when there is none, or 403 when `allowed(current_user, event)` is false."""
    event = load(slug)
    if event is None:
        abort(404)
    if not allowed(current_user, event):
        abort(403)
    return event


def public_event(slug: str) -> Event:
    """An event's public page: anyone once the event is public; before that, its staff (a preview)."""
    event = event_by_slug(slug)
    if event is None or (not event.is_public and not can_view_workspace(current_user, event)):
        abort(404)
    return event


def managed_event(slug: str) -> Event:
    return event_for(slug, can_manage_event)
