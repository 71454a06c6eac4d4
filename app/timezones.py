"""Wall-clock times in an event's zone, to and from the UTC instants we store."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

from app.domain import DomainError


class NonexistentLocalTime(ValueError):
    """The wall-clock time is skipped by a clock change in that zone (a spring-forward gap)."""


class AmbiguousLocalTime(ValueError):
    """The wall-clock time happens twice in that zone (the clocks go back): which one is meant?"""


def local_to_utc(wall_clock: datetime, zone_name: str, fold: int | None = None) -> datetime:
    """The UTC instant of a naive wall-clock time in a zone.

    A time that never occurs (spring gap) raises NonexistentLocalTime rather than silently moving
    by an hour; one that occurs twice (autumn) raises AmbiguousLocalTime unless `fold` says which
    (0: the first, 1: the second), never picked silently.
    """
    if wall_clock.tzinfo is not None:
        raise ValueError("expected a wall-clock time without a zone")
    tz = ZoneInfo(zone_name)
    first = wall_clock.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if first.astimezone(tz).replace(tzinfo=None) != wall_clock:
        raise NonexistentLocalTime(f"{wall_clock:%Y-%m-%d %H:%M} does not exist in {zone_name}")
    second = wall_clock.replace(tzinfo=tz, fold=1).astimezone(UTC)
    if first == second or fold == 0:
        return first
    if fold == 1:
        return second
    raise AmbiguousLocalTime(f"{wall_clock:%Y-%m-%d %H:%M} happens twice in {zone_name}")


def utc_to_local(instant: datetime, zone_name: str) -> datetime:
    return instant.astimezone(ZoneInfo(zone_name))


def start_of_day(day: date, zone_name: str) -> datetime:
    """The first instant of a local calendar day, in UTC: local midnight, or the first minute after
    it where a clock change skips midnight (Beirut, Amman in the past)."""
    wall_clock = datetime.combine(day, time())
    for _minute in range(3 * 60):
        try:
            return local_to_utc(wall_clock, zone_name, fold=0)
        except NonexistentLocalTime:
            wall_clock += timedelta(minutes=1)
    raise NonexistentLocalTime(f"{day} has no start in {zone_name}")


def entered_time_to_utc(wall_clock: datetime | None, zone_name: str, field_name: str) -> datetime | None:
    """A time an organiser typed, as a UTC instant; a time skipped by a clock change, or one that
    happens twice because the clocks go back, is refused next to its form field."""
    if wall_clock is None:
        return None
    try:
        return local_to_utc(wall_clock, zone_name)
    except NonexistentLocalTime:
        raise DomainError(
            _l("This time does not exist in %(zone)s: the clocks change that night. Choose another time.",
               zone=zone_name),
            field=field_name,
        ) from None
    except AmbiguousLocalTime:
        raise DomainError(
            _l("This time happens twice in %(zone)s: the clocks go back an hour that night. Choose a time "
               "outside that hour.", zone=zone_name),
            field=field_name,
        ) from None
