"""Is the database at the migration this code needs? Code newer than its database answers 500s on
whatever page touches a new column; so until `flask db upgrade` has run, every request gets a 503
that says so, and /healthz fails naming the revision it found and the one it needs.

The revisions the code needs are read once per process from migrations/versions; the database's
once per request until they match, then never again in this process (the schema of a running
database does not go back). Commands (`flask db upgrade` first of all) are not requests: they run.
"""

import os
from dataclasses import dataclass
from functools import cache

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask, Response, current_app, request
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db

_CHECKED = "schema_matches"
# Endpoints that answer without the schema: the health check reports on it itself.
NOT_GUARDED = {"static", "health.healthz"}


@dataclass(frozen=True)
class SchemaState:
    found: tuple[str, ...]  # the database's revisions (none: an empty database)
    needed: tuple[str, ...]  # the heads of migrations/versions

    @property
    def matches(self) -> bool:
        return self.found == self.needed

    def describe(self) -> str:
        found = ", ".join(self.found) or "none (an empty database)"
        return f"database at revision {found}; this code needs {', '.join(self.needed)}: run `flask db upgrade`"


@cache
def needed_revisions(migrations_directory: str) -> tuple[str, ...]:
    return tuple(sorted(ScriptDirectory(migrations_directory).get_heads()))


def migrations_directory(app: Flask) -> str:
    return os.path.join(os.path.dirname(app.root_path), "migrations")


def schema_state() -> SchemaState:
    """Raises SQLAlchemyError when the database cannot be reached."""
    with db.engine.connect() as connection:
        found = tuple(sorted(MigrationContext.configure(connection).get_current_heads()))
    return SchemaState(found=found, needed=needed_revisions(migrations_directory(current_app)))


def schema_matches() -> bool:
    """True once this process has seen the database at the code's revisions."""
    if current_app.extensions.get(_CHECKED):
        return True
    try:
        state = schema_state()
    except SQLAlchemyError:
        return True  # unreachable is not outdated: the request's own error page (and /healthz) say so
    if state.matches:
        current_app.extensions[_CHECKED] = True
        return True
    current_app.logger.error("refusing to serve: %s", state.describe())
    return False


REFUSAL = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Service unavailable · Service indisponible</title></head>
<body>
<h1>Service unavailable</h1>
<p>The site is being updated and will be back in a few minutes. Nothing you sent was saved: please try
again shortly.</p>
<h1 lang="fr">Service indisponible</h1>
<p lang="fr">Le site est en cours de mise à jour et sera de retour dans quelques minutes. Rien de ce que vous
avez envoyé n'a été enregistré\u00a0: réessayez d'ici peu.</p>
</body></html>
"""


def refuse_until_migrated():
    """before_request: a 503 (no template, no session, no user: they may need the new schema)."""
    if request.endpoint in NOT_GUARDED or schema_matches():
        return None
    response = Response(REFUSAL, status=503, mimetype="text/html")
    response.headers["Retry-After"] = "60"
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.before_request(refuse_until_migrated)
