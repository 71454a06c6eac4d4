"""How registration statuses and attendance modes read for people, in both languages."""

from flask_babel import LazyString, pgettext
from flask_babel import lazy_gettext as _l

from app.registration.models import AttendanceMode, PromotionPolicy, RegistrationStatus

S = RegistrationStatus

# A registration (« inscription ») is feminine in French, where an event or a stage cancelled is
# masculine: the status words that agree carry a context of their own, so that no shared msgid
# forces one gender on the other. (A lambda keeps them lazy while the extractor still sees pgettext.)

STATUS_LABELS = {
    S.PENDING: _l("Awaiting approval"),
    S.CONFIRMED: LazyString(lambda: pgettext("registration status", "Confirmed")),
    S.WAITLISTED: _l("On the waiting list"),
    S.OFFERED: _l("Place offered"),
    S.REJECTED: _l("Not accepted"),
    S.CANCELLED: LazyString(lambda: pgettext("registration status", "Cancelled")),
    S.EXPIRED: _l("Offer expired"),
}

# What the participant's page says about their status.
STATUS_EXPLANATIONS = {
    S.PENDING: _l("The organisers review every registration. You will receive an email when they have decided."),
    S.CONFIRMED: _l("Your place is confirmed. We look forward to seeing you."),
    S.WAITLISTED: _l("The event is full. If a place is freed, it goes to the waiting list in order, and you "
                     "will receive an email."),
    S.OFFERED: _l("A place has been freed for you. Accept it before the time below, or it passes to the next "
                  "person on the waiting list."),
    S.REJECTED: _l("The organisers could not accept your registration."),
    S.CANCELLED: _l("This registration is cancelled."),
    S.EXPIRED: _l("The place offered to you was not accepted in time and has passed to the next person."),
}

ATTENDANCE_LABELS = {
    AttendanceMode.IN_PERSON: _l("In person"),
    AttendanceMode.ONLINE: _l("Online"),
}

PROMOTION_LABELS = {
    PromotionPolicy.AUTOMATIC: _l("Give the place to the first person on the waiting list at once"),
    PromotionPolicy.OFFER: _l("Offer the place to the first person on the waiting list, to accept within a set time"),
}
