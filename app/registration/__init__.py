"""Participant registration: the public form, the participant's private page, and the organisers'
participant table, waiting list, check-in and erasure."""

from flask import Flask


def init_app(app: Flask) -> None:
    from app.registration import notifications
    from app.registration.cli import registrations_cli
    from app.registration.routes import bp, manage_bp
    from app.registration.stage import SPEC
    from app.stages import register_stage

    app.register_blueprint(bp)
    app.register_blueprint(manage_bp)
    app.cli.add_command(registrations_cli)
    register_stage(app, SPEC)
    notifications.init_app(app)
