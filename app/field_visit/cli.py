"""`flask field-visit send-reminders` and `flask field-visit expire-offers` (both cron-safe)."""

import click

from app.extensions import db


@click.group("field-visit")
def field_visit_cli() -> None:
    """The field visit: reminders and offered places."""


@field_visit_cli.command("send-reminders")
def send_reminders() -> None:
    """Queue the reminder due the day before each visit (never twice)."""
    from app.field_visit.notifications import send_reminders as queue_reminders

    queued = queue_reminders()
    db.session.commit()
    click.echo(f"Queued {len(queued)} field visit reminder(s).")


@field_visit_cli.command("expire-offers")
def expire_offers() -> None:
    """Pass offered visit places not accepted in time to the next on the waiting list."""
    from app.field_visit.places import expire_offers as expire

    expired = expire()
    db.session.commit()
    click.echo(f"{len(expired)} offered place(s) passed on.")
