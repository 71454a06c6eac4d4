"""However often the form is sent with an address already registered, its private link goes out
once per few minutes; an organiser's "New link" (which revokes the old ones) always goes out."""

from sqlalchemy import select

from app.auth.models import Role
from app.extensions import db
from app.mail.models import OutboxMessage
from app.registration import signup, staff
from tests.registration.conftest import person


def _kinds(address: str) -> list[str]:
    return list(db.session.scalars(select(OutboxMessage.kind).where(OutboxMessage.recipient_email == address)
                                   .order_by(OutboxMessage.id)))


def test_sending_the_form_again_and_again_sends_the_link_once(app, open_event):
    event = open_event(capacity=5)
    for _attempt in range(4):
        signup.register(event, person("zoe@example.net"))
        db.session.commit()
    assert _kinds("zoe@example.net") == ["registration_confirmed", "private_link_resent"]


def test_the_limit_is_a_window_not_a_ban(app, open_event):
    app.config["PRIVATE_LINK_RESEND_SECONDS"] = 0
    try:
        event = open_event(capacity=5)
        for _attempt in range(3):
            signup.register(event, person("zoe@example.net"))
            db.session.commit()
    finally:
        app.config["PRIVATE_LINK_RESEND_SECONDS"] = 300
    assert _kinds("zoe@example.net") == ["registration_confirmed", *["private_link_resent"] * 2]


def test_an_organisers_new_link_always_goes_out(app, make, open_event):
    event = open_event(capacity=5)
    organiser = make.user(Role.ORGANISER, event.host_city)
    registration = signup.register(event, person("zoe@example.net")).registration
    signup.register(event, person("zoe@example.net"))
    db.session.commit()
    staff.new_link(organiser, registration)
    db.session.commit()
    assert _kinds("zoe@example.net") == ["registration_confirmed", *["private_link_resent"] * 2]
