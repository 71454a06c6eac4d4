"""The peer-learning event app: create_app() builds it for one configuration."""

import importlib
import os

from flask import Flask, current_app, render_template, request, session
from flask_babel import lazy_gettext as _l
from flask_login.config import COOKIE_NAME
from flask_wtf.csrf import CSRFError
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.routing import IntegerConverter

from app import extensions
from app.db_types import MAX_ROW_ID
from app.extensions import babel, csrf, db, login_manager, migrate
from app.models import load_models
from config import CONFIGS, DEFAULT_CONFIG, INSTANCE_DIR, ProductionConfig, environment_overrides

# The stages, in the order the hub shows them: each package's `init_app(app)` registers its
# blueprints, its StageSpec, its mail kinds and its signal receivers (app/stages.py).
STAGE_PACKAGES = ("app.background", "app.agenda", "app.field_visit", "app.registration", "app.capture",
                  "app.learning_note")

ERROR_MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Go back and try again.")),
    403: (_l("Not allowed"), _l("Your account does not give you access to this page.")),
    404: (_l("Page not found"), _l("This page does not exist or is not public. Check the address.")),
    405: (_l("Not allowed"), _l("This page cannot be used this way.")),
    413: (_l("Too large"), _l("What you sent is too large.")),
    500: (_l("Something went wrong"),
          _l("An unexpected error happened on our side. Nothing you entered before this step is lost; "
             "please try again in a moment.")),
}
CSRF_MESSAGE = _l("This form has expired, or cookies are blocked. Go back, reload the page and send it again.")


def create_app(config: str | type | None = None, overrides: dict | None = None) -> Flask:
    """Build the app. `config` is a name from config.CONFIGS (default: APP_ENV, else
    production: development is chosen on purpose) or a config class; `overrides` are set last
    (tests use them)."""
    load_models()
    config_name = config if isinstance(config, str) else None
    if config is None:
        config_name = os.environ.get("APP_ENV", "").strip() or DEFAULT_CONFIG
    if config_name and config_name not in CONFIGS:
        raise RuntimeError(f"APP_ENV must be one of {', '.join(CONFIGS)}, not {config_name!r}.")
    config_class = CONFIGS[config_name] if config_name else config

    app = Flask(__name__, instance_path=str(INSTANCE_DIR))
    # Every <int:…> in a URL is an id: one too large for the database is a 404, not a database error.
    app.url_map.converters["int"] = RowIdConverter
    app.config.from_object(config_class)
    app.config.update(environment_overrides(config_name or ""))
    app.config.update(overrides or {})
    if config_class is ProductionConfig:
        ProductionConfig.check(app.config)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:"):
        INSTANCE_DIR.mkdir(exist_ok=True)
        # A file on this machine does not drop connections: no ping before every request.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**app.config["SQLALCHEMY_ENGINE_OPTIONS"], "pool_pre_ping": False}
    if app.config.get("PROXY_COUNT"):
        from app.proxies import TrustedProxyFix

        app.wsgi_app = TrustedProxyFix(app.wsgi_app, app.config["TRUSTED_PROXIES"], app.config["PROXY_COUNT"])

    _init_extensions(app)
    _register_core(app)
    for package in STAGE_PACKAGES:
        importlib.import_module(package).init_app(app)
    importlib.import_module("app.library").init_app(app)  # not a stage: it reads what the stages publish
    importlib.import_module("app.staff").init_app(app)  # not a stage: the staff's overview of the network
    _register_error_pages(app)
    _register_templating(app)
    return app


class RowIdConverter(IntegerConverter):
    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ROW_ID)
        super().__init__(map, *args, **kwargs)


def _register_core(app: Flask) -> None:
    """What every stage builds on: accounts, events and their lifecycle, mail, health, commands."""
    from app.auth import init_app as init_auth
    from app.cli import register_commands
    from app.events import init_app as init_events
    from app.health import bp as health_bp
    from app.mail import init_app as init_mail

    init_auth(app)
    init_events(app)
    init_mail(app)
    app.register_blueprint(health_bp)
    register_commands(app)


