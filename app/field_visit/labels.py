from flask_babel import lazy_gettext as _l

from app.field_visit.models import SignupStatus

SIGNUP_LABELS = {
    SignupStatus.CONFIRMED: _l("Going"),
    SignupStatus.WAITLISTED: _l("Waiting list"),
    SignupStatus.OFFERED: _l("Place offered"),
    SignupStatus.LEFT: _l("Not going"),
}
