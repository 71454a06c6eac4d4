"""What every form of the app accepts, whatever its fields: the input checks that no stage should
have to remember.

`app.forms.FlaskForm` is Flask-WTF's form plus these checks; every stage's forms derive from it
(`from app.forms import FlaskForm`; a test fails when a module takes Flask-WTF's own). After the
fields' own validators it refuses, next to the field:

- text with a NUL or another control character, or a lone surrogate: PostgreSQL cannot store a NUL
  and the driver cannot encode a surrogate (a 500 on PostgreSQL, silently stored on SQLite), and a
  control character is no part of a name, a title or an address;
- a date or time outside years MIN_YEAR..MAX_YEAR: date arithmetic (the day after 9999-12-31, the
  UTC time of a local 0001-01-01) overflows, and no event of the network is that far away;
- a whole number that no database column holds (beyond MAX_ROW_ID either way).

Searches that come as query parameters use `search_text` (and show `SEARCH_REFUSED`) the same way.
"""

import re
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm as _FlaskWTFForm
from wtforms import Field

from app.db_types import MAX_ROW_ID

MIN_YEAR = 2000
MAX_YEAR = 2100

# NUL and the other C0 controls but tab, newline and carriage return; DEL and the C1 controls; lone
# surrogates (which a form can only carry when something decoded it with surrogateescape).
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")

UNSAFE_TEXT = _l("This contains a character that cannot be saved (a control character). Remove it and try again.")
SEARCH_REFUSED = _l("This search contains a character that cannot be searched for (a control character). "
                    "It was left out.")
DATE_OUT_OF_RANGE = _l("Enter a date between the years %(first)d and %(last)d.", first=MIN_YEAR, last=MAX_YEAR)
NUMBER_OUT_OF_RANGE = _l("This number is too large.")


def unsafe_text(value) -> bool:
    return isinstance(value, str) and _UNSAFE.search(value) is not None


def search_text(value: str | None, limit: int = 200) -> tuple[str, bool]:
    """A search box's text from the query string, and whether it was refused (then ""): a staff
    page shows SEARCH_REFUSED next to its search field (`q_refused`), and searches for nothing."""
    text = (value or "").strip()[:limit]
    return ("", True) if unsafe_text(text) else (text, False)


def _leaves(fields):
    """Every field, the fields of sub-forms (FormField) and lists (FieldList) included."""
    for field in fields:
        entries = getattr(field, "entries", None)
        subform = getattr(field, "form", None) if field.type == "FormField" else None
        if entries is not None:
            yield from _leaves(entries)
        elif subform is not None:
            yield from _leaves(subform)
        else:
            yield field


def input_problem(field: Field):
    """Why the app cannot take what was sent in this field, or None."""
    raw = [value for value in (field.raw_data or ()) if isinstance(value, str)]
    if any(unsafe_text(value) for value in raw) or unsafe_text(field.data):
        return UNSAFE_TEXT
    values = field.data if isinstance(field.data, list | tuple) else [field.data]
    for value in values:
        if isinstance(value, date | datetime) and not MIN_YEAR <= value.year <= MAX_YEAR:
            return DATE_OUT_OF_RANGE
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_ROW_ID:
            return NUMBER_OUT_OF_RANGE
    return None


class FlaskForm(_FlaskWTFForm):
    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in _leaves(self):
            problem = input_problem(field)
            if problem is not None:
                field.errors = [*field.errors, problem]
                valid = False
        return valid
