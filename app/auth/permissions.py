"""Who may do what. Every staff route and every service that changes data asks here."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from app.auth.models import Role
from app.extensions import db


def can_create_events(user) -> bool:
    return user.is_authenticated and user.role in (Role.ADMIN, Role.ORGANISER)


def can_host_in(user, city_id: int | None) -> bool:
    """Organisers set events up for their own city only."""
    if not user.is_authenticated:
        return False
    if user.role is Role.ADMIN:
        return True
    return user.role is Role.ORGANISER and user.city_id is not None and user.city_id == city_id


def can_manage_event(user, event) -> bool:
    return can_host_in(user, event.host_city_id)


def is_assigned_facilitator(user, event) -> bool:
    from app.events.models import FacilitatorAssignment

    if not user.is_authenticated or user.role is not Role.FACILITATOR:
        return False
    return db.session.get(FacilitatorAssignment, (event.id, user.id)) is not None


def can_view_workspace(user, event) -> bool:
    """The staff page of an event: its managers and the facilitators assigned to it."""
    return can_manage_event(user, event) or is_assigned_facilitator(user, event)


def staff_required(*roles: Role):
    """Signed-in staff, optionally of the given roles; anonymous users go to the sign-in page."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if roles and current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


admin_required = staff_required(Role.ADMIN)
