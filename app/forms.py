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
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm as _FlaskWTFForm
from wtforms import Field
from wtforms.validators import StopValidation

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


def leaf_fields(fields):
    """Every field, the fields of sub-forms (FormField) and lists (FieldList) included."""
    for field in fields:
        entries = getattr(field, "entries", None)
        subform = getattr(field, "form", None) if field.type == "FormField" else None
        if entries is not None:
            yield from leaf_fields(entries)
        elif subform is not None:
            yield from leaf_fields(subform)
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
        for field in leaf_fields(self):
            problem = input_problem(field)
            if problem is not None:
                field.errors = [*field.errors, problem]
                valid = False
        return valid


HTTPS_REQUIRED = _l("Give a secure web address, starting with https://")


class SecureWebAddress:
    """A link that must start with https:// (a meeting link, a virtual tour): refused beside the
    field in the same submit as the form's other errors. The service keeps the same rule, with the
    same message, for callers that are not forms."""

    def __call__(self, form, field) -> None:
        value = (field.data or "").strip()
        if value and (not value.lower().startswith("https://") or any(c.isspace() for c in value)):
            raise StopValidation(str(HTTPS_REQUIRED))


@dataclass(frozen=True)
class FormError:
    """One line of a form's error summary: the element it links to, the field's name, the error."""

    target: str | None
    label: str
    message: object

    @property
    def label_is_punctuated(self) -> bool:
        """A label that is a question or ends with a colon takes no colon of its own before the
        message ("How will you attend? Choose…", not "attend?: Choose…")."""
        return str(self.label).rstrip()[-1:] in ("?", ":", "!")


# Fields drawn as a group of options (choice_group): their first option carries the focus.
_OPTION_GROUPS = {"RadioField", "MultiCheckboxField"}


def error_summary(form) -> list[FormError]:
    """Every error of a form, in the order of its fields, with where each is (the summary at the
    top of a form page lists them all and links to each field). An error of a list of sub-forms
    itself (the presenters, the stops) links to the list's error message."""
    found: list[FormError] = []
    # A form names in `summary_labels` the fields whose label is too long to repeat before each
    # message, such as a consent that is a whole paragraph.
    short_labels = getattr(form, "summary_labels", {})

    def walk(fields, line: tuple | None) -> None:
        for field in fields:
            label = field.label.text if field.label else ""
            label = short_labels.get(field.short_name, label) if line is None else label
            if line is not None:
                label = _l("%(list)s, line %(number)d, %(field)s", list=line[0], number=line[1], field=label)
            own = [error for error in field.errors if not isinstance(error, dict | list | tuple)]
            entries = getattr(field, "entries", None)
            subform = field.form if field.type == "FormField" else None
            if entries is not None or subform is not None:
                for message in own:
                    found.append(FormError(f"{field.id}-error", field.label.text, message))
                if subform is not None:
                    walk(subform, line)
                else:
                    for number, entry in enumerate(entries, start=1):
                        walk([entry], (field.label.text, number))
                continue
            if field.type in ("HiddenField", "CSRFTokenField"):
                found.extend(FormError(None, "", message) for message in own)
                continue
            target = f"{field.id}-0" if field.type in _OPTION_GROUPS else field.id
            found.extend(FormError(target, label, message) for message in own)

    walk(form, None)
    return found
