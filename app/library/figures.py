"""The network in figures, computed from the data every time (never typed), in a fixed number of
queries. What each figure counts:

- events held: finished events (the network's past meetings), by format.
- host cities: the cities that hosted them.
- participating cities: the cities that hosted a held event, presented a case at one, followed up
  one of its recommendations, or whose people attended one (confirmed registrations; the city as
  the participant typed it, matched to the network's cities by their English or French name, case
  and accents aside, else counted as typed). Countries: the countries of those cities (the
  network's own, and those participants gave).
- organisations and participants: from the confirmed registrations of held events, each counted
  once across events (participants by email, case aside; an erased registration, whose email is
  gone, as one person; organisations by name, case, spacing and accents aside). No name is shown.
- recommendations: the final recommendations of public events (what the library lists); taken up:
  those with a follow-up planned, in progress or done; by how many cities: the cities that did.
- SDG targets (and goals) addressed: those tagged on final recommendations.
"""

from dataclasses import dataclass, field

from sqlalchemy import case, func, select

from app.capture.models import Entry, EntryKind, EntrySdg, FollowUp, FollowUpStatus, entry_policy_areas
from app.capture.reference import sdgs
from app.events.models import City, Event, EventFormat, EventState, PolicyArea
from app.extensions import db
from app.library.recommendations import final_recommendations_query
from app.library.text import fold
from app.registration.models import Registration, RegistrationStatus

TAKEN_UP = (FollowUpStatus.PLANNED, FollowUpStatus.IN_PROGRESS, FollowUpStatus.DONE)
# A recommendation's uptake is its furthest follow-up, in this order; "none": nobody followed it up.
UPTAKE_ORDER = ("done", "in_progress", "planned", "dropped", "none")


def _same(text: str | None) -> str:
    return " ".join(fold(text or "").split())


@dataclass(frozen=True)
class AreaName:
    """A policy area as the figures keep it (plain values: figures are kept between requests)."""

    id: int
    code: str
    name_en: str
    name_fr: str


@dataclass
class YearRow:
    year: int
    by_format: dict
    themes: list  # the held events of that year, in date order

    @property
    def total(self) -> int:
        return sum(self.by_format.values())


@dataclass
class NetworkFigures:
    events_held: int = 0
    by_format: dict = field(default_factory=dict)
    host_cities: int = 0
    participating_cities: int = 0
    countries: int = 0
    organisations: int = 0
    participants: int = 0
    recommendations: int = 0
    taken_up: int = 0
    uptake_cities: int = 0
    sdg_targets: int = 0
    sdg_goals: int = 0
    years: list = field(default_factory=list)  # [YearRow]
    per_area: list = field(default_factory=list)  # [(AreaName, count)], the largest first
    per_goal: list = field(default_factory=list)  # [(Sdg, count)], by goal
    uptake: dict = field(default_factory=dict)  # UPTAKE_ORDER key -> recommendations


