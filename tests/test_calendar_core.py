"""The VTIMEZONE core: checked by the three parsers of ../shared/validators/check-ics."""

from datetime import UTC, datetime

from icalendar import Event

from app.calendar import add_timezones, clock_changes, ical_time, new_calendar, to_ics, vtimezone
from app.timezones import local_to_utc
from tests.ical_check import run_check_ics


def test_clock_changes_of_paris_in_2027_are_the_last_sundays_of_march_and_october():
    changes = clock_changes("Europe/Paris", datetime(2027, 1, 1, tzinfo=UTC), datetime(2027, 12, 31, tzinfo=UTC))
    assert changes == [datetime(2027, 3, 28, 1, 0, tzinfo=UTC), datetime(2027, 10, 31, 1, 0, tzinfo=UTC)]


def test_amman_has_no_clock_change_after_2022():
    assert clock_changes("Asia/Amman", datetime(2023, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)) == []


def test_casablanca_changes_clocks_around_ramadan():
    changes = clock_changes("Africa/Casablanca", datetime(2027, 1, 1, tzinfo=UTC), datetime(2027, 6, 1, tzinfo=UTC))
    assert len(changes) == 2 and changes[0].month == 2 and changes[1].month == 3


def _timed_event(uid: str, zone: str, wall_start: datetime, wall_end: datetime) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", datetime(2026, 11, 1, tzinfo=UTC))
    event.add("summary", f"Session in {zone}")
    event.add("dtstart", ical_time(local_to_utc(wall_start, zone), zone))
    event.add("dtend", ical_time(local_to_utc(wall_end, zone), zone))
    return event


CASES = [
    # zone, wall-clock start — across the European autumn change, in Amman's permanent +03 and in
    # Casablanca during Ramadan (+00) and after it (+01).
    ("Europe/Paris", datetime(2027, 10, 30, 9, 0)),
    ("Europe/Paris", datetime(2027, 11, 2, 9, 0)),
    ("Asia/Amman", datetime(2027, 1, 12, 9, 0)),
    ("Africa/Casablanca", datetime(2027, 2, 20, 9, 0)),
    ("Africa/Casablanca", datetime(2027, 3, 20, 9, 0)),
    ("Europe/Rome", datetime(2027, 3, 29, 9, 0)),
]


def test_feed_with_events_in_several_zones_passes_all_three_parsers(tmp_path):
    calendar = new_calendar(name="Test feed")
    expectations, by_zone = [], {}
    for number, (zone, start) in enumerate(CASES):
        uid = f"case-{number}@test.mc2cm"
        end = start.replace(hour=start.hour + 2)
        calendar.add_component(_timed_event(uid, zone, start, end))
        instant = local_to_utc(start, zone)
        by_zone.setdefault(zone, []).append(instant)
        expectations.append(f"{uid}={instant:%Y-%m-%dT%H:%M:%SZ}")
    add_timezones(calendar, by_zone)
    path = tmp_path / "feed.ics"
    path.write_bytes(to_ics(calendar))
    result = run_check_ics(path, *expectations)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PASS" in result.stdout.splitlines()[-1]


def test_vtimezone_has_single_value_dtstarts_and_no_rdate_lists():
    text = vtimezone("Europe/Paris", [datetime(2027, 6, 1, tzinfo=UTC)]).to_ical().decode()
    assert "RDATE" not in text and "RRULE" not in text
    assert text.count("BEGIN:DAYLIGHT") >= 2 and text.count("BEGIN:STANDARD") >= 2


def test_timezones_come_before_the_events_that_use_them():
    calendar = new_calendar()
    calendar.add_component(_timed_event("a@test", "Europe/Paris", datetime(2027, 5, 1, 9), datetime(2027, 5, 1, 10)))
    add_timezones(calendar, {"Europe/Paris": [datetime(2027, 5, 1, 7, tzinfo=UTC)]})
    assert [c.name for c in calendar.subcomponents] == ["VTIMEZONE", "VEVENT"]


def test_moroccan_times_are_written_in_utc_and_others_with_their_zone():
    instant = datetime(2027, 3, 20, 8, 0, tzinfo=UTC)
    assert ical_time(instant, "Africa/Casablanca").tzinfo is UTC
    assert str(ical_time(instant, "Europe/Paris").tzinfo) == "Europe/Paris"
    calendar = new_calendar()
    add_timezones(calendar, {"Africa/Casablanca": [instant], "Asia/Amman": [instant]})
    assert [c["TZID"] for c in calendar.subcomponents] == ["Asia/Amman"]
