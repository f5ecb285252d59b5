"""Forms of the account pages (Flask-WTF: every form carries a CSRF token)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

SCOPE_LABELS = {
    "read": _l("Lecture : consulter mon compte, mes structures et les extensions"),
    "write": _l("Écriture : modifier mes préférences"),
    "admin": _l("Administration : consulter les comptes que j'administre"),
}

EXPIRY_CHOICES = [
    SelectChoice("30", _l("Dans 30 jours")),
    SelectChoice("90", _l("Dans 90 jours")),
    SelectChoice("365", _l("Dans un an")),
    SelectChoice("", _l("Jamais")),
]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _at_least_one(_form: FlaskForm, field: SelectMultipleField) -> None:
    # Not DataRequired: it would mark every checkbox "required" for browsers and screen readers.
    if not field.data:
        raise ValidationError(_l("Choisissez au moins une portée."))


class TokenForm(FlaskForm):
    name = StringField(_l("Nom du jeton"), validators=[DataRequired(_l("Donnez un nom au jeton.")), Length(max=100)],
                       description=_l("Pour vous souvenir de son usage, par exemple « Script d'export »."),
                       render_kw={"autocomplete": "off", "maxlength": 100})
    scopes = MultiCheckboxField(_l("Portées"), validators=[_at_least_one], default=["read"])
    expires_in_days = SelectField(_l("Expiration"), choices=EXPIRY_CHOICES, default="90")
    submit = SubmitField(_l("Créer le jeton"))

    def limit_scopes(self, allowed: tuple[str, ...]) -> None:
        self.scopes.choices = [SelectChoice(scope, SCOPE_LABELS[scope]) for scope in allowed]

    @property
    def expiry_days(self) -> int | None:
        return int(self.expires_in_days.data) if self.expires_in_days.data else None
