"""What organisers print for the door: the sign-in sheet (one line per confirmed in-person
participant, a signature box per day, a few blank lines for late arrivals) and name badges (name,
organisation, city, role: participant, presenter, organiser, facilitator; A4, eight to a page), as PDF.

Rendered by the app's one PDF renderer (app/pdf.py): WeasyPrint whose only URL
fetcher serves the app's static files, in a child process with a time limit. Names are escaped by
the template like any text, so a name that looks like markup is printed, never fetched."""

from dataclasses import dataclass
from datetime import date, timedelta

from flask import render_template
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.auth.forms import ROLE_LABELS
from app.auth.models import Role, User
from app.events.models import Event
from app.extensions import db
from app.i18n import city_name
from app.registration.models import AttendanceMode, Registration, RegistrationStatus
from app.stages import badge_roles

# A signature box per day up to this many days; longer events get one box.
SIGNATURE_DAYS_MAX = 3
BLANK_LINES = 6

ROLE_PARTICIPANT = _l("Participant")


@dataclass(frozen=True)
class Badge:
    name: str
    organisation: str
    city: str
    role: object


def expected_in_person(event: Event) -> list[Registration]:
    """Who is expected at the door: confirmed, in person, not erased; by name."""
    return list(db.session.scalars(
        select(Registration).where(Registration.event_id == event.id,
                                   Registration.status == RegistrationStatus.CONFIRMED,
                                   Registration.attendance == AttendanceMode.IN_PERSON,
                                   Registration.erased_at.is_(None))
        .order_by(Registration.name, Registration.id)))


def signature_days(event: Event) -> list[date]:
    days = (event.end_date - event.start_date).days + 1
    if event.month_only or days > SIGNATURE_DAYS_MAX:
        return []
    return [event.start_date + timedelta(days=number) for number in range(days)]


def badges(event: Event) -> list[Badge]:
    """A badge for everyone expected in person (with the role a stage gives them: "Presenter"…),
    then for the host city's organisers and the event's facilitators."""
    roles = badge_roles(event)
    people = [Badge(r.name, r.organisation, r.city, roles.get(r.id, ROLE_PARTICIPANT))
              for r in expected_in_person(event)]
    city = city_name(event.host_city)
    people += [Badge(user.name, "", city, ROLE_LABELS[Role.ORGANISER]) for user in db.session.scalars(
        select(User).where(User.role == Role.ORGANISER, User.city_id == event.host_city_id, User.active.is_(True))
        .order_by(User.name))]
    people += [Badge(user.name, "", "", ROLE_LABELS[Role.FACILITATOR]) for user in event.facilitators]
    return people


def _print_context() -> dict:
    from app.pdf import static_url

    return {"static_url": static_url}


def sign_in_sheet_html(event: Event) -> str:
    return render_template("registration/print/sign_in_sheet.html", event=event, people=expected_in_person(event),
                           days=signature_days(event), blank_lines=BLANK_LINES, **_print_context())


def badges_html(event: Event) -> str:
    return render_template("registration/print/badges.html", event=event, badges=badges(event), **_print_context())


def render(html: str) -> bytes:
    from app.pdf import render_pdf_bounded

    return render_pdf_bounded(html)
