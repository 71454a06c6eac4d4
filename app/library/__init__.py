"""The network's library: what every city learned, recommended and took up. Not a stage: it reads
what the stages publish (app.stages.LibrarySource: the learning notes once their stage declares
them, capture's final recommendations read by `recommendations`), keeps a searchable index of it
(`index`, `search`), computes the network's figures (`figures`, `charts`), and serves /library,
the SDG pages, /cities/<slug> with the city's follow-up, the exports and the Atom feed (`routes`).

`init_app(app)` runs after the stages' (create_app), so that every stage's spec is known."""

from flask import Flask


def init_app(app: Flask) -> None:
    from app.library import recommendations, seed
    from app.library.cli import library_cli
    from app.library.routes import bp, manage_bp
    from app.stages import register_library_source, register_seed

    app.register_blueprint(bp)
    app.register_blueprint(manage_bp)
    register_library_source(app, recommendations.SOURCE)
    register_seed(app, seed.seed, rank=10)  # after every stage's: it completes their past events
    app.cli.add_command(library_cli)
    app.jinja_env.filters.update(iso_day=_iso_day, fr_spaced=_fr_spaced)


def _iso_day(value: str):
    """A day kept as text in the index ("2019-03-15") as a date, for `format_day`."""
    from datetime import date

    return date.fromisoformat(value)


def _fr_spaced(value):
    """French text (a LocalizedText in French, or any text on a French page) with French spacing."""
    from app.i18n import LocalizedText, current_language, french_spacing

    if isinstance(value, LocalizedText):
        return LocalizedText(french_spacing(value.text), value.lang, value.is_fallback) if value.lang == "fr" else value
    return french_spacing(value) if current_language() == "fr" else value

