"""Bilingual emails: the outbox, its delivery and the calendar invitations they carry.

The mail package knows no stage. Stages register their kinds of message
(`app.mail.kinds.register_kind`), queue them with `app.mail.services.queue_message` from their own
`notifications.py`, and the registration stage gives event-wide messages their recipients
(`app.mail.recipients.register_participant_source`).
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from app.mail import worker
    from app.mail.cli import mail_cli
    from app.mail.routes import bp

    app.register_blueprint(bp)
    app.cli.add_command(mail_cli)
    worker.install(app)
