"""The embedded delivery: a daemon thread of the web process (MAIL_DELIVERY = "thread").

It starts with the first request (never in `flask` commands or under TESTING), sends what is due
every MAIL_POLL_SECONDS, and is woken at once by every commit that queued mail, so a message goes
out seconds after the action that caused it.
"""

import threading

from flask import Flask, current_app
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from app.extensions import db

_wake = threading.Event()
_stop = threading.Event()
_lock = threading.Lock()
_thread: threading.Thread | None = None


@sa_event.listens_for(Session, "after_commit")
def _wake_after_commit(session) -> None:
    if session.info.pop("mail_queued", False):
        _wake.set()


@sa_event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session) -> None:
    session.info.pop("mail_queued", None)


def _run(app: Flask) -> None:
    from app.mail.delivery import deliver_due

    interval = app.config["MAIL_POLL_SECONDS"]
    while not _stop.is_set():
        _wake.wait(interval)
        _wake.clear()
        if _stop.is_set():
            break
        try:
            with app.app_context():
                try:
                    while True:
                        report = deliver_due()
                        if report.claimed < app.config["MAIL_BATCH_SIZE"] or report.retried or report.failed:
                            break
                finally:
                    db.session.remove()
        except Exception:  # keep the thread alive; the next round tries again
            app.logger.exception("mail delivery thread: a round failed")


def ensure_thread() -> None:
    """Start the delivery thread of this process, once."""
    global _thread
    if _thread is not None and _thread.is_alive():
        return
    app = current_app._get_current_object()
    with _lock:
        if _thread is not None and _thread.is_alive():
            return
        _stop.clear()
        _thread = threading.Thread(target=_run, args=(app,), name="mail-delivery", daemon=True)
        _thread.start()
        app.logger.info("mail delivery thread started")


def stop(timeout: float = 10) -> None:
    """Stop this process's delivery thread (after its current round)."""
    global _thread
    _stop.set()
    _wake.set()
    if _thread is not None:
        _thread.join(timeout)
        _thread = None


def install(app: Flask) -> None:
    if app.config.get("MAIL_DELIVERY") == "thread" and not app.testing:
        app.before_request(ensure_thread)
