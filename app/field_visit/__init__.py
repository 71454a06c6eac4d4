"""Stage 3 of the agenda's steps: the field visit proposed by the host city. An event has one or more
visits (parallel options happen), each with its stops in order, a meeting point and times, places
and a waiting list; participants sign up from their page `/r/<token>`.

Modules: `models`, `queries` (every read; other stages name a visit through `visit_choices`,
`visits_of` and `visit_of`: the capture stage's observations belong to a visit, a foreign key to
`field_visits.id`), `places` (the
atomic place counter and the waiting list), `signups` (the participant's rules), `services` (what
organisers do), `calendar` (feeds and invitations), `notifications` (emails, and what a change of
registration does to a place), `panel` (the participant page's section), `routes`, `seed`, `cli`.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from app.field_visit import notifications
    from app.field_visit.cli import field_visit_cli
    from app.field_visit.routes import bp, manage_bp
    from app.field_visit.stage import SPEC
    from app.stages import register_stage

    app.register_blueprint(bp)
    app.register_blueprint(manage_bp)
    app.cli.add_command(field_visit_cli)
    register_stage(app, SPEC)
    notifications.init_app(app)
