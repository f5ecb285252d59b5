"""Authentication forms (Flask-WTF: every form carries a CSRF token).

Every validator says in French what is wrong; control characters (NUL bytes among them, which PostgreSQL
refuses in text) are rejected here before any query is made.
"""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

LOGIN_MAX = 64
PASSWORD_MAX = 256
CODE_MAX = 32
EMAIL_MAX = 254
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def has_control_characters(value: str | None) -> bool:
    return bool(value and _CONTROL.search(value))


def no_control_characters(_form, field) -> None:
    if has_control_characters(field.data):
        raise ValidationError(_l("Ce champ contient des caractères non autorisés."))


def plausible_email(_form, field) -> None:
    if field.data and not _EMAIL.fullmatch(field.data.strip()):
        raise ValidationError(_l("L'adresse électronique de secours n'est pas valide."))


def _too_long(max_length: int):
    return Length(max=max_length, message=_l("Ce champ ne doit pas dépasser %(max)d caractères.",
                                             max=max_length))


def _login_field(label=None):
    return StringField(label or _l("Identifiant"),
                       validators=[DataRequired(_l("Saisissez votre identifiant.")), _too_long(LOGIN_MAX),
                                   no_control_characters], render_kw={"autocomplete": "username"})


def _code_field(label, required_message):
    return StringField(label, validators=[DataRequired(required_message), _too_long(CODE_MAX),
                                          no_control_characters], render_kw={"autocomplete": "off"})


class LoginForm(FlaskForm):
    login = _login_field()
    password = PasswordField(_l("Mot de passe"), validators=[DataRequired(_l("Saisissez votre mot de passe.")),
                                                             _too_long(PASSWORD_MAX), no_control_characters],
                             render_kw={"autocomplete": "current-password"})
    next = HiddenField()
    submit = SubmitField(_l("Se connecter"))


class ActivationForm(FlaskForm):
    login = _login_field()
    code = _code_field(_l("Code d'activation"), _l("Saisissez le code d'activation."))
    submit = SubmitField(_l("Continuer"))


class _NewPassword(FlaskForm):
    password = PasswordField(_l("Nouveau mot de passe"),
                             validators=[DataRequired(_l("Choisissez un mot de passe.")), _too_long(PASSWORD_MAX),
                                         no_control_characters],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Confirmez le mot de passe"),
                            validators=[DataRequired(_l("Saisissez le mot de passe une seconde fois.")),
                                        _too_long(PASSWORD_MAX), no_control_characters],
                            render_kw={"autocomplete": "new-password"})


class ActivationFinishForm(_NewPassword):
    email = EmailField(_l("Adresse électronique de secours (facultative)"),
                       validators=[Optional(), _too_long(EMAIL_MAX), no_control_characters, plausible_email],
                       render_kw={"autocomplete": "email"})
    accept = SubmitField(_l("J'accepte la charte et j'active mon compte"))
    refuse = SubmitField(_l("Je refuse"))


class CharterForm(FlaskForm):
    next = HiddenField()
    shown = HiddenField()  # the charters on the page: only those are accepted
    accept = SubmitField(_l("J'accepte"))
    refuse = SubmitField(_l("Je refuse et je me déconnecte"))


class ResetForm(_NewPassword):
    login = _login_field()
    code = _code_field(_l("Code de réinitialisation"), _l("Saisissez le code de réinitialisation."))
    submit = SubmitField(_l("Changer mon mot de passe"))


class LogoutForm(FlaskForm):
    submit = SubmitField(_l("Se déconnecter"))
