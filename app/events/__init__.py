"""Cities, events and their lifecycle: the network's pages, the event hub, the staff workspace and
the calendar feeds that gather what every stage puts in them."""

from flask import Flask


def init_app(app: Flask) -> None:
    from app.events import notifications
    from app.events.routes import bp, manage_bp

    app.register_blueprint(bp)
    app.register_blueprint(manage_bp)
    notifications.init_app(app)
