"""The field visit's section of the participant's page `/r/<token>`: the visits, where this
participant stands on each, and the buttons to sign up, leave or accept an offered place."""

from dataclasses import dataclass

from app.db_types import utcnow
from app.field_visit import queries
from app.field_visit.models import FieldVisit, SignupStatus, VisitSignup
from app.field_visit.signups import clash_refusal, why_cannot_sign_up, why_too_late
from app.registration.models import ACTIVE as ACTIVE_REGISTRATION


@dataclass(frozen=True)
class PanelVisit:
    visit: FieldVisit
    places_left: int | None
    signup: VisitSignup | None
    position: int | None
    refusal: object  # why they cannot sign up, or None
    too_late: object = None  # why an offered place can no longer be accepted, or None

    @property
    def status(self) -> SignupStatus | None:
        return self.signup.status if self.signup is not None and self.signup.status is not SignupStatus.LEFT else None


def panel_context(registration, token: str) -> dict | None:
    event = registration.event
    if registration.status not in ACTIVE_REGISTRATION and registration.status.value != "cancelled":
        return None
    views = queries.visit_views(event)
    if not views:
        return None
    signups = {s.visit_id: s for s in queries.signups_of_registration(registration.id, tuple(SignupStatus))}
    entries = []
    now = utcnow()
    for view in views:
        signup = signups.get(view.visit.id)
        position = queries.waiting_position(signup) if signup is not None else None
        refusal = why_cannot_sign_up(registration, view.visit, now)
        if refusal is None and (signup is None or signup.status is SignupStatus.LEFT):
            # Said before the button, which sign_up could only refuse.
            refusal = clash_refusal(registration, view.visit)
        entries.append(PanelVisit(view.visit, view.places_left, signup, position, refusal,
                                  why_too_late(view.visit, now)))
    return {"visits": entries, "event": event, "now": now}
