"""The embedded default: a thread of the web process delivers seconds after the commit."""

import time

from app import create_app
from app.events.models import EventState
from app.extensions import db
from app.mail import worker
from app.mail.models import OutboxMessage, OutboxStatus
from app.mail.recipients import Recipient
from app.mail.services import queue_message
from tests.mail.conftest import SENDER, assert_passes


def test_the_test_app_never_starts_the_thread(app, client):
    client.get("/healthz")
    assert worker._thread is None


def test_a_commit_that_queued_mail_wakes_the_thread(app, make):
    worker._wake.clear()
    event = make.event()
    worker._wake.clear()
    queue_message("private_link_resent", Recipient("a@example.net", "A", "en"), event=event)
    assert not worker._wake.is_set()
    db.session.commit()
    assert worker._wake.is_set()
    worker._wake.clear()
    db.session.commit()
    assert not worker._wake.is_set(), "only commits that queued mail wake it"


def test_thread_mode_delivers_within_seconds_without_another_step(app, make, mail_sink, database_url):
    web = create_app("testing", {
        "TESTING": False, "MAIL_DELIVERY": "thread", "SQLALCHEMY_DATABASE_URI": database_url,
        "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": mail_sink.port, "MAIL_DEFAULT_SENDER": SENDER,
        "MAIL_POLL_SECONDS": 30,  # only the wake-up after the commit can make it fast
    })
    event = make.event(make.city("Lyon"), EventState.OPEN)
    try:
        web.test_client().get("/healthz")  # the first request starts the thread
        assert worker._thread is not None and worker._thread.is_alive()
        with web.app_context():
            queue_message("private_link_resent", Recipient("zoe@example.net", "Zoé Lefèvre-Ben Saïd", "fr"),
                          event=db.session.get(type(event), event.id))
            started = time.monotonic()
            db.session.commit()
            db.session.remove()
        [path] = mail_sink.wait(1, timeout=10)
        assert time.monotonic() - started < 5
    finally:
        worker.stop()
    assert_passes([path])
    db.session.expire_all()
    assert db.session.query(OutboxMessage).one().status is OutboxStatus.SENT
