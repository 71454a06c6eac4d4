"""The network's front door (`/`): its events filtered by host city, policy area, year and format
(GET parameters, so that a filtered view is a link), the choices each filter offers, and the map
of the network's cities.

The number of queries is fixed however many events, cities and areas there are: the cities, the
(host city, year, format) combinations of public events, the policy areas they address, and the
events that match.
"""

from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.events.models import City, Event, EventFormat, EventState, PolicyArea, event_policy_areas
from app.events.queries import NetworkEvents, split_by_time
from app.extensions import db
from app.forms import search_text

MAX_VALUE_LENGTH = 40  # the longest slug or code a filter takes; anything longer is not one
UNREADABLE = "\ufffd"  # the replacement character stands for a value that cannot be shown


@dataclass(frozen=True)
class NetworkFilters:
    city: str = ""  # a city's slug
    area: str = ""  # a policy area's code
    year: str = ""
    format: str = ""  # an EventFormat value

    @property
    def active(self) -> bool:
        return any(getattr(self, name.name) for name in fields(self))

    def args(self, **changes) -> dict[str, str]:
        """These filters as query-string arguments, changed as given (for links)."""
        changed = replace(self, **changes)
        return {name.name: getattr(changed, name.name) for name in fields(changed) if getattr(changed, name.name)}


@dataclass
class FilterChoices:
    """What each filter offers: only values that some public event has."""

    cities: list[City] = field(default_factory=list)
    areas: list[PolicyArea] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    formats: list[EventFormat] = field(default_factory=list)
    hosted: dict[int, int] = field(default_factory=dict)  # public events per host city id

    def allows(self, name: str, value: str) -> bool:
        offered = {
            "city": {city.slug for city in self.cities},
            "area": {area.code for area in self.areas},
            "year": {str(year) for year in self.years},
            "format": {kind.value for kind in self.formats},
        }
        return value in offered[name]


def _public():
    return Event.state != EventState.DRAFT


def filter_choices(all_cities: list[City]) -> FilterChoices:
    """Two queries (the cities are the caller's: the map needs them all anyway)."""
    year = func.extract("year", Event.start_date)
    combos = db.session.execute(
        select(Event.host_city_id, year, Event.format, func.count(Event.id))
        .where(_public()).group_by(Event.host_city_id, year, Event.format)).all()
    hosted: dict[int, int] = {}
    for city_id, _year, _format, count in combos:
        hosted[city_id] = hosted.get(city_id, 0) + count
    used_areas = select(event_policy_areas.c.policy_area_id).join(Event, Event.id == event_policy_areas.c.event_id) \
        .where(_public())
    areas = list(db.session.scalars(select(PolicyArea).where(PolicyArea.id.in_(used_areas)).order_by(PolicyArea.id)))
    present_formats = {kind for _city, _year, kind, _count in combos}
    return FilterChoices(
        cities=[city for city in all_cities if city.id in hosted],
        areas=areas,
        years=sorted({int(value) for _city, value, _format, _count in combos}, reverse=True),
        formats=[kind for kind in EventFormat if kind in present_formats],
        hosted=hosted,
    )


def parse_filters(args, choices: FilterChoices) -> tuple[NetworkFilters, list[str]]:
    """The filters asked for in `args`, and the values that match nothing the network has (left
    out, and said so, rather than showing an empty list the visitor cannot explain)."""
    kept, refused = {}, []
    for name in (item.name for item in fields(NetworkFilters)):
        raw = (args.get(name) or "").strip()
        value, unsafe = search_text(raw, MAX_VALUE_LENGTH)
        if not raw:
            continue
        if not unsafe and len(raw) <= MAX_VALUE_LENGTH and choices.allows(name, value):
            kept[name] = value
        else:
            # Said back as typed, but a control character has no place on a page.
            refused.append(UNREADABLE if unsafe else value)
    return NetworkFilters(**kept), refused


def filtered_events(now: datetime, filters: NetworkFilters, choices: FilterChoices) -> NetworkEvents:
    """The public events these filters keep, upcoming and past: one query."""
    conditions = [_public()]
    if filters.city:
        conditions.append(Event.host_city_id == next(c.id for c in choices.cities if c.slug == filters.city))
    if filters.area:
        conditions.append(Event.policy_areas.any(PolicyArea.code == filters.area))
    if filters.year:
        year = int(filters.year)
        conditions.append(Event.start_date.between(date(year, 1, 1), date(year, 12, 31)))
    if filters.format:
        conditions.append(Event.format == EventFormat(filters.format))
    events = db.session.scalars(select(Event).options(joinedload(Event.host_city)).where(*conditions)
                                .order_by(Event.start_date, Event.id)).all()
    return split_by_time(events, now)
