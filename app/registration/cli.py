"""`flask registrations …`: housekeeping that cron runs. Each command is safe to run at any time."""

import click
from flask import current_app

from app.extensions import db


@click.group("registrations")
def registrations_cli() -> None:
    """Participant registration housekeeping."""


@registrations_cli.command("purge")
@click.option("--days", type=click.IntRange(min=0), default=None,
              help="Retention period in days (default: REGISTRATION_RETENTION_DAYS).")
def purge(days: int | None) -> None:
    """Anonymise participants of events that ended more than the retention period ago."""
    from app.registration.privacy import purge_personal_data

    days = current_app.config["REGISTRATION_RETENTION_DAYS"] if days is None else days
    count = purge_personal_data(retention_days=days)
    db.session.commit()
    click.echo(f"Anonymised {count} registration(s) of events that ended more than {days} days ago.")


@registrations_cli.command("expire-offers")
def expire_offers() -> None:
    """Pass offered places not accepted in time to the next person on the waiting list."""
    from app.registration.waitlist import expire_offers as expire

    expired = expire()
    db.session.commit()
    click.echo(f"{len(expired)} offer(s) expired and passed on.")
