"""Staff accounts, roles, sign-in and who may do what."""

from flask import Flask


def init_app(app: Flask) -> None:
    from app.auth.notifications import register_kinds
    from app.auth.routes import bp

    app.register_blueprint(bp)
    register_kinds(app)