def network_figures() -> NetworkFigures:
    figures = NetworkFigures()
    events = list(db.session.execute(
        select(Event.id, Event.format, Event.start_date, Event.theme_en, Event.theme_fr, Event.host_city_id,
               Event.slug).where(Event.state == EventState.FINISHED).order_by(Event.start_date, Event.id)))
    cities = {city.id: city for city in db.session.execute(
        select(City.id, City.name_en, City.name_fr, City.country_code))}
    figures.events_held = len(events)
    figures.by_format = {kind: sum(1 for e in events if e.format is kind) for kind in EventFormat}
    years: dict[int, YearRow] = {}
    for event in events:
        row = years.setdefault(event.start_date.year, YearRow(event.start_date.year, dict.fromkeys(EventFormat, 0), []))
        row.by_format[event.format] += 1
        row.themes.append(event)
    figures.years = [years[year] for year in sorted(years)]
    hosts = {event.host_city_id for event in events}
    figures.host_cities = len(hosts)

    # Cities and countries that took part.
    by_name = {}
    for city in cities.values():
        by_name[_same(city.name_en)] = city.id
        by_name.setdefault(_same(city.name_fr), city.id)
    taking_part: set = set(hosts)
    countries = {cities[city_id].country_code for city_id in hosts}
    held_ids = select(Event.id).where(Event.state == EventState.FINISHED)
    presenters = set(db.session.scalars(
        select(Entry.city_id).where(Entry.kind == EntryKind.CASE, Entry.city_id.is_not(None),
                                    Entry.removed_at.is_(None), Entry.event_id.in_(held_ids)).distinct()))
    confirmed = (Registration.status == RegistrationStatus.CONFIRMED, Registration.event_id.in_(held_ids))
    # Emails are compared in lower case by the database (they are ASCII but for rare local parts); the
    # other values are few once distinct, and compared with accents folded here.
    people, erased = db.session.execute(
        select(func.count(func.distinct(func.lower(func.trim(Registration.email)))),
               func.count().filter(Registration.email.is_(None))).where(*confirmed)).one()
    figures.participants = people + erased
    figures.organisations = len({_same(name) for name in db.session.scalars(
        select(Registration.organisation).where(*confirmed).distinct()) if _same(name)})
    for city, country in db.session.execute(
        select(Registration.city, Registration.country_code).where(*confirmed).distinct()
    ):
        if _same(city):
            taking_part.add(by_name.get(_same(city), _same(city)))
        if (country or "").strip():
            countries.add(country.strip().upper())

    # Recommendations and what came of them (aggregated by the database: a few rows whatever the size).
    final = final_recommendations_query(held_ids).with_only_columns(Entry.id).subquery()
    final_ids = select(final.c.id)
    figures.recommendations = db.session.scalar(select(func.count()).select_from(final))
    rank = case(*((FollowUp.status == FollowUpStatus(key), number) for number, key in enumerate(UPTAKE_ORDER[:-1])))
    furthest = (select(FollowUp.recommendation_id, func.min(rank).label("rank"))
                .where(FollowUp.recommendation_id.in_(final_ids)).group_by(FollowUp.recommendation_id).subquery())
    uptake = dict(db.session.execute(select(furthest.c.rank, func.count()).group_by(furthest.c.rank)).all())
    figures.uptake = {key: uptake.get(number, 0) for number, key in enumerate(UPTAKE_ORDER[:-1])}
    figures.uptake["none"] = figures.recommendations - sum(figures.uptake.values())
    figures.taken_up = sum(figures.uptake[status.value] for status in TAKEN_UP)
    followed = db.session.execute(
        select(FollowUp.city_id, func.max(case((FollowUp.status.in_(TAKEN_UP), 1), else_=0)))
        .where(FollowUp.recommendation_id.in_(final_ids)).group_by(FollowUp.city_id)).all()
    figures.uptake_cities = sum(1 for _city_id, took_up in followed if took_up)
    taking_part |= {city_id for city_id, _took_up in followed}
    taking_part |= presenters
    countries |= {cities[city_id].country_code for city_id in taking_part if isinstance(city_id, int)}
    figures.participating_cities = len(taking_part)
    figures.countries = len(countries)

    # Policy areas and SDGs of the final recommendations.
    areas = {area.id: AreaName(area.id, area.code, area.name_en, area.name_fr)
             for area in db.session.scalars(select(PolicyArea))}
    per_area = db.session.execute(
        select(entry_policy_areas.c.policy_area_id, func.count(func.distinct(entry_policy_areas.c.entry_id)))
        .where(entry_policy_areas.c.entry_id.in_(final_ids)).group_by(entry_policy_areas.c.policy_area_id)).all()
    figures.per_area = sorted(((areas[area_id], count) for area_id, count in per_area),
                              key=lambda pair: (-pair[1], pair[0].id))
    tagged = EntrySdg.entry_id.in_(final_ids)
    per_goal = db.session.execute(select(EntrySdg.goal, func.count(func.distinct(EntrySdg.entry_id)))
                                  .where(tagged).group_by(EntrySdg.goal).order_by(EntrySdg.goal)).all()
    figures.sdg_targets = db.session.scalar(select(func.count(func.distinct(EntrySdg.code)))
                                            .where(tagged, EntrySdg.code.contains(".")))
    reference = sdgs()
    figures.sdg_goals = len(per_goal)
    figures.per_goal = [(reference[str(goal)], count) for goal, count in per_goal]
    return figures
