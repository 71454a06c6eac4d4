from flask import Blueprint, jsonify
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Liveness, database and schema check for load balancers and monitoring: 503 when the database
    cannot be reached or is not at the migration this code needs (naming both revisions)."""
    from app.schema import schema_state

    try:
        state = schema_state()
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    if not state.matches:
        return jsonify(status="error", database="ok", schema="outdated", revision=", ".join(state.found) or None,
                       expected=", ".join(state.needed), message=state.describe()), 503
    return jsonify(status="ok", database="ok", schema="ok", revision=", ".join(state.found))
