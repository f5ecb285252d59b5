"""Authentication forms (Flask-WTF: every form carries a CSRF token)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional


class LoginForm(FlaskForm):
    login = StringField(_l("Identifiant"), validators=[DataRequired(_l("Saisissez votre identifiant.")),
                                                       Length(max=64)], render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Mot de passe"), validators=[DataRequired(_l("Saisissez votre mot de passe.")),
                                                             Length(max=256)],
                             render_kw={"autocomplete": "current-password"})
    next = HiddenField()
    submit = SubmitField(_l("Se connecter"))


class ActivationForm(FlaskForm):
    login = StringField(_l("Identifiant"), validators=[DataRequired(_l("Saisissez votre identifiant.")),
                                                       Length(max=64)], render_kw={"autocomplete": "username"})
    code = StringField(_l("Code d'activation"), validators=[DataRequired(_l("Saisissez le code d'activation.")),
                                                            Length(max=32)], render_kw={"autocomplete": "off"})
    submit = SubmitField(_l("Continuer"))


class _NewPassword(FlaskForm):
    password = PasswordField(_l("Nouveau mot de passe"), validators=[DataRequired(), Length(max=256)],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Confirmez le mot de passe"), validators=[DataRequired(), Length(max=256)],
                            render_kw={"autocomplete": "new-password"})


class ActivationFinishForm(_NewPassword):
    email = EmailField(_l("Adresse électronique de secours (facultative)"),
                       validators=[Optional(), Length(max=254)], render_kw={"autocomplete": "email"})
    accept = SubmitField(_l("J'accepte la charte et j'active mon compte"))
    refuse = SubmitField(_l("Je refuse"))


class CharterForm(FlaskForm):
    next = HiddenField()
    accept = SubmitField(_l("J'accepte"))
    refuse = SubmitField(_l("Je refuse et je me déconnecte"))


class ResetForm(_NewPassword):
    login = StringField(_l("Identifiant"), validators=[DataRequired(), Length(max=64)],
                        render_kw={"autocomplete": "username"})
    code = StringField(_l("Code de réinitialisation"), validators=[DataRequired(), Length(max=32)],
                       render_kw={"autocomplete": "off"})
    submit = SubmitField(_l("Changer mon mot de passe"))


class LogoutForm(FlaskForm):
    submit = SubmitField(_l("Se déconnecter"))
