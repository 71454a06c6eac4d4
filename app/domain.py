"""What services raise when a rule refuses an action; routes show the message to the user."""

from flask import flash


class DomainError(Exception):
    """A rule refused the action. `message` is translatable text for the user; `field` names the
    form field it belongs next to, when there is one."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


class PermissionDenied(DomainError):
    pass


def show_error(form, error: DomainError) -> None:
    """Next to its field when it has one, else as a message at the top of the page."""
    if not attach_to_form(form, error):
        flash(error.message, "error")


def attach_to_form(form, error: DomainError) -> bool:
    """Show a field's error next to its field; returns False when it belongs to no field."""
    field = getattr(form, error.field, None) if error.field else None
    if field is None:
        return False
    field.errors = [*field.errors, error.message]
    return True
