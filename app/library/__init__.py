"""The network's library: what every city learned, recommended and took up. Not a stage: it reads
what the stages publish (app.stages.LibrarySource: the learning notes once their stage declares
them, capture's final recommendations read by `recommendations`) and keeps a searchable index of it
(`index`, `search`).

`init_app(app)` runs after the stages' (create_app), so that every stage's spec is known."""

from flask import Flask


def init_app(app: Flask) -> None:
    from app.library import recommendations
    from app.stages import register_library_source

    register_library_source(app, recommendations.SOURCE)
