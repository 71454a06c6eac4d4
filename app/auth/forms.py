from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional

from app.auth.models import Role
from app.forms import FlaskForm

ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.ORGANISER: _l("Organiser"),
    Role.FACILITATOR: _l("Facilitator"),
}
LANGUAGE_CHOICES = [SelectChoice("en", "English"), SelectChoice("fr", "Français")]
NO_CITY = 0


def strip_spaces(value):
    return value.strip() if isinstance(value, str) else value


class LoginForm(FlaskForm):
    email = EmailField(_l("Email address"), validators=[DataRequired(), Email(), Length(max=254)],
                       filters=[strip_spaces],
                       render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[DataRequired()],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Keep me signed in on this device"))


def _role_choices():
    return [SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()]


class _AccountFields(FlaskForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)],
                       render_kw={"autocomplete": "name"})
    role = RadioField(_l("Role"), choices=_role_choices(), validators=[DataRequired()])
    city_id = SelectField(_l("Host city (organisers only)"), coerce=int, validators=[Optional()])
    preferred_language = SelectField(_l("Language for emails"), choices=LANGUAGE_CHOICES, default="en")

    def set_city_choices(self, cities) -> None:
        self.city_id.choices = [SelectChoice(NO_CITY, _l("No city"))] + [SelectChoice(c.id, c.name_en) for c in cities]

    @property
    def chosen_city_id(self) -> int | None:
        return self.city_id.data or None


class UserCreateForm(_AccountFields):
    email = EmailField(_l("Email address"), validators=[DataRequired(), Email(), Length(max=254)],
                       filters=[strip_spaces],
                       description=_l("The person gets an invitation here, with a link to choose their password."))


class UserEditForm(_AccountFields):
    active = BooleanField(_l("Account active"))


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("Email address"), validators=[DataRequired(), Email(), Length(max=254)],
                       filters=[strip_spaces], render_kw={"autocomplete": "username"})


class SetPasswordForm(FlaskForm):
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)],
                                 render_kw={"autocomplete": "new-password"},
                                 description=_l("At least 10 characters."))
    confirmation = PasswordField(_l("The same password again"), validators=[DataRequired(), Length(max=200)],
                                 render_kw={"autocomplete": "new-password"})


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()],
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)],
                                 render_kw={"autocomplete": "new-password"},
                                 description=_l("At least 10 characters."))


class EmptyForm(FlaskForm):
    """Buttons that only need the CSRF token."""
