"""A registration takes its seat by the last statement before the commit (issue 14): the seat
counter's row, locked by that UPDATE on PostgreSQL, is held for nothing else. The email is written
before; when the last seat went meanwhile, the registration goes to the waiting list instead and
the confirmation it would have had is never queued."""

from sqlalchemy import event as sa_event
from sqlalchemy import func, select, update

from app.extensions import db
from app.mail.models import OutboxMessage
from app.registration import signup
from app.registration.models import RegistrationStatus, SeatPool
from tests.registration.conftest import person


def test_the_seat_is_taken_after_everything_else_the_registration_writes(open_event, count_queries):
    event = open_event(capacity=10)
    signup.register(event, person())  # the seat counter exists from now on
    db.session.commit()
    with count_queries() as statements:
        outcome = signup.register(event, person())
        db.session.commit()
    assert outcome.registration.status is RegistrationStatus.CONFIRMED
    seat = next(n for n, statement in enumerate(statements) if statement.startswith("UPDATE seat_pools"))
    assert any(statement.startswith("INSERT INTO outbox_messages") for statement in statements[:seat])
    assert all(statement.startswith(("RELEASE SAVEPOINT", "COMMIT")) for statement in statements[seat + 1:]), \
        statements[seat + 1:]


def test_when_the_last_seat_goes_meanwhile_the_registration_waits_and_no_confirmation_is_queued(open_event):
    event = open_event(capacity=2)
    signup.register(event, person())
    db.session.commit()

    done = []

    def another_registrant_takes_the_last_seat(conn, cursor, statement, *args):
        # Between this registration's look at the counter and its seat: a real write, on a
        # connection of its own, committed, as another request's would be.
        if statement.startswith("INSERT INTO registrations") and not done:
            done.append(True)
            with db.engine.connect() as other:
                other.execute(update(SeatPool).where(SeatPool.event_id == event.id).values(taken=2))
                other.commit()

    sa_event.listen(db.engine, "before_cursor_execute", another_registrant_takes_the_last_seat)
    try:
        outcome = signup.register(event, person(email="late@example.org"))
        db.session.commit()
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", another_registrant_takes_the_last_seat)
    assert done
    assert outcome.registration.status is RegistrationStatus.WAITLISTED
    assert db.session.scalar(select(SeatPool.taken).where(SeatPool.event_id == event.id)) == 2
    kinds = list(db.session.scalars(select(OutboxMessage.kind)
                                    .where(OutboxMessage.recipient_email == "late@example.org")))
    assert kinds == ["registration_waitlisted"]
    assert db.session.scalar(select(func.count(OutboxMessage.id)).where(
        OutboxMessage.kind == "registration_confirmed")) == 1  # the first registrant's only
