"""Settings for each way the app runs.

`create_app()` takes the class named by APP_ENV (development, testing or production), then
`environment_overrides()` applies the environment variables documented in the README. The
environment is read when the app is created, not when this module is imported.

Without APP_ENV the app starts as production, which refuses to run with a weak or missing
SECRET_KEY or with the debugger on: development is chosen on purpose (`make run` does).
"""

import os
from datetime import timedelta
from email.utils import parseaddr
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"

# A key for development only: production refuses to start with it.
DEVELOPMENT_SECRET_KEY = "development-only-not-secret"


class Config:
    SECRET_KEY = DEVELOPMENT_SECRET_KEY
    SQLALCHEMY_DATABASE_URI = f"sqlite:///{INSTANCE_DIR / 'events.sqlite'}"
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    LANGUAGES = ("en", "fr")
    LANGUAGE_COOKIE = "lang"

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # "Keep me signed in" lasts this long; the server ends a session unused for STAFF_SESSION_IDLE_DAYS.
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    STAFF_SESSION_IDLE_DAYS = 30
    WTF_CSRF_TIME_LIMIT = 6 * 3600
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    # Wrong staff passwords allowed per account from one client address, and per client address for
    # any accounts, within the window (seconds); then that client waits LOGIN_DELAY_SECONDS before
    # its next try, twice as long after each further failure (at most the window).
    LOGIN_FAILURE_LIMIT = 5
    LOGIN_CLIENT_FAILURE_LIMIT = 50
    LOGIN_FAILURE_WINDOW = 900
    LOGIN_DELAY_SECONDS = 15
    PASSWORD_HASH_METHOD = "scrypt"
    # Links to choose a password: an invitation lasts this many hours, a reset this many minutes.
    INVITATION_LINK_HOURS = 7 * 24
    PASSWORD_RESET_LINK_MINUTES = 60
    # "Forgot your password?": links sent per address, and requests per client address, per window.
    PASSWORD_RESET_LIMIT = 3
    PASSWORD_RESET_CLIENT_LIMIT = 10
    PASSWORD_RESET_WINDOW = 3600

    MAIL_SERVER = ""
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_DEFAULT_SENDER = "MC2CM events <events@mc2cm-events.local>"
    # A person (or the team's shared mailbox) who answers participants when the host city has no
    # organiser account: invitations name them as ORGANIZER and replies go to them.
    NETWORK_CONTACT = "MC2CM project team <mc2cm@mc2cm-events.local>"
    # How queued mail goes out: "thread" (a background thread of the web process, woken by every
    # commit that queued mail) or "worker" (only `flask mail deliver --loop` processes send).
    MAIL_DELIVERY = "thread"
    MAIL_POLL_SECONDS = 2
    MAIL_BATCH_SIZE = 100
    MAIL_MAX_ATTEMPTS = 8
    MAIL_RETRY_BASE_SECONDS = 60
    MAIL_RETRY_MAX_SECONDS = 6 * 3600
    # A message left "sending" this long (its worker died) is queued again.
    MAIL_SENDING_TIMEOUT = 600
    # Seconds to wait for the SMTP server before giving up on this try.
    MAIL_TIMEOUT = 30
    # Where participants reach the app: the links in emails and invitations start with it.
    PUBLIC_URL = "http://127.0.0.1:5000"

    # Demo accounts with published passwords exist only where nobody can be harmed by them.
    DEMO_ACCOUNTS = False
    # How many reverse proxies in front of the app set X-Forwarded-* (0: none), and the addresses
    # (or networks) they reach the app from, "unix" for a Unix socket: X-Forwarded-* from anything
    # else is ignored.
    PROXY_COUNT = 0
    TRUSTED_PROXIES = "127.0.0.1, ::1, unix"

    # Participants' private links stay valid until this many days after their event ends.
    REGISTRATION_LINK_DAYS_AFTER_EVENT = 90
    # And never longer than this after they were sent (seconds), whatever the event's dates.
    REGISTRATION_LINK_MAX_AGE = 2 * 366 * 24 * 3600
    # The public form accepts this many submissions per client address in the window (seconds):
    # high, since a whole delegation may register from behind one city hall's network…
    REGISTRATION_RATE_LIMIT = 120
    # … and this many for one email address in the same window.
    REGISTRATION_EMAIL_RATE_LIMIT = 5
    REGISTRATION_RATE_WINDOW = 600
    # `flask registrations purge` anonymises participants this many days after their event ended.
    REGISTRATION_RETENTION_DAYS = 365
    # Someone who sends the form again (or double-clicks) gets their private link again at most
    # once in this many seconds; an organiser's "New link" always goes out.
    PRIVATE_LINK_RESEND_SECONDS = 300
    # Development only: also show the private link after registering (it is emailed, or printed to
    # the console when no MAIL_SERVER is set).
    REGISTRATION_SHOW_LINK = False
    # Where uploaded files (the background documents' PDFs) are kept; None: instance/uploads.
    # Several hosts behind one database need this on storage they all share.
    UPLOAD_DIR = None
    # Largest PDF an organiser may attach to a background document, in bytes.
    BACKGROUND_PDF_MAX_BYTES = 10 * 1024 * 1024
    # The right-hand side of every iCalendar UID; changing it makes calendars see new events.
    ICAL_UID_DOMAIN = "mc2cm-events.local"


