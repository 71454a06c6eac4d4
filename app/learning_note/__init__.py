"""Stage 5: the thematic learning note. Once an event is finished, a draft is generated from what
the meeting produced (the capture stage's entries and votes, the background document, the
registrations' figures); organisers and facilitators write its narrative parts in both languages;
organisers publish it as numbered versions, each readable as a page, a PDF and a Word document.

Modules: `models` (the draft, its versions, their rendered files), `sources` (reads from the other
stages), `content` (the one content model and its view in one language), `services` (generate,
write, publish), `render`, `pdf` (WeasyPrint with a fetcher limited to the static folder), `word`
(.docx), `notifications` (the email, and generation when the event finishes), `routes`
(blueprint `learning_note`) and `manage_routes` (blueprint `learning_note_manage`)."""

from flask import Flask


def init_app(app: Flask) -> None:
    from app.learning_note import notifications
    from app.learning_note.manage_routes import manage_bp
    from app.learning_note.routes import bp
    from app.learning_note.stage import SPEC
    from app.stages import register_stage

    app.register_blueprint(bp)
    app.register_blueprint(manage_bp)
    register_stage(app, SPEC)
    notifications.init_app(app)
