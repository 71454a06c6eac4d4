"""Several delivery workers at once never send a message twice."""

import email
import threading
from email import policy

import pytest
from sqlalchemy import select

from app.extensions import db
from app.mail.delivery import deliver_due
from app.mail.models import OutboxMessage, OutboxStatus
from app.mail.recipients import Recipient
from app.mail.services import queue_message

COUNT = 50


def _run_two_workers(app, make, mail_sink) -> dict[str, int]:
    event = make.event()
    for number in range(COUNT):
        queue_message("private_link_resent", Recipient(f"p{number}@example.net", f"Personne {number}", "fr"),
                      event=event)
    db.session.commit()
    barrier = threading.Barrier(2)
    sent: dict[str, int] = {}
    errors: list[BaseException] = []

    def work(name: str) -> None:
        try:
            with app.app_context():
                barrier.wait()
                total = 0
                while True:
                    report = deliver_due(batch_size=5, worker_id=name)
                    total += report.sent
                    if report.claimed == 0:
                        break
                sent[name] = total
                db.session.remove()
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=work, args=(f"worker-{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    files = mail_sink.wait(COUNT)
    message_ids = [email.message_from_bytes(p.read_bytes(), policy=policy.default)["Message-ID"] for p in files]
    assert len(files) == COUNT and len(set(message_ids)) == COUNT, "each message arrives exactly once"
    statuses = db.session.scalars(select(OutboxMessage.status)).all()
    assert statuses == [OutboxStatus.SENT] * COUNT
    assert sum(sent.values()) == COUNT
    return sent


@pytest.mark.postgres
def test_two_workers_at_once_on_postgresql_skip_locked_rows(app, make, mail_sink):
    sent = _run_two_workers(app, make, mail_sink)
    assert all(count > 0 for count in sent.values()), sent  # they worked side by side


def test_two_workers_at_once_never_send_twice(app, make, mail_sink):
    _run_two_workers(app, make, mail_sink)
