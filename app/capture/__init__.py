"""Stage 4: recommendation capture. Facilitators record what the meeting produces (challenges,
opportunities, cases, field-visit observations, recommendations) from a console that keeps
working when the room's Wi-Fi drops; the room prioritises the recommendations from their own
pages (endorsements and priority dots); the live list and the big screen follow; organisers merge
duplicates, mark the final recommendations, close and export; cities record their follow-up.

Modules: `entries` (typing, editing, history), `voting` (settings, endorsements, dots), `curation`
(merges, final, follow-up), `queries` (every read), `live` (the live pages' 304s), `export`;
`routes` (blueprint `capture`, public and `/r/<token>/recommendations`) and `manage_routes`
(blueprint `capture_manage`)."""

from flask import Flask


def init_app(app: Flask) -> None:
    from app.capture.manage_routes import manage_bp
    from app.capture.routes import bp
    from app.capture.stage import SPEC
    from app.stages import register_stage

    app.register_blueprint(bp)
    app.register_blueprint(manage_bp)
    register_stage(app, SPEC)
