"""Every table of the app, loaded before anything else.

`create_app()` and `migrations/env.py` import this module first and then configure the mappers, so
that relationships named by string (`relationship("User")`) resolve whatever module a command or a
request happens to import first. A new stage adds its `models` here, and nowhere else.
"""

from sqlalchemy.orm import configure_mappers

from app import ratelimit
from app.agenda import models as agenda_models
from app.auth import models as auth_models
from app.background import models as background_models
from app.capture import models as capture_models
from app.events import models as events_models
from app.field_visit import models as field_visit_models
from app.learning_note import models as learning_note_models
from app.library import models as library_models
from app.mail import models as mail_models
from app.registration import models as registration_models

MODEL_MODULES = (
    auth_models, events_models, mail_models, ratelimit, background_models, agenda_models, registration_models,
    field_visit_models, capture_models, learning_note_models, library_models,
)

# Tables the migrations make that no model maps: the library's full-text index (an FTS5 virtual table
# and its shadow tables on SQLite, a tsvector table on PostgreSQL; see app/library/search.py).
UNMAPPED_TABLE_PREFIXES = ("library_fts",)


def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    """For Alembic's comparisons (migrations/env.py, tests/test_migrations.py): leave the unmapped
    tables out, so that `flask db migrate` never proposes to drop them."""
    return not (type_ == "table" and name is not None and name.startswith(UNMAPPED_TABLE_PREFIXES))


def load_models() -> None:
    """Resolve every relationship now, at start-up, where a mistake names its model plainly."""
    configure_mappers()
