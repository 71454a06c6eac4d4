"""Stage 2: the agenda, its change log and its items in the calendars."""

from flask import Flask


def init_app(app: Flask) -> None:
    from app.agenda import notifications
    from app.agenda.routes import bp
    from app.agenda.stage import SPEC
    from app.stages import register_stage

    app.register_blueprint(bp)
    register_stage(app, SPEC)
    notifications.init_app(app)
