"""Staff tools across the network, not a stage: the overview of the network's figures
(`/manage/overview`: events by state, registrations, deadlines, outbox failures), each a link to
the page where it is handled. It reads the registration and mail tables, as the library reads
what the stages publish.

`init_app(app)` runs after the stages' (create_app)."""

from flask import Flask


def init_app(app: Flask) -> None:
    from app.staff.routes import bp

    app.register_blueprint(bp)