def _init_extensions(app: Flask) -> None:
    from app.i18n import remember_language, select_locale
    from app.page_cache import PageCache

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"), compare_type=True,
                     render_as_batch=True)
    csrf.init_app(app)
    # `app.mail` is the mail package; the Flask-Mail extension is `app.extensions.mail`.
    extensions.mail.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    app.extensions["page_cache"] = PageCache()
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(_load_user)
    if not sa_event.contains(Engine, "connect", _sqlite_pragmas):
        sa_event.listen(Engine, "connect", _sqlite_pragmas)
    from app import schema

    schema.init_app(app)  # first: nothing else may touch a database the code does not match
    app.before_request(_refuse_unsafe_url_values)
    app.after_request(remember_language)
    app.after_request(_security_headers)


def _refuse_unsafe_url_values():
    """A slug or token with a NUL (or another control character) names nothing: 404, before any
    view hands it to the database (PostgreSQL refuses a NUL with an error)."""
    from flask import abort

    from app.forms import unsafe_text

    if any(unsafe_text(value) for value in (request.view_args or {}).values()):
        abort(404)


def _load_user(session_token: str):
    from app.auth.sessions import load_user

    return load_user(session_token)


def _sqlite_pragmas(dbapi_connection, connection_record):
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


def _has_token_in_url() -> bool:
    """A participant's link, an invitation or a password reset: the URL itself is the key."""
    return any("token" in name for name in (request.view_args or {}))


def _is_personal_page() -> bool:
    """Staff pages, pages a token opens, and any page for a signed-in (or remembered) browser:
    no shared or browser cache may keep them."""
    if request.path.startswith("/manage") or _has_token_in_url():
        return True
    remember_cookie = current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME)
    return "_user_id" in session or remember_cookie in request.cookies


def _security_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if _has_token_in_url():
        # Never sent onwards: a link followed from the page, or an image, would carry the token.
        response.headers["Referrer-Policy"] = "no-referrer"
    else:
        response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.endpoint != "static" and _is_personal_page() and "no-store" not in response.headers.get(
            "Cache-Control", ""):
        response.headers["Cache-Control"] = "no-store, private"
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'self'",
    )
    return response


def _render_error(code: int, title, message):
    return render_template("errors/error.html", code=code, title=title, message=message), code


def _register_error_pages(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _render_error(400, ERROR_MESSAGES[400][0], CSRF_MESSAGE)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        title, message = ERROR_MESSAGES.get(error.code, (error.name, error.description))
        return _render_error(error.code, title, message)

    @app.errorhandler(InternalServerError)
    def server_error(error):
        db.session.rollback()
        return _render_error(500, *ERROR_MESSAGES[500])


def _register_templating(app: Flask) -> None:
    from app.auth.forms import ROLE_LABELS
    from app.events.labels import FORMAT_LABELS, STATE_LABELS, TRANSITION_LABELS
    from app.forms import SEARCH_REFUSED, error_summary
    from app.i18n import (
        LANGUAGE_NAMES,
        city_name,
        colon,
        country_name,
        current_language,
        file_size,
        format_date_range,
        format_day,
        format_local_datetime,
        install_french_elision,
        language_switch_url,
        local_moment,
        local_time,
        localized,
        other_language,
        render_localized,
        semicolon,
        typed_text,
        written_in,
    )
    from app.links import link_to, map_link, webcal_url
    from app.stages import STATUS_LABELS

    app.jinja_env.globals.update(
        localized=localized, current_language=current_language, other_language=other_language,
        language_switch_url=language_switch_url, format_date_range=format_date_range,
        country_name=country_name, city_name=city_name, LANGUAGE_NAMES=LANGUAGE_NAMES, colon=colon,
        semicolon=semicolon, written_in=written_in,
        STATE_LABELS=STATE_LABELS, FORMAT_LABELS=FORMAT_LABELS, STAGE_STATUS_LABELS=STATUS_LABELS,
        TRANSITION_LABELS=TRANSITION_LABELS, ROLE_LABELS=ROLE_LABELS, link_to=link_to, webcal_url=webcal_url,
        SEARCH_REFUSED=SEARCH_REFUSED, error_summary=error_summary, map_link=map_link,
    )
    app.jinja_env.filters["localized_html"] = render_localized
    app.jinja_env.filters.update(format_local_datetime=format_local_datetime, format_day=format_day,
                                 local_time=local_time, local_moment=local_moment, file_size=file_size,
                                 typed=typed_text)
    install_french_elision(app.jinja_env)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def request_globals():
        return {"request_endpoint": request.endpoint}
