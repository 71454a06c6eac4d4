"""One way to act (../shared/DESIGN.md): a route that changes data parses its form, calls one
service, and leaves the rest to `run_action`: the commit, the messages and where to go next.

A form page gives its form and how to render the page again; a refusal is shown next to its
field, with what the user typed still in the form:

    if form.validate_on_submit():
        return run_action(lambda: staff.update_settings(current_user, event, form.to_input()),
                          success=_("Registration settings saved."),
                          redirect_to=url_for("registration_manage.participants", slug=event.slug),
                          form=form, on_error=lambda: _settings_page(event, form))
    return _settings_page(event, form)

A button without a page of its own (remove, approve, move…) gives neither: a refusal is flashed
on the page it goes back to.

    return run_action(lambda: services.remove_item(current_user, event, item),
                      success=_("Item removed from the agenda."), redirect_to=url_for("agenda.manage", slug=event.slug))
"""

from collections.abc import Callable
from typing import TypeVar

from flask import abort, flash, jsonify, redirect
from flask.typing import ResponseReturnValue

from app.domain import DomainError, PermissionDenied, attach_to_form, show_error
from app.extensions import db
from app.forms import leaf_fields

Result = TypeVar("Result")


def run_action(
    call: Callable[[], Result],
    *,
    success,
    redirect_to: str | Callable[[Result], str],
    form=None,
    on_error: Callable[[], ResponseReturnValue] | None = None,
    commit_on_error: bool = False,
    after: Callable[[Result], object] | None = None,
) -> ResponseReturnValue:
    """Run `call()` (one service call) and answer the request.

    - Done: commit, flash `success` (a message, or a function of the result giving it; None for
      none), run `after(result)` (more messages, a fresh sign-in), redirect to `redirect_to` (a
      URL, or a function of the result giving it).
    - DomainError: roll back (commit instead with `commit_on_error`, where the refusal itself
      changed something that must stay), then show the error next to its field of `form`, or at
      the top of the page; that page is `on_error()`, which renders the form page again with the
      status it gives its errors, or without on_error the page `redirect_to` names.
    - PermissionDenied: 403, unless it names a field of the form (a choice this user may not
      make, like another city): then it is shown there as any refusal.
    """
    try:
        result = call()
    except DomainError as error:
        if isinstance(error, PermissionDenied) and error.field is None:
            db.session.rollback()
            abort(403)
        if commit_on_error:
            db.session.commit()
        else:
            db.session.rollback()
        show_error(form, error)
        if on_error is not None:
            return on_error()
        if callable(redirect_to):
            raise TypeError("run_action: a redirect that needs the result needs on_error too") from error
        return redirect(redirect_to)
    db.session.commit()
    message = success(result) if callable(success) else success
    if message:
        flash(message, "success")
    if after is not None:
        after(result)
    return redirect(redirect_to(result) if callable(redirect_to) else redirect_to)


def flash_with_undo(message: str, undo_url: str) -> None:
    """A success message with an "Undo" button that posts to `undo_url` (base.html draws it)."""
    flash({"text": str(message), "undo_url": undo_url}, "success")


def run_json_action(
    call: Callable[[], Result],
    *,
    answer: Callable[[Result], dict],
) -> ResponseReturnValue:
    """`run_action` for a page's own script (say, a console that keeps working offline and sends
    what it kept when the connection returns): the same rules, answered in JSON instead of a
    redirect, since the script stays on its page.

    - Done: commit, 200 with `{"ok": true, **answer(result)}`.
    - DomainError: roll back, 422 with `{"ok": false, "error": message, "field": field}` (the first
      refusal) and `"errors"`: every refusal, each `{"error", "field"}`.
    - PermissionDenied without a field: roll back, 403.
    """
    try:
        result = call()
    except DomainError as error:
        db.session.rollback()
        if isinstance(error, PermissionDenied) and error.field is None:
            abort(403)
        return jsonify(ok=False, error=str(error.message), field=error.field,
                       errors=[{"error": str(each.message), "field": each.field} for each in error.all_errors]), 422
    db.session.commit()
    return jsonify(ok=True, **answer(result))


def check_rules_too(form, check: Callable[[], object]) -> None:
    """When a submitted form failed its own checks (a missing date, a bad number), run the rules of
    its service as well, so that one submit reports every error instead of revealing the rules'
    refusals only once the fields are right. `check()` reads what the form holds and validates it
    without writing (say `services.check_event_input(...)`). Fields the form refused reach the rules
    as None, never as what was sent (a number no column holds, a date out of range); the page still
    shows what was typed, which comes from the request. Only refusals that name a field are added."""
    if not form.is_submitted() or not form.errors:
        return
    refused = [(field, field.data) for field in leaf_fields(form) if field.errors]
    for field, _data in refused:
        field.data = None
    try:
        check()
    except PermissionDenied:
        pass  # the action itself says so, once the form is right
    except DomainError as error:
        for each in error.all_errors:
            attach_to_form(form, each)
    finally:
        for field, data in refused:
            field.data = data
