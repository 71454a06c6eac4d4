import pytest

from app import create_app
from config import DEVELOPMENT_SECRET_KEY, normalise_database_url


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


@pytest.mark.parametrize("key", [DEVELOPMENT_SECRET_KEY, "short-key"])
def test_production_refuses_a_development_or_short_key(monkeypatch, key):
    monkeypatch.setenv("SECRET_KEY", key)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


def test_production_needs_a_database_url(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        create_app("production")


def test_production_starts_with_real_settings_and_secure_cookies(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "s" * 64)
    monkeypatch.setenv("DATABASE_URL", "postgresql://events@db.internal/events")
    monkeypatch.setenv("MAIL_SERVER", "smtp.example.org")
    monkeypatch.setenv("MAIL_PORT", "587")
    monkeypatch.setenv("MAIL_USE_TLS", "true")
    app = create_app("production")
    assert app.config["SECRET_KEY"] == "s" * 64
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
