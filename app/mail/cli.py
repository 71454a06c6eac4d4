"""`flask mail deliver` and `flask mail send-reminders`."""

import signal
import threading

import click
from flask import current_app

from app.extensions import db


@click.group("mail")
def mail_cli() -> None:
    """The outbox: delivery and reminders."""


@mail_cli.command("deliver")
@click.option("--loop", is_flag=True, help="Keep running: send what is due, wait, repeat (a worker process).")
@click.option("--batch-size", type=int, default=None, help="Messages per SMTP connection (MAIL_BATCH_SIZE).")
@click.option("--interval", type=float, default=None, help="Seconds between rounds with --loop (MAIL_POLL_SECONDS).")
def deliver(loop: bool, batch_size: int | None, interval: float | None) -> None:
    """Send the messages that are due. Several can run at once, on several hosts."""
    from app.mail.delivery import deliver_due

    interval = interval if interval is not None else current_app.config["MAIL_POLL_SECONDS"]
    batch_size = batch_size or current_app.config["MAIL_BATCH_SIZE"]
    totals = {"sent": 0, "retried": 0, "failed": 0}
    stopping = threading.Event()
    # A service manager stops workers with SIGTERM: finish the message in flight, give back the rest.
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    try:
        while not stopping.is_set():
            report = deliver_due(batch_size=batch_size, should_stop=stopping.is_set)
            db.session.remove()
            for key in totals:
                totals[key] += getattr(report, key)
            if report.claimed or report.recovered:
                click.echo(f"sent {report.sent}, to retry {report.retried}, failed {report.failed}"
                           + (f", recovered {report.recovered}" if report.recovered else ""))
            if report.claimed == batch_size and not (report.retried or report.failed):
                continue  # more may be waiting
            if not loop:
                break
            stopping.wait(interval)
    except KeyboardInterrupt:
        pass
    click.echo(f"Done: {totals['sent']} sent, {totals['retried']} to retry, {totals['failed']} failed.")


@mail_cli.command("send-reminders")
def send_reminders() -> None:
    """Queue the reminders due a week and a day before each event (cron-safe: never twice)."""
    from app.mail.services import send_reminders as queue_reminders

    queued = queue_reminders()
    db.session.commit()
    click.echo(f"Queued {len(queued)} reminder(s).")
