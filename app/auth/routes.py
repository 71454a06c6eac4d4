from urllib.parse import urlsplit

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.actions import run_action
from app.auth import services
from app.auth.forms import EmptyForm, LoginForm, PasswordChangeForm, UserCreateForm, UserEditForm
from app.auth.models import Role, User
from app.auth.permissions import admin_required
from app.auth.sessions import open_sessions
from app.domain import attach_to_form
from app.events.queries import all_cities
from app.extensions import db
from app.forms import unsafe_text

bp = Blueprint("auth", __name__, url_prefix="/manage")


def is_safe_next(target: str | None) -> bool:
    """Only paths on this site: no scheme, no host, no protocol-relative or backslash tricks."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")) or unsafe_text(target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and "\\" not in target and "\n" not in target


@bp.route("/login", methods=["GET", "POST"])
def login():
    next_url = request.values.get("next")
    if current_user.is_authenticated:
        return redirect(next_url if is_safe_next(next_url) else url_for("manage.dashboard"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.check_sign_in_allowed(form.email.data, request.remote_addr or "")
        except services.TooManySignInFailures as error:
            attach_to_form(form, error)
            status = 429
        else:
            user = services.authenticate(form.email.data, form.password.data)
            if user is not None:
                return run_action(lambda: services.sign_in(user), success=None,
                                  after=lambda signed_in: login_user(signed_in, remember=form.remember.data),
                                  redirect_to=next_url if is_safe_next(next_url) else url_for("manage.dashboard"))
            services.record_sign_in_failure(form.email.data, request.remote_addr or "")
            form.password.errors.append(_("Wrong email address or password, or the account is disabled."))
    if status == 200 and form.errors and request.method == "POST":
        status = 401
    return render_template("auth/login.html", form=form, next_url=next_url if is_safe_next(next_url) else None), status


@bp.post("/logout")
def logout():
    """Ends this browser's server-side session: a copy of its cookies no longer signs anyone in."""
    user = current_user._get_current_object()
    return run_action(lambda: services.sign_out(user), success=_("You are signed out."),
                      after=lambda _result: logout_user(), redirect_to=url_for("events.index"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        return run_action(
            lambda: services.change_own_password(current_user, form.current_password.data, form.new_password.data),
            success=_("Your password is changed. Other devices are signed out."),
            redirect_to=url_for("manage.dashboard"),
            form=form, on_error=lambda: _account_page(form),
        )
    return _account_page(form)


def _account_page(form):
    return render_template("auth/account.html", form=form, sessions=open_sessions(current_user),
                           current_token=current_user.session_token, end_form=EmptyForm())


@bp.post("/account/sessions/<int:session_id>/end")
@login_required
def end_session(session_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    return run_action(lambda: services.end_other_sessions(current_user, session_id),
                      success=_("That session is signed out."), redirect_to=url_for("auth.account"))


@bp.post("/account/sessions/end-others")
@login_required
def end_other_sessions():
    if not EmptyForm().validate_on_submit():
        abort(400)
    return run_action(lambda: services.end_other_sessions(current_user),
                      success=lambda count: _("Other sessions signed out: %(count)d.", count=count),
                      redirect_to=url_for("auth.account"))


@bp.get("/users")
@admin_required
def users():
    return render_template("auth/users.html", users=services.list_users())


@bp.route("/users/new", methods=["GET", "POST"])
@admin_required
def new_user():
    form = UserCreateForm()
    form.set_city_choices(all_cities())
    if form.validate_on_submit():
        return run_action(
            lambda: services.create_user(
                current_user, email=form.email.data, name=form.name.data, role=Role(form.role.data),
                password=form.password.data, city_id=form.chosen_city_id,
                preferred_language=form.preferred_language.data,
            ),
            success=lambda user: _("Account created for %(name)s.", name=user.name),
            redirect_to=url_for("auth.users"),
            form=form, on_error=lambda: _user_form_page(form, None),
        )
    return _user_form_page(form, None)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@admin_required
def edit_user(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = UserEditForm(obj=user)
    form.set_city_choices(all_cities())
    if request.method == "GET":
        form.role.data = user.role.value
        form.city_id.data = user.city_id or 0
    if form.validate_on_submit():
        return run_action(
            lambda: services.update_user(
                current_user, user, name=form.name.data, role=Role(form.role.data),
                city_id=form.chosen_city_id, active=form.active.data,
                preferred_language=form.preferred_language.data, new_password=form.new_password.data or "",
            ),
            success=lambda saved: _("Account of %(name)s saved.", name=saved.name),
            redirect_to=url_for("auth.users"),
            form=form, on_error=lambda: _user_form_page(form, user),
        )
    return _user_form_page(form, user)


def _user_form_page(form, user: User | None):
    return render_template("auth/user_form.html", form=form, user=user)
