"""Fixtures: one database built by the migrations per test session, emptied after every test.

SQLite (a file, so that several connections see the same data) unless TEST_DATABASE_URL names
another database, as CI does with PostgreSQL.
"""

import contextvars
import os
import threading
from contextlib import contextmanager

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import event, text
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from app.schema import schema_matches
from config import normalise_database_url
from tests import factories


def _database_url(tmp_path_factory) -> str:
    if os.environ.get("TEST_DATABASE_URL"):
        return normalise_database_url(os.environ["TEST_DATABASE_URL"])
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return _database_url(tmp_path_factory)


class IsolatedClient(FlaskClient):
    """Each request runs in fresh context variables, as it would in a server: it gets its own app
    context, database session and `g`, instead of sharing the test's."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database_url,
                                 "UPLOAD_DIR": str(tmp_path_factory.mktemp("uploads"))})
    app.test_client_class = IsolatedClient
    with app.app_context():
        _drop_everything()
        upgrade()
        # Checked once per process, as a server does on its first request: not inside a test's counts.
        assert schema_matches()
    return app


def _drop_everything() -> None:
    """Start from an empty database even when TEST_DATABASE_URL was used before."""
    from sqlalchemy import inspect

    from app.models import UNMAPPED_TABLE_PREFIXES

    with db.engine.begin() as connection:  # tables no model maps (the library's full-text index) first
        cascade = " CASCADE" if connection.dialect.name == "postgresql" else ""
        for name in sorted(inspect(connection).get_table_names()):
            if name.startswith(UNMAPPED_TABLE_PREFIXES):
                connection.execute(text(f"DROP TABLE IF EXISTS {name}{cascade}"))
    db.metadata.drop_all(db.engine)
    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture(autouse=True)
def _app_context_and_clean_tables(request):
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        yield
        db.session.remove()
        _empty_tables()
        app.extensions["page_cache"].clear()


def _empty_tables() -> None:
    tables = [t.name for t in db.metadata.sorted_tables]
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in reversed(tables):
                connection.execute(text(f"DELETE FROM {name}"))  # noqa: S608 (our own table names)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def live_server(app, database_url):
    """The app served over real HTTP on 127.0.0.1 (a free port), on the test database, with CSRF
    on as in production. Yields the base URL."""
    served = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database_url, "WTF_CSRF_ENABLED": True})
    server = make_server("127.0.0.1", 0, served, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with served.app_context():
            db.engine.dispose()


@pytest.fixture
def served_port(app):
    """The test app itself (CSRF off, this test's session and data) served over real HTTP on a free
    port of 127.0.0.1, for requests that must arrive at once. Yields the port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture
def make():
    """The test-data builders (tests/factories.py)."""
    return factories


@pytest.fixture
def count_queries():
    """`with count_queries() as queries:` gives the SQL statements run inside the block."""

    @contextmanager
    def counting():
        statements: list[str] = []

        def record(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            event.remove(db.engine, "before_cursor_execute", record)

    return counting


def pytest_collection_modifyitems(config, items):
    on_postgres = (os.environ.get("TEST_DATABASE_URL") or "").startswith("postgres")
    skip_pg = pytest.mark.skip(reason="needs TEST_DATABASE_URL pointing at PostgreSQL")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)
