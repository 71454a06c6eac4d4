"""The worker's round trips (issue 14): its claim is taken for a batch and renewed for the batch on
a timer, its sent messages recorded a few dozen per commit, never one commit per message; what a
crash leaves unrecorded is recorded after the rollback when the database allows it."""

from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from app.extensions import db
from app.mail.delivery import RECORD_EVERY, deliver_due
from app.mail.models import OutboxMessage, OutboxStatus
from app.mail.recipients import Recipient
from app.mail.services import queue_message

COUNT = 60


def _queue(event, count: int = COUNT) -> None:
    for number in range(count):
        queue_message("private_link_resent", Recipient(f"p{number}@example.net", f"Personne {number}", "fr"),
                      event=event)
    db.session.commit()


def test_a_batch_is_recorded_in_a_few_commits_not_one_per_message(app, make, mail_sink):
    _queue(make.event())
    commits = []

    def record(connection):
        commits.append(connection)

    sa_event.listen(db.engine, "commit", record)
    try:
        report = deliver_due(batch_size=100)
    finally:
        sa_event.remove(db.engine, "commit", record)
    assert report.sent == COUNT
    assert len(mail_sink.wait(COUNT)) == COUNT
    # recover_stuck, the claim, one per RECORD_EVERY sent, the end of the batch
    assert len(commits) <= 3 + COUNT // RECORD_EVERY + 1, len(commits)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(OutboxMessage.id))
                             .where(OutboxMessage.status == OutboxStatus.SENT)) == COUNT


def test_claims_are_renewed_for_the_whole_batch_when_time_has_gone_by(app, make, mail_sink):
    _queue(make.event(), 5)
    renewals = []

    def record(conn, cursor, statement, *args):
        if statement.startswith("UPDATE outbox_messages SET locked_at"):
            renewals.append(statement)

    app.config["MAIL_SENDING_TIMEOUT"], timeout = 0, app.config["MAIL_SENDING_TIMEOUT"]  # renew before each
    sa_event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert deliver_due(batch_size=10).sent == 5
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", record)
        app.config["MAIL_SENDING_TIMEOUT"] = timeout
    assert len(renewals) == 5 and all("IN" in statement for statement in renewals)
    assert len(mail_sink.wait(5)) == 5
