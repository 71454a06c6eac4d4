"""Claiming on PostgreSQL: a second worker takes other rows at once while the first holds its locks
(`FOR UPDATE SKIP LOCKED`), never waits for them, never takes the same ones. Runs in CI's
PostgreSQL pass (TEST_DATABASE_URL); SQLite serialises writers and claims with one UPDATE."""

import threading
import time

import pytest
from sqlalchemy import select

from app.db_types import utcnow
from app.extensions import db
from app.mail.delivery import claim
from app.mail.models import OutboxMessage, OutboxStatus
from app.mail.recipients import Recipient
from app.mail.services import queue_message

WAIT_LIMIT = 5  # seconds: far more than a claim takes, far less than a lock wait that never ends


@pytest.mark.postgres
def test_a_second_worker_takes_other_rows_without_waiting_for_the_first(app, make):
    event = make.event()
    for number in range(10):
        queue_message("private_link_resent", Recipient(f"p{number}@example.net", f"P {number}", "fr"), event=event)
    db.session.commit()
    now = utcnow()

    # The first worker, inside its claim: the first five due rows locked, its transaction still open.
    first = db.engine.connect()
    first_transaction = first.begin()
    held = set(first.scalars(
        select(OutboxMessage.id).where(OutboxMessage.status == OutboxStatus.QUEUED)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(5).with_for_update(skip_locked=True)
    ))
    assert len(held) == 5

    result: dict = {}

    def second_worker():
        try:
            with app.app_context():
                started = time.monotonic()
                result["ids"] = claim(5, "second", now)
                result["seconds"] = time.monotonic() - started
                db.session.remove()
        except BaseException as error:  # reported in the test's thread
            result["error"] = error

    thread = threading.Thread(target=second_worker, daemon=True)
    thread.start()
    thread.join(timeout=WAIT_LIMIT)
    waited = thread.is_alive()
    first_transaction.rollback()  # lets a second worker that was waiting go on, whatever happened
    first.close()
    thread.join(timeout=30)
    assert not waited, f"the second worker waited more than {WAIT_LIMIT} s for the first one's locks"
    assert "error" not in result, result.get("error")
    assert len(result["ids"]) == 5 and not set(result["ids"]) & held, (result["ids"], held)
    taken = db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(result["ids"]))).all()
    assert {m.status for m in taken} == {OutboxStatus.SENDING} and {m.locked_by for m in taken} == {"second"}
