"""The canteen's pages, mounted by Préau under /apps/cantine/: thin views over :mod:`.menus`."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from preau import Structure, abort_refused, current_access, current_user, db_session, require_right
from werkzeug.datastructures import MultiDict

from .menus import (
    ALLERGENS,
    COURSES,
    DAY_NAMES,
    DayInput,
    MenuError,
    allergen_ids,
    menus_of_week,
    monday_of,
    save_week,
)
from .models import CantineMenu
from .places import schools_for, served, shows_allergens

ACCESS = "cantine.access"
EDIT = "cantine.edit"
EARLIEST, LATEST = date(2000, 1, 3), date(2099, 12, 28)

# Named after the app id: Préau answers 404 on it wherever the app is not enabled and granted.
bp = Blueprint("cantine", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static")


def _monday() -> date:
    """The Monday of the week asked for (``?semaine=2026-12-07``, any day of it), else of this week."""
    try:
        asked = date.fromisoformat(request.args.get("semaine", "").strip())
    except ValueError:
        asked = date.today()
    return monday_of(min(max(asked, EARLIEST), LATEST))


def _school(places: list[Structure]) -> Structure | None:
    """The school asked for (``?etab=<id>``) among ``places`` (``None`` if it is not one), else the first."""
    raw = request.args.get("etab", "")
    if not raw:
        return places[0] if places else None
    return next((s for s in places if str(s.id) == raw), None)


@bp.route("/")
@require_right(ACCESS)
def week() -> str:
    places = schools_for(current_user, ACCESS)
    school = _school(places)
    if school is None:
        abort(404)  # a school the app does not reach them in does not exist for them
    monday = _monday()
    return render_template(
        "cantine/week.html", school=school, places=places, monday=monday, today=date.today(),
        previous=monday - timedelta(days=7), following=monday + timedelta(days=7),
        days=[monday + timedelta(days=n) for n in range(5)], menus=menus_of_week(db_session(), school.id, monday),
        served=lambda day: served(school, day.weekday()), show_allergens=shows_allergens(school),
        can_edit=current_access().has(EDIT, structure=school), day_names=DAY_NAMES, courses=COURSES,
        allergens=ALLERGENS)


def _entry(day: date, form: MultiDict[str, str]) -> DayInput:
    """One day of the posted form (fields ``<iso date>-starter``, ``-main``, ``-dessert``, ``-allergens``)."""
    def typed(field: str) -> str:
        return form.get(f"{day.isoformat()}-{field}", "").strip()

    return DayInput(day, typed("starter"), typed("main"), typed("dessert"),
                    tuple(form.getlist(f"{day.isoformat()}-allergens")))


def _as_entry(day: date, menu: CantineMenu | None) -> DayInput:
    if menu is None:
        return DayInput(day)
    return DayInput(day, menu.starter, menu.main, menu.dessert, tuple(allergen_ids(menu)))


@bp.route("/modifier", methods=["GET", "POST"])
@require_right(EDIT)
def edit() -> ResponseReturnValue:
    # Without the right anywhere: 404 (require_right). For a school where it does not reach them: the refusal.
    school = _school(schools_for(current_user, EDIT))
    if school is None:
        abort_refused(_("Vous ne publiez pas les menus de cet établissement."))
    monday = _monday()
    days = [monday + timedelta(days=n) for n in range(5) if served(school, n)]
    session = db_session()
    errors: dict[str, str] = {}
    if request.method == "POST":
        entries = [_entry(day, request.form) for day in days]
        try:
            save_week(session, school.id, entries, current_user.id)
        except MenuError as error:
            session.rollback()
            errors = error.errors
        else:
            session.commit()
            flash(_("Menus de la semaine enregistrés."), "success")
            return redirect(url_for("cantine.week", semaine=monday.isoformat(), etab=school.id), 303)
    else:
        saved = menus_of_week(session, school.id, monday)
        entries = [_as_entry(day, saved.get(day)) for day in days]
    page = render_template("cantine/edit.html", school=school, monday=monday, entries=entries, errors=errors,
                           day_names=DAY_NAMES, courses=COURSES, allergens=ALLERGENS)
    return page, 400 if errors else 200
