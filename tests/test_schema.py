"""Code newer than its database refuses to serve (503, saying why) until `flask db upgrade` has run,
and /healthz fails naming the revision it found and the one it needs."""

import pytest
from alembic.script import ScriptDirectory
from flask_migrate import upgrade

from app import create_app
from app.extensions import db
from app.schema import migrations_directory


@pytest.fixture
def behind(tmp_path):
    """An app on a database one migration behind the code."""
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'behind.sqlite'}"})
    scripts = ScriptDirectory(migrations_directory(app))
    (head,) = scripts.get_heads()
    previous = scripts.get_revision(head).down_revision
    with app.app_context():
        upgrade(revision=previous)
    yield app, head, previous
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("path", ["/", "/manage/login", "/events/anything/register", "/calendar.ics"])
def test_every_page_refuses_to_serve_on_a_database_behind_the_code(behind, path):
    app, _head, _previous = behind
    response = app.test_client().get(path)
    assert response.status_code == 503
    assert "being updated" in response.text and "mise à jour" in response.text
    assert response.headers["Retry-After"] and "no-store" in response.headers["Cache-Control"]


def test_a_form_sent_meanwhile_is_refused_too(behind):
    app, _head, _previous = behind
    response = app.test_client().post("/manage/login", data={"email": "a@example.org", "password": "x"})
    assert response.status_code == 503


def test_healthz_fails_naming_the_revision_found_and_the_one_needed(behind):
    app, head, previous = behind
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "error" and response.json["schema"] == "outdated"
    assert response.json["revision"] == previous and response.json["expected"] == head
    assert "flask db upgrade" in response.json["message"]


def test_once_migrated_the_same_process_serves_again(behind):
    app, head, _previous = behind
    client = app.test_client()
    assert client.get("/").status_code == 503
    with app.app_context():
        upgrade()
    assert client.get("/healthz").json == {"status": "ok", "database": "ok", "schema": "ok", "revision": head}
    assert client.get("/").status_code == 200


def test_an_empty_database_is_refused_as_well(tmp_path):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'empty.sqlite'}"})
    assert app.test_client().get("/").status_code == 503
    health = app.test_client().get("/healthz")
    assert health.status_code == 503 and health.json["revision"] is None
