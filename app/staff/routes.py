"""The network's overview for its staff (`/manage/overview`): administrators see the network,
organisers their city's events; facilitators have their events' workspaces instead."""

from flask import Blueprint, render_template
from flask_login import current_user

from app.auth.models import Role
from app.auth.permissions import staff_required
from app.db_types import utcnow
from app.events.labels import STATE_LABELS
from app.registration.models import RegistrationStatus
from app.staff.overview import CLOSING_WITHIN, STARTING_WITHIN, overview

bp = Blueprint("staff", __name__, url_prefix="/manage")


@bp.get("/overview")
@staff_required(Role.ADMIN, Role.ORGANISER)
def overview_page():
    now = utcnow()
    return render_template("staff/overview.html", overview=overview(current_user, now), now=now,
                           states=STATE_LABELS, S=RegistrationStatus, closing_days=CLOSING_WITHIN.days,
                           starting_days=STARTING_WITHIN.days, whole_network=current_user.role is Role.ADMIN)