class DevelopmentConfig(Config):
    DEMO_ACCOUNTS = True
    REGISTRATION_SHOW_LINK = True


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret-key"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    WTF_CSRF_ENABLED = False
    DEMO_ACCOUNTS = True
    # Hashing stays real but cheap, so that a suite creating hundreds of accounts runs fast.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    PROXY_COUNT = 1
    MAIL_DELIVERY = "worker"

    @staticmethod
    def check(config: dict) -> None:
        if not strong_secret_key(config.get("SECRET_KEY")):
            raise RuntimeError(
                "Production needs SECRET_KEY set to a random value of at least 32 characters, "
                'for example: python -c "import secrets; print(secrets.token_hex(32))". '
                "(APP_ENV is production unless set: for development, APP_ENV=development, as `make run` does.)"
            )
        if "DATABASE_URL" not in os.environ:
            raise RuntimeError("Production needs DATABASE_URL (a PostgreSQL URL).")
        if config.get("DEBUG") or os.environ.get("FLASK_DEBUG", "").strip().lower() in _TRUE:
            raise RuntimeError("Production refuses FLASK_DEBUG: the debugger runs any code a visitor sends it.")
        if not config.get("WTF_CSRF_ENABLED", True):
            raise RuntimeError("Production refuses WTF_CSRF_ENABLED off: every form needs its CSRF token.")
        if config.get("PROXY_COUNT") and not str(config.get("TRUSTED_PROXIES") or "").strip():
            raise RuntimeError("Production behind a proxy (PROXY_COUNT) needs TRUSTED_PROXIES: the addresses the "
                               "proxy reaches the app from. Forwarded headers from anything else are ignored.")
        if "@" not in parseaddr(str(config.get("NETWORK_CONTACT") or ""))[1]:
            raise RuntimeError("Production needs NETWORK_CONTACT, the network's contact address "
                               '("MC2CM project team <team@example.org>"): invitations and replies go to it for '
                               "host cities that have no organiser yet.")


# Keys published with the code: anyone could sign sessions and links with them.
PUBLISHED_KEYS = {DEVELOPMENT_SECRET_KEY, "testing-secret-key"}


def strong_secret_key(key: str | None) -> bool:
    """At least 32 characters, not a published key, not a repeated pattern ("xxxx…")."""
    key = key or ""
    return len(key) >= 32 and key not in PUBLISHED_KEYS and len(set(key)) >= 10


# The configuration when APP_ENV is not set: the safe one.
DEFAULT_CONFIG = "production"

CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}

_TRUE = {"1", "true", "yes", "on"}


def environment_overrides(config_name: str) -> dict:
    """The settings that the environment sets, converted to their types."""
    env = os.environ
    overrides: dict = {}
    if "SECRET_KEY" in env:
        overrides["SECRET_KEY"] = env["SECRET_KEY"]
    database_variable = "TEST_DATABASE_URL" if config_name == "testing" else "DATABASE_URL"
    if env.get(database_variable):
        overrides["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(env[database_variable])
    for name in ("MAIL_SERVER", "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_DEFAULT_SENDER", "NETWORK_CONTACT"):
        if name in env:
            overrides[name] = env[name] or None
    if "TRUSTED_PROXIES" in env:
        overrides["TRUSTED_PROXIES"] = env["TRUSTED_PROXIES"].strip()
    for name in ("UPLOAD_DIR", "ICAL_UID_DOMAIN", "MAIL_DELIVERY", "PUBLIC_URL"):
        if env.get(name):
            overrides[name] = env[name].strip()
    for name in ("MAIL_PORT", "MAX_CONTENT_LENGTH", "PROXY_COUNT", "BACKGROUND_PDF_MAX_BYTES",
                 "REGISTRATION_RETENTION_DAYS", "REGISTRATION_RATE_LIMIT", "REGISTRATION_EMAIL_RATE_LIMIT",
                 "REGISTRATION_RATE_WINDOW",
                 "REGISTRATION_LINK_DAYS_AFTER_EVENT", "MAIL_MAX_ATTEMPTS", "MAIL_BATCH_SIZE",
                 "MAIL_SENDING_TIMEOUT", "LOGIN_FAILURE_LIMIT", "LOGIN_CLIENT_FAILURE_LIMIT",
                 "LOGIN_FAILURE_WINDOW", "LOGIN_DELAY_SECONDS", "INVITATION_LINK_HOURS", "PASSWORD_RESET_LINK_MINUTES",
                 "PASSWORD_RESET_LIMIT", "PASSWORD_RESET_CLIENT_LIMIT", "PASSWORD_RESET_WINDOW",
                 "STAFF_SESSION_IDLE_DAYS"):
        if env.get(name):
            overrides[name] = int(env[name])
    for name in ("MAIL_USE_TLS", "MAIL_USE_SSL", "SESSION_COOKIE_SECURE"):
        if name in env:
            overrides[name] = env[name].strip().lower() in _TRUE
    if "SESSION_COOKIE_SECURE" in overrides:
        overrides["REMEMBER_COOKIE_SECURE"] = overrides["SESSION_COOKIE_SECURE"]
    return overrides


def normalise_database_url(url: str) -> str:
    """Accept the postgres:// and postgresql:// forms that hosts hand out; we drive psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
