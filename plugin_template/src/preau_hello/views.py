"""The plugin's page: a thin view over the notes service. Préau mounts it under /apps/hello/."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from preau import current_user, db_session, require_right
from wtforms import SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from .models import NOTE_MAX_LENGTH
from .notes import NoteError, add_note, notes_of

# Name the blueprint after the app id: Préau answers 404 on it wherever the app is not enabled and granted.
bp = Blueprint("hello", __name__, template_folder="templates")


class NoteForm(FlaskForm):
    # FlaskForm carries the CSRF token; Préau's global CSRF protection refuses a POST without a valid one.
    text = TextAreaField(_l("Votre note"), validators=[
        DataRequired(_l("Écrivez quelques mots.")),
        Length(max=NOTE_MAX_LENGTH, message=_l("%(max)d caractères au plus.", max=NOTE_MAX_LENGTH))])
    submit = SubmitField(_l("Enregistrer"))


@bp.route("/", methods=["GET", "POST"])
@require_right("hello.access")
def index():
    form = NoteForm()
    session = db_session()
    if form.validate_on_submit():
        try:
            add_note(session, current_user.id, form.text.data)
        except NoteError as error:
            form.text.errors = [str(error)]
        else:
            session.commit()
            flash(_("Note enregistrée."), "success")
            return redirect(url_for("hello.index"))
    status = 400 if form.errors or form.text.errors else 200
    return render_template("hello/index.html", form=form, notes=notes_of(session, current_user.id)), status
