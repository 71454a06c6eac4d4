"""How agenda kinds and changes read for people, in both languages."""

from flask_babel import lazy_gettext as _l

from app.agenda.models import ItemKind

KIND_LABELS = {
    ItemKind.OPENING: _l("Opening"),
    ItemKind.CHALLENGES: _l("Common challenges and opportunities"),
    ItemKind.LOCAL_SOLUTIONS: _l("Local solutions: case presentations"),
    ItemKind.FIELD_VISIT: _l("Field visit"),
    ItemKind.RECOMMENDATIONS: _l("Identification of recommendations"),
    ItemKind.CLOSING: _l("Closing"),
    ItemKind.SESSION: _l("Other session"),
    ItemKind.BREAK: _l("Break"),
}
