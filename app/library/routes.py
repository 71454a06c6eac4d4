"""The network's library (blueprint `library`): /library (search, filters, paging, the network's key
figures), /library/figures (charts and tables), the SDG pages, the exports and the Atom feed;
/cities and /cities/<slug>. Blueprint `library_manage`: a city's follow-up, kept current from its
page by its organisers (and administrators).

Public pages are cached (app/page_cache.py) while the network's fingerprint is unchanged; on a miss,
the view first brings the index in step (app/library/index.py)."""

from flask import Blueprint, Response, abort, g, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from app.actions import run_action
from app.auth.permissions import can_view_workspace, staff_required
from app.capture.curation import can_follow_up
from app.capture.labels import ACTOR_LEVEL_LABELS, FOLLOW_UP_LABELS
from app.capture.models import ActorLevel, FollowUpStatus
from app.capture.reference import goals, normalise_code, sdgs
from app.events.labels import FORMAT_LABELS
from app.events.models import City, Event, EventFormat, EventState, PolicyArea
from app.extensions import db
from app.i18n import alphabetical, city_name, current_language, french_spacing, localized
from app.library import atom, charts, exports, index, queries, services
from app.library import search as library_search
from app.library.figures import UPTAKE_ORDER, network_figures
from app.library.forms import CityFollowUpForm
from app.library.text import parse_query
from app.page_cache import cached_page
from app.registration.models import Registration
from app.stages import library_sources, specs

bp = Blueprint("library", __name__)
manage_bp = Blueprint("library_manage", __name__, url_prefix="/manage/cities/<city_slug>")

NOT_FOLLOWED_UP = _l("Not followed up yet")
UPTAKE_LABELS = {"done": FOLLOW_UP_LABELS[FollowUpStatus.DONE],
                 "in_progress": FOLLOW_UP_LABELS[FollowUpStatus.IN_PROGRESS],
                 "planned": FOLLOW_UP_LABELS[FollowUpStatus.PLANNED],
                 "dropped": FOLLOW_UP_LABELS[FollowUpStatus.DROPPED], "none": NOT_FOLLOWED_UP}
FILTER_LABELS = {"kind": _l("Kind"), "theme": _l("Theme"), "city": _l("Host city"), "area": _l("Policy area"),
                 "sdg": _l("SDG goal or target"), "year": _l("Year"), "actor": _l("Who should act"),
                 "status": _l("Follow-up")}


def _page_values() -> list:
    return [select(func.count(Registration.id)).scalar_subquery(),
            select(func.max(Registration.updated_at)).scalar_subquery(),
            select(func.count(City.id)).scalar_subquery()]


def _stamp(**_view_args):
    """What the library's pages show changes only with this: the network's fingerprint (events,
    every source), and the registrations and cities that the figures and city pages count."""
    g.library_stamp = index.current_fingerprint(extra=_page_values, name="pages")
    return g.library_stamp


def _current_stamp():
    return g.get("library_stamp") or _stamp()


def _figures():
    return index.remembered("figures", _current_stamp(), network_figures)


def _facet_values():
    return index.remembered("facets", g.get("library_index"), library_search.facet_values)


def _labels_now() -> dict:
    return index.remembered(("labels", current_language()), _current_stamp(), _labels)


@bp.app_context_processor
def library_labels():
    return {"UPTAKE_LABELS": UPTAKE_LABELS}


def _page_number() -> int:
    value = request.args.get("page", "1")
    return int(value) if value.isdigit() and 0 < len(value) < 5 else 1


# --- The library ------------------------------------------------------------------------------------


def _spaced(text: str) -> str:
    return french_spacing(text) if current_language() == "fr" else text


def _labels() -> dict[str, dict[str, str]]:
    """How each filter value reads, in the viewer's language (reference data: three small queries)."""
    lang = current_language()
    themes = {}
    for theme_en, theme_fr in db.session.execute(
        select(Event.theme_en, Event.theme_fr).where(Event.state != EventState.DRAFT).distinct()
    ):
        themes[index.theme_key(theme_en)] = _spaced(theme_fr or theme_en) if lang == "fr" else (theme_en or theme_fr)
    cities = {city.slug: city_name(city) for city in db.session.scalars(select(City))}
    areas = {area.code: _spaced(localized(area, "name").text) for area in db.session.scalars(select(PolicyArea))}
    reference = sdgs()
    sdg_labels = {code: _spaced(f"{code}. {ref.short(lang)}" if ref.is_goal else ref.short(lang))
                  for code, ref in reference.items()}
    return {
        "kind": {source.kind: str(source.label) for source in library_sources()},
        "theme": themes, "city": cities, "area": areas, "sdg": sdg_labels,
        "actor": {level.value: str(ACTOR_LEVEL_LABELS[level]) for level in ActorLevel},
        "status": {**{status.value: str(FOLLOW_UP_LABELS[status]) for status in FollowUpStatus},
                   "none": str(NOT_FOLLOWED_UP)},
    }


