"""Statistics of a structure and everything below it: figures, charts with their tables, CSV export.

The scope is checked on the server (``_structure_in_scope``, which audits refusals). Figures come from the
counters of :mod:`preau.statistics`; nothing is recomputed from the audit log here.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app, make_response, render_template, request
from flask_babel import gettext as _

from .. import statistics
from ..db import db_session
from ..directory.structures import descendant_ids
from ..errors import PreauError
from ..models import Structure
from ..portal.catalogue import catalogue
from ..types import N_, PROFILE_LABELS, Profile
from .views import _structure_in_scope, bp

PRESETS = ("7", "30", "year")
MAX_DAYS = 3 * 366  # a longer period is refused: three school years are enough to compare
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class PeriodError(PreauError, ValueError):
    """A period or filter the page cannot use; the message is French."""


@dataclass(frozen=True)
class Query:
    start: date
    end: date
    preset: str  # "7", "30", "year" or "" (dates typed)
    profile: str  # "" for every profile

    @property
    def step(self) -> statistics.Step:
        days = (self.end - self.start).days + 1
        if days <= 62:
            return statistics.Step.DAY
        return statistics.Step.WEEK if days <= 190 else statistics.Step.MONTH

    def as_args(self) -> dict[str, str]:
        args = {"profile": self.profile} if self.profile else {}
        if self.preset:
            return {"preset": self.preset, **args}
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), **args}


def school_year_start(day: date) -> date:
    """1 September of the school year holding ``day``."""
    return date(day.year if day.month >= 9 else day.year - 1, 9, 1)


def _parse_day(raw: str, what: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise PeriodError(_("La date %(what)s n'est pas une date valide (attendu : AAAA-MM-JJ).", what=what)) \
            from None


def parse_query(args, today: date) -> Query:
    """The period and profile asked by the page's form; 30 days by default."""
    profile = args.get("profile", "")
    if profile and profile not in {p.value for p in Profile}:
        raise PeriodError(_("Ce profil n'existe pas."))
    start_raw, end_raw = args.get("start", "").strip(), args.get("end", "").strip()
    preset = args.get("preset", "")
    if preset and preset not in PRESETS:
        raise PeriodError(_("Cette période prédéfinie n'existe pas."))
    if not preset and not (start_raw or end_raw):
        preset = "30"
    if preset == "year":
        return Query(school_year_start(today), today, preset, profile)
    if preset:
        return Query(today - timedelta(days=int(preset) - 1), today, preset, profile)
    if not (start_raw and end_raw):
        raise PeriodError(_("Indiquez la date de début et la date de fin de la période."))
    start, end = _parse_day(start_raw, _("de début")), _parse_day(end_raw, _("de fin"))
    if start > end:
        raise PeriodError(_("La date de début doit précéder la date de fin."))
    if (end - start).days + 1 > MAX_DAYS:
        raise PeriodError(_("La période ne peut pas dépasser trois ans."))
    return Query(start, end, "", profile)


def connector_label(key: str) -> str:
    """A readable name for a launch key: the catalogue's name of a data connector, else the key itself."""
    kind, _sep, ident = key.partition(":")
    if kind == "connector" and ident in catalogue():
        return catalogue()[ident].name
    return ident or key


def app_label(app_id: str) -> str:
    record = next((r for r in current_app.extensions["preau.plugins"].active() if r.app_id == app_id), None)
    return _(record.manifest.name) if record is not None else app_id


def _today() -> date:
    return statistics.today(current_app.config.get("BABEL_DEFAULT_TIMEZONE"))


def _chart_data(rows: list[dict], figures: statistics.Summary) -> dict:
    """What static/statistics.js draws (labels already in French: the script has no strings of its own)."""
    return {
        "series": {"labels": [row["start"].isoformat() for row in rows],
                   "datasets": [{"label": _("Visiteurs uniques"), "data": [row["visitors"] for row in rows]},
                                {"label": _("Connexions web"), "data": [row["web"] for row in rows]},
                                {"label": _("Connexions mobiles"), "data": [row["mobile"] for row in rows]}]},
        "apps": {"labels": [app_label(key) for key, _count in figures.apps],
                 "datasets": [{"label": _("Ouvertures"), "data": [count for _key, count in figures.apps]}]},
        "connectors": {"labels": [connector_label(key) for key, _count in figures.connectors],
                       "datasets": [{"label": _("Lancements"),
                                     "data": [count for _key, count in figures.connectors]}]},
    }


def _page(structure: Structure, query: Query | None, error: str | None = None, status: int = 200):
    session = db_session()
    query = query or parse_query({}, _today())
    ids = descendant_ids(session, [structure.id])
    figures, rows = statistics.overview(session, ids, query.start, query.end, query.profile or None, query.step)
    return render_template(
        "admin/statistics.html", structure=structure, query=query, figures=figures, rows=rows, error=error,
        below=len(ids) - 1, profiles=[p.value for p in Profile], chart=_chart_data(rows, figures),
        app_label=app_label, connector_label=connector_label), status


@bp.route("/structures/<int:structure_id>/statistics")
def statistics_page(structure_id: int):
    structure = _structure_in_scope(structure_id)
    try:
        query = parse_query(request.args, _today())
    except PeriodError as error:
        return _page(structure, None, error=str(error), status=400)
    return _page(structure, query)


def csv_cell(value: object) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP CSV injection): a leading ' disarms it."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


METRIC_LABELS = {statistics.ACTIVATION: N_("activations"), statistics.CONNECTION: N_("connexions"),
                 statistics.APP: N_("applications"), statistics.CONNECTOR: N_("connecteurs"),
                 statistics.VISITORS: N_("visiteurs uniques")}


def export_csv(rows: list[tuple[date, str, str, str, int]]) -> str:
    """``;``-separated UTF-8 with a header, one line per day × profile × metric × key."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([_("Jour"), _("Profil"), _("Mesure"), _("Clé"), _("Nombre")])
    for day, profile, metric, key, count in rows:
        writer.writerow([day.isoformat(), csv_cell(_(PROFILE_LABELS.get(profile, profile))),
                         csv_cell(_(METRIC_LABELS[metric]) if metric in METRIC_LABELS else metric),
                         csv_cell(key), count])
    return out.getvalue()


@bp.route("/structures/<int:structure_id>/statistics.csv")
def statistics_export(structure_id: int):
    structure = _structure_in_scope(structure_id)
    try:
        query = parse_query(request.args, _today())
    except PeriodError as error:
        response = make_response(str(error), 400)
        response.mimetype = "text/plain"
        return response
    session = db_session()
    rows = statistics.export_rows(session, descendant_ids(session, [structure.id]), query.start, query.end,
                                  query.profile or None)
    response = make_response(export_csv(rows).encode("utf-8"))
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="statistiques-{structure.id}-{query.start}-{query.end}.csv"')
    response.headers["Cache-Control"] = "no-store"
    return response
