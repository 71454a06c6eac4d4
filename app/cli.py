"""Commands for `flask`: accounts, demo data and lifecycle housekeeping."""

import click
from flask import Flask, current_app

from app.extensions import db
from app.links import link_to


def register_commands(app: Flask) -> None:
    app.cli.add_command(create_admin)
    app.cli.add_command(seed_demo)
    app.cli.add_command(events_cli)


@click.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Prompted for when not given; use the ADMIN_PASSWORD variable in scripts.",
              envvar="ADMIN_PASSWORD")
def create_admin(email: str, name: str, password: str) -> None:
    """Create an administrator account."""
    from app.auth.models import Role
    from app.auth.services import create_user
    from app.domain import DomainError

    try:
        user = create_user(None, email=email, name=name, role=Role.ADMIN, password=password)
    except DomainError as error:
        raise click.ClickException(" ".join(str(each.message) for each in error.all_errors)) from None
    db.session.commit()
    click.echo(f"Administrator {user.email} created.")


@click.command("seed-demo")
@click.option("--scale", type=click.FloatRange(min=0.01, max=10), default=None, is_flag=False, flag_value=1.0,
              help="Also load the network at the size the benchmarks measure: at 1 (the default with --scale), "
                   "20 finished and 4 upcoming events, 3,000 registrations, 2,000 captured entries with votes, "
                   "20 published notes. Deterministic.")
def seed_demo(scale: float | None) -> None:
    """Load the network's cities, policy areas and 2016–2021 events, and one upcoming demo event.

    Safe to run again: what exists already is left as it is."""
    from app.events.seed import DEMO_PASSWORDS, seed_all

    report = seed_all(with_demo_accounts=current_app.config["DEMO_ACCOUNTS"])
    db.session.commit()
    counts = {"Cities": report.cities, "policy areas": report.policy_areas, "events": report.events,
              "demo accounts": report.accounts, **report.stages}
    click.echo("; ".join(f"{label}: {count} new" for label, count in counts.items()) + ".")
    if scale is not None:
        from app.events.scale_seed import seed_scale_events

        scaled = seed_scale_events(scale)
        db.session.commit()
        click.echo(f"At scale {scale:g}: " + "; ".join(f"{label}: {count} new"
                                                        for label, count in scaled.counts.items()) + ".")
    if current_app.config["DEMO_ACCOUNTS"]:
        click.echo(f"Demo sign-in ({link_to('auth.login')}):")
        for email, password in DEMO_PASSWORDS.items():
            click.echo(f"  {email:32} {password}")


@click.group("events")
def events_cli() -> None:
    """Event lifecycle housekeeping."""


@events_cli.command("close-due")
def close_due() -> None:
    """Close registration of open events whose registration window has ended (cron-safe)."""
    from app.events.lifecycle import close_due_registrations

    closed = close_due_registrations()
    db.session.commit()
    click.echo(f"Closed {len(closed)} event(s): {', '.join(e.slug for e in closed) or '-'}")