def _choices(results: library_search.Results, labels: dict, everything: dict) -> dict[str, list[tuple[str, str, int]]]:
    """Each filter's choices: (value, label, how many of the results have it), the whole index's
    values in a sensible order."""
    counts = dict(results.facet_counts)
    counts["kind"] = results.by_kind
    choices: dict[str, list] = {}
    for name in library_search.FILTERS:
        if name == "kind":
            values = [source.kind for source in library_sources()]
        elif name == "sdg":
            present = set(everything.get("goal", {})) | set(everything.get("sdg", {}))
            values = sorted(present, key=lambda code: [int(p) if p.isdigit() else ord(p) + 100
                                                        for p in code.split(".")])
            counts["sdg"] = {**results.facet_counts.get("goal", {}), **results.facet_counts.get("sdg", {})}
        elif name == "year":
            values = sorted(everything.get("year", {}), reverse=True)
        elif name == "actor":
            values = [level.value for level in ActorLevel if level.value in everything.get("actor", {})]
        elif name == "status":
            values = [s for s in (*(status.value for status in FollowUpStatus), "none")
                      if s in everything.get("status", {})]
        else:
            values = sorted(everything.get(name, {}), key=lambda value: alphabetical(labels[name].get(value, value)))
        choices[name] = [(value, labels.get(name, {}).get(value, value), counts.get(name, {}).get(value, 0))
                         for value in values]
    return choices


@bp.get("/library", endpoint="index")
@cached_page(_stamp)
def index_page():
    index.refresh()
    query = parse_query(request.args.get("q", ""))
    filters = library_search.Filters.from_args(request.args)
    everything = _facet_values()
    results = library_search.search(query, filters, _page_number(), per_page=library_search.PER_PAGE,
                                    lang=current_language(), everything=everything)
    browsing = not (query or filters.active) and results.page == 1
    labels = _labels_now()
    return render_template("library/index.html", results=results, query=query, filters=filters,
                           choices=_choices(results, labels, everything), FILTER_LABELS=FILTER_LABELS, labels=labels,
                           figures=_figures() if browsing else None,
                           sources={source.kind: source for source in library_sources()},
                           cities_by_id=_cities_by_id(), q=request.args.get("q", "")[:200])


def _cities_by_id() -> dict[int, City]:
    return {city.id: city for city in db.session.scalars(select(City))}


@bp.get("/library/figures")
@cached_page(_stamp)
def figures():
    figures = _figures()
    return render_template("library/figures.html", figures=figures, charts=_charts(figures),
                           stage_figures=[(spec.title, spec.library_figures()) for spec in specs()
                                          if spec.library_figures is not None])


def _charts(figures) -> dict:
    lang = current_language()
    formats = [kind for kind in EventFormat if figures.by_format.get(kind)]
    return {
        "years": charts.bar_chart(
            "chart-years", _("Events held per year"),
            _("Bars: the events held each year, by format. The table below gives the same figures, with the themes."),
            [(str(row.year), [row.by_format[kind] for kind in formats]) for row in figures.years],
            [str(FORMAT_LABELS[kind]) for kind in formats]),
        "areas": charts.bar_chart(
            "chart-areas", _("Final recommendations per policy area"),
            _("Bars: the number of final recommendations tagged with each policy area (a recommendation can have "
              "several). The table below gives the same figures."),
            [(_spaced(localized(area, "name").text), [count]) for area, count in figures.per_area],
            [_("Recommendations")]),
        "goals": charts.bar_chart(
            "chart-goals", _("Final recommendations per SDG goal"),
            _("Bars: the number of final recommendations tagged with each Sustainable Development Goal or one of "
              "its targets. The table below gives the same figures."),
            [(_spaced(f"{goal.code}. {goal.short(lang)}"), [count]) for goal, count in figures.per_goal],
            [_("Recommendations")]),
        "uptake": charts.bar_chart(
            "chart-uptake", _("What came of the final recommendations"),
            _("Bars: the final recommendations by the furthest follow-up a city recorded for them. The table "
              "below gives the same figures."),
            [(str(UPTAKE_LABELS[key]), [figures.uptake.get(key, 0)]) for key in UPTAKE_ORDER],
            [_("Recommendations")]),
    }


# --- SDG pages ---------------------------------------------------------------------------------------


@bp.get("/library/sdgs")
@cached_page(_stamp)
def sdg_index():
    index.refresh()
    values = _facet_values()
    return render_template("library/sdgs.html", goals=goals(), per_goal=values.get("goal", {}),
                           per_target=values.get("sdg", {}), targets=_targets_by_goal())


