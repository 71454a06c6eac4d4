"""Participant registration: the public form, the participant's private page, and the organisers'
participant table, waiting list, check-in and erasure.

Modules, by concern: `signup` (registering, editing, cancelling), `waitlist` (seats, the waiting
list, offered places), `staff` (what organisers do, the settings), `privacy` (erasure, the
retention purge), `rate_limit` (the public form's), `queries` (every read); `public_routes`
(blueprint `registration`) and `manage_routes` (blueprint `registration_manage`).

For other stages: a participant's pages live under `/r/<token>/<stage-path>`. Such a view reads
the participant with `app.registration.queries.participant_from_token(token)`, which returns the
Registration or ends the request with the registration stage's bad-link page: 404 when the link
is forged, unknown or revoked, 410 when it has expired. Answer through
`app.registration.tokens.private_page(response)`, which keeps the page out of caches and search
engines:

    @bp.get("/r/<token>/field-visit")
    def participant_visit(token: str):
        registration = participant_from_token(token)
        return private_page(Response(render_template("field_visit/participant.html", registration=registration)))
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from app.registration import notifications
    from app.registration.cli import registrations_cli
    from app.registration.manage_routes import manage_bp
    from app.registration.public_routes import bp
    from app.registration.stage import SPEC
    from app.stages import register_stage

    app.register_blueprint(bp)
    app.register_blueprint(manage_bp)
    app.cli.add_command(registrations_cli)
    register_stage(app, SPEC)
    notifications.init_app(app)
