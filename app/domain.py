"""What services raise when a rule refuses an action; routes show the message to the user."""

from collections.abc import Callable
from typing import TypeVar

from flask import flash

Value = TypeVar("Value")


class DomainError(Exception):
    """A rule refused the action. `message` is translatable text for the user; `field` names the
    form field it belongs next to, when there is one. `confirm_field`, on a refusal the user may
    overrule by saying yes, names the form's field for that yes (the form offers it only then)."""

    confirm_field: str | None = None

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field

    @property
    def all_errors(self) -> list["DomainError"]:
        return [self]


class PermissionDenied(DomainError):
    pass


class DomainErrors(DomainError):
    """Several refusals of one submit, so that the form reports them all at once instead of one per
    try. Behaves as its first refusal where only one can be shown (a flash, a JSON answer)."""

    def __init__(self, errors: list[DomainError]):
        super().__init__(errors[0].message, errors[0].field)
        self.errors = errors

    @property
    def all_errors(self) -> list[DomainError]:
        return list(self.errors)


class Checks:
    """Collects the refusals of a form's rules instead of stopping at the first one:

        checks = Checks()
        if not title:
            checks.refuse(_l("Give a title."), field="title_en")
        starts_at = checks.run(lambda: entered_time_to_utc(...))   # None when it refused
        checks.raise_any()
    """

    def __init__(self) -> None:
        self.errors: list[DomainError] = []

    def refuse(self, message, field: str | None = None) -> None:
        self.errors.append(DomainError(message, field))

    def run(self, check: Callable[[], Value]) -> Value | None:
        """The value of `check()`, or None when it refused (its refusals are kept)."""
        try:
            return check()
        except PermissionDenied:
            raise
        except DomainError as error:
            self.errors.extend(error.all_errors)
            return None

    def refused(self, field: str) -> bool:
        return any(error.field == field for error in self.errors)

    def raise_any(self) -> None:
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise DomainErrors(self.errors)


def show_error(form, error: DomainError) -> None:
    """Next to its field when it has one, else as a message at the top of the page."""
    for each in error.all_errors:
        if not attach_to_form(form, each):
            flash(each.message, "error")


def attach_to_form(form, error: DomainError) -> bool:
    """Show a field's error next to its field; returns False when it belongs to no field."""
    field = getattr(form, error.field, None) if error.field else None
    if field is None:
        return False
    if error.confirm_field:
        form.asks_to_confirm = {*getattr(form, "asks_to_confirm", ()), error.confirm_field}
    if error.message not in field.errors:  # the form's own check and the rule may say the same
        field.errors = [*field.errors, error.message]
    return True