def _targets_by_goal() -> dict[int, list]:
    found: dict[int, list] = {}
    for ref in sdgs().values():
        if not ref.is_goal:
            found.setdefault(ref.goal, []).append(ref)
    return found


@bp.get("/library/sdgs/<code>")
@cached_page(_stamp)
def sdg(code: str):
    normal = normalise_code(code[:12])
    if normal is None:
        abort(404)
    index.refresh()
    reference = sdgs()[normal]
    filters = library_search.Filters(sdg=normal)
    results = library_search.search(parse_query(""), filters, _page_number(), lang=current_language(),
                                    with_facets=False)
    values = _facet_values()
    return render_template("library/sdg.html", sdg=reference, goal=sdgs()[str(reference.goal)], results=results,
                           targets=_targets_by_goal().get(reference.goal, []) if reference.is_goal else [],
                           per_target=values.get("sdg", {}), actions=queries.city_actions(normal), labels=_labels_now(),
                           sources={source.kind: source for source in library_sources()},
                           cities_by_id=_cities_by_id(), code=normal)


# --- Exports and the feed -------------------------------------------------------------------------------


def _exported_rows() -> list[list[str]]:
    index.refresh()
    query = parse_query(request.args.get("q", ""))
    filters = library_search.Filters.from_args(request.args)
    return exports.rows([int(key) for key in library_search.matching_keys(query, filters, "recommendation")])


@bp.get("/library/recommendations.csv")
@cached_page(_stamp)
def export_csv():
    return Response(exports.csv_text(_exported_rows()), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="mc2cm-recommendations.csv"',
                             "Cache-Control": "no-cache"})


@bp.get("/library/recommendations.xlsx")
@cached_page(_stamp)
def export_xlsx():
    return Response(exports.xlsx_bytes(_exported_rows()),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": 'attachment; filename="mc2cm-recommendations.xlsx"',
                             "Cache-Control": "no-cache"})


@bp.get("/library/notes.atom")
@cached_page(_stamp)
def notes_feed():
    index.refresh()
    return Response(atom.feed_xml(current_language()), mimetype="application/atom+xml",
                    headers={"Cache-Control": "public, max-age=300"})


# --- Cities ------------------------------------------------------------------------------------------


@bp.get("/cities")
@cached_page(_stamp)
def cities():
    return render_template("library/cities.html", cities=queries.cities_with_counts())


@bp.get("/cities/<slug>")
@cached_page(_stamp)
def city(slug: str):
    found = queries.city_by_slug(slug)
    if found is None:
        abort(404)
    index.refresh()
    everything = request.args.get("all") == "1"
    return render_template("library/city.html", city=found, everything=everything,
                           sources={source.kind: source for source in library_sources()},
                           page=queries.city_page(found, None if everything else queries.CITY_LIST),
                           may_follow_up=can_follow_up(current_user, found.id))


# --- A city's follow-up (staff) --------------------------------------------------------------------------


def _city_and_recommendation(city_slug: str, entry_id: int):
    found = queries.city_by_slug(city_slug)
    if found is None:
        abort(404)
    if not can_follow_up(current_user, found.id):
        abort(403)
    entry = queries.recommendation(entry_id)
    if entry is None or not (entry.event.is_public or can_view_workspace(current_user, entry.event)):
        abort(404)
    return found, entry


def _follow_up_page(city: City, entry, form: CityFollowUpForm, status: int = 200):
    return render_template("library/manage/follow_up.html", city=city, entry=entry, form=form,
                           current=queries.follow_up_of(entry.id, city.id),
                           open_=entry.event.state is EventState.FINISHED and entry.is_final), status


@manage_bp.get("/follow-up/<int:entry_id>")
@staff_required()
def follow_up(city_slug: str, entry_id: int):
    city, entry = _city_and_recommendation(city_slug, entry_id)
    form = CityFollowUpForm(formdata=None)
    current = queries.follow_up_of(entry.id, city.id)
    if current is not None:
        form.fill_from(current)
    return _follow_up_page(city, entry, form)


@manage_bp.post("/follow-up/<int:entry_id>")
@staff_required()
def save_follow_up(city_slug: str, entry_id: int):
    city, entry = _city_and_recommendation(city_slug, entry_id)
    form = CityFollowUpForm()
    if form.validate_on_submit():
        return run_action(lambda: services.record_city_follow_up(current_user, city, entry.id, form.to_input(city.id)),
                          success=_("Follow-up saved."),
                          redirect_to=url_for("library.city", slug=city.slug) + "#taken-up",
                          form=form, on_error=lambda: _follow_up_page(city, entry, form, 422))
    return _follow_up_page(city, entry, form, 422)
