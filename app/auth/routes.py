from urllib.parse import urlsplit

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.actions import run_action
from app.auth import password_links, services
from app.auth.forms import (
    EmptyForm,
    ForgotPasswordForm,
    LoginForm,
    PasswordChangeForm,
    SetPasswordForm,
    UserCreateForm,
    UserEditForm,
)
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
            # Refused, with the failure counted (and the owner told, once) committed all the same.
            return run_action(lambda: services.record_sign_in_failure(form.email.data, request.remote_addr or ""),
                              success=None, redirect_to=url_for("auth.login"), commit_on_error=True,
                              form=form, on_error=lambda: (_login_page(form, next_url), 401))
    if status == 200 and form.errors and request.method == "POST":
        status = 401
    return _login_page(form, next_url), status


def _login_page(form, next_url):
    return render_template("auth/login.html", form=form, next_url=next_url if is_safe_next(next_url) else None)


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
                city_id=form.chosen_city_id, preferred_language=form.preferred_language.data,
            ),
            success=lambda user: _("Account created for %(name)s: an invitation to choose a password is on its way "
                                   "to %(email)s.", name=user.name, email=user.email),
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
                preferred_language=form.preferred_language.data,
            ),
            success=lambda saved: _("Account of %(name)s saved.", name=saved.name),
            redirect_to=url_for("auth.users"),
            form=form, on_error=lambda: _user_form_page(form, user),
        )
    return _user_form_page(form, user)


def _user_form_page(form, user: User | None):
    return render_template("auth/user_form.html", form=form, user=user, link_form=EmptyForm())


@bp.post("/users/<int:user_id>/send-password-link")
@admin_required
def send_password_link(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    return run_action(lambda: services.send_password_link(current_user, user),
                      success=_("A link to choose a password is on its way to %(email)s.", email=user.email),
                      redirect_to=url_for("auth.edit_user", user_id=user.id))


# --- Choosing a password: the invitation's link and "forgot your password?" ----------------------


@bp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        return run_action(lambda: services.request_password_reset(form.email.data, request.remote_addr or ""),
                          success=_("If an account has this address, a link to choose a new password is on its "
                                    "way to it. It works once, for a short while."),
                          redirect_to=url_for("auth.login"),
                          form=form, on_error=lambda: (render_template("auth/forgot_password.html", form=form), 429))
    return render_template("auth/forgot_password.html", form=form), 422 if form.errors else 200


@bp.route("/password/<any(invitation, reset):purpose>/<token>", methods=["GET", "POST"])
def set_password(purpose: str, token: str):
    try:
        user = password_links.read_token(token, password_links.Purpose(purpose))
    except password_links.BadPasswordLink as bad:
        return render_template("auth/bad_password_link.html", expired=bad.expired), 410 if bad.expired else 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        return run_action(lambda: services.set_password_from_link(user, form.new_password.data,
                                                                   form.confirmation.data),
                          success=_("Your password is chosen. Sign in with it."),
                          after=lambda _user: logout_user(), redirect_to=url_for("auth.login"),
                          form=form, on_error=lambda: _set_password_page(form, user, purpose))
    return _set_password_page(form, user, purpose)


def _set_password_page(form, user: User, purpose: str):
    page = render_template("auth/set_password.html", form=form, user=user, invitation=purpose == "invitation")
    return page, 422 if form.errors else 200
