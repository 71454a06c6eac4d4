"""Stage 1: the background document that sets a common understanding before the meeting."""

from flask import Flask


def init_app(app: Flask) -> None:
    from app.background import notifications
    from app.background.routes import bp
    from app.background.stage import SPEC
    from app.stages import register_stage

    app.register_blueprint(bp)
    register_stage(app, SPEC)
    notifications.init_app(app)
