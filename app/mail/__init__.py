"""Bilingual emails: the outbox, its delivery and the calendar invitations they carry.

Other stages queue messages with `app.mail.services.queue_message` (kinds and their contexts in
`app.mail.kinds`) and give event-wide messages their recipients with
`app.mail.recipients.register_participant_source`.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from app.mail import subscribers, worker
    from app.mail.cli import mail_cli
    from app.mail.routes import bp

    app.register_blueprint(bp)
    app.cli.add_command(mail_cli)
    subscribers.connect()
    worker.install(app)
