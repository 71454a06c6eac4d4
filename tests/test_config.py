import secrets

import pytest

from app import create_app
from config import DEVELOPMENT_SECRET_KEY, normalise_database_url

STRONG_KEY = secrets.token_hex(32)


@pytest.fixture
def production_env(monkeypatch, tmp_path):
    """What production needs, on a throw-away SQLite file (no PostgreSQL needed to test settings)."""
    for name in ("APP_ENV", "FLASK_DEBUG", "SECRET_KEY", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SECRET_KEY", STRONG_KEY)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'production.sqlite'}")
    return monkeypatch


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


@pytest.mark.parametrize("key", [DEVELOPMENT_SECRET_KEY, "short-key", "testing-secret-key", "x" * 64,
                                 "abababababababababababababababababab"])
def test_production_refuses_a_development_or_short_key(monkeypatch, key):
    monkeypatch.setenv("SECRET_KEY", key)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


def test_production_needs_a_database_url(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", STRONG_KEY)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        create_app("production")


def test_production_starts_with_real_settings_and_secure_cookies(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", STRONG_KEY)
    monkeypatch.setenv("DATABASE_URL", "postgresql://events@db.internal/events")
    monkeypatch.setenv("MAIL_SERVER", "smtp.example.org")
    monkeypatch.setenv("MAIL_PORT", "587")
    monkeypatch.setenv("MAIL_USE_TLS", "true")
    app = create_app("production")
    assert app.config["SECRET_KEY"] == STRONG_KEY
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://events@db.internal/events"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["MAIL_SERVER"] == "smtp.example.org"
    assert app.config["MAIL_PORT"] == 587
    assert app.config["MAIL_USE_TLS"] is True
    assert app.config["DEMO_ACCOUNTS"] is False


def test_development_defaults_to_a_sqlite_file_in_instance(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app("development")
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("instance/events.sqlite")


def test_app_env_chooses_the_configuration(monkeypatch):
    monkeypatch.setenv("APP_ENV", "testing")
    assert create_app().config["TESTING"] is True


def test_without_app_env_the_app_starts_as_production(production_env):
    """`gunicorn wsgi:app` with nothing set is production: never the development key or demo accounts."""
    app = create_app()
    assert app.config["SECRET_KEY"] == STRONG_KEY
    assert app.config["DEMO_ACCOUNTS"] is False and app.config["REGISTRATION_SHOW_LINK"] is False
    assert app.config["SESSION_COOKIE_SECURE"] is True and app.config["MAIL_DELIVERY"] == "worker"


def test_without_app_env_the_development_key_is_refused(production_env):
    production_env.delenv("SECRET_KEY")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()
    production_env.setenv("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()


def test_an_unknown_app_env_is_refused(production_env):
    production_env.setenv("APP_ENV", "prod")
    with pytest.raises(RuntimeError, match="APP_ENV"):
        create_app()


@pytest.mark.parametrize("value", ["1", "true"])
def test_production_refuses_flask_debug(production_env, value):
    production_env.setenv("FLASK_DEBUG", value)
    with pytest.raises(RuntimeError, match="FLASK_DEBUG"):
        create_app("production")
    with pytest.raises(RuntimeError, match="FLASK_DEBUG"):
        create_app()


def test_production_refuses_csrf_turned_off(production_env):
    with pytest.raises(RuntimeError, match="CSRF"):
        create_app("production", {"WTF_CSRF_ENABLED": False})


def test_production_refuses_a_post_without_its_csrf_token(production_env):
    """CSRF as production runs it: a form sent without its token is refused before anything runs."""
    from flask_migrate import upgrade

    app = create_app("production")
    with app.app_context():
        upgrade()
    client = app.test_client()
    for path in ("/manage/login", "/manage/logout", "/manage/forgot-password"):
        response = client.post(path, base_url="https://events.example.org",
                               data={"email": "someone@example.org", "password": "whatever it is"})
        assert response.status_code == 400, path
        assert "This form has expired" in response.text


@pytest.mark.parametrize(("given", "expected"), [
    ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
    ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
    ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
    ("sqlite:///x.db", "sqlite:///x.db"),
])
def test_database_urls_are_normalised_for_psycopg3(given, expected):
    assert normalise_database_url(given) == expected


def test_upload_and_calendar_settings_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("UPLOAD_DIR", str(tmp_path))
    monkeypatch.setenv("ICAL_UID_DOMAIN", "events.example.org")
    monkeypatch.setenv("BACKGROUND_PDF_MAX_BYTES", "2048")
    app = create_app("testing")
    assert app.config["UPLOAD_DIR"] == str(tmp_path)
    assert app.config["ICAL_UID_DOMAIN"] == "events.example.org"
    assert app.config["BACKGROUND_PDF_MAX_BYTES"] == 2048


def test_calendar_and_upload_defaults():
    app = create_app("testing")
    assert app.config["ICAL_UID_DOMAIN"] == "mc2cm-events.local"
    assert app.config["BACKGROUND_PDF_MAX_BYTES"] == 10 * 1024 * 1024


def _whoami_app(**overrides):
    from flask_migrate import upgrade

    app = create_app("production", overrides or None)
    with app.app_context():
        upgrade()  # else every request is refused: a database behind the code

    @app.get("/whoami")
    def whoami():
        from flask import request

        return {"addr": request.remote_addr}

    return app


def _ask(app, peer: str, forwarded: str = "198.51.100.23"):
    return app.test_client().get("/whoami", environ_base={"REMOTE_ADDR": peer},
                                 headers={"X-Forwarded-For": forwarded, "X-Forwarded-Proto": "https"}).json


def test_production_believes_forwarded_addresses_only_from_its_proxy(production_env):
    app = _whoami_app()
    assert _ask(app, "127.0.0.1") == {"addr": "198.51.100.23"}, "the proxy on this host"
    # A client that reaches gunicorn directly cannot pass for another address (and reset its limits).
    assert _ask(app, "203.0.113.9") == {"addr": "203.0.113.9"}
    assert _ask(app, "203.0.113.9", "127.0.0.1")["addr"] == "203.0.113.9"


def test_behind_a_unix_socket_each_visitor_keeps_the_address_the_proxy_forwards(production_env):
    """gunicorn bound to a Unix socket (`--bind unix:…`, as docs/operations.md offers) gives every
    request an empty REMOTE_ADDR: without the address the proxy forwards, all visitors would be one
    client and share one set of limits (one guesser would slow everyone's sign-in)."""
    app = _whoami_app()
    assert _ask(app, "") == {"addr": "198.51.100.23"}
    assert _ask(app, "", "203.0.113.9") == {"addr": "203.0.113.9"}
    production_env.setenv("TRUSTED_PROXIES", "10.0.0.2")
    assert _ask(_whoami_app(), "")["addr"] == "", "a socket is trusted only while TRUSTED_PROXIES names it"


def test_trusted_proxies_come_from_the_environment(production_env):
    production_env.setenv("TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.10")
    app = _whoami_app()
    assert _ask(app, "10.1.2.3")["addr"] == "198.51.100.23"
    assert _ask(app, "192.0.2.10")["addr"] == "198.51.100.23"
    assert _ask(app, "127.0.0.1")["addr"] == "127.0.0.1", "only the configured proxies now"


def test_production_refuses_a_proxy_without_trusted_addresses_or_with_a_bad_one(production_env):
    production_env.setenv("TRUSTED_PROXIES", "")
    with pytest.raises(RuntimeError, match="TRUSTED_PROXIES"):
        create_app("production")
    production_env.setenv("TRUSTED_PROXIES", "proxy.internal")
    with pytest.raises(RuntimeError, match="TRUSTED_PROXIES"):
        create_app("production")


@pytest.mark.parametrize("value", ["", "   ", "MC2CM project team"])
def test_production_refuses_an_empty_network_contact(production_env, value):
    """Invitations' ORGANIZER and Reply-To fall back to it when a host city has no organiser: an
    empty one would send them with no address."""
    production_env.setenv("NETWORK_CONTACT", value)
    with pytest.raises(RuntimeError, match="NETWORK_CONTACT"):
        create_app("production")
