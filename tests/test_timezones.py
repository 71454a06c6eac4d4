from datetime import UTC, date, datetime

import pytest

from app.timezones import AmbiguousLocalTime, NonexistentLocalTime, local_to_utc, start_of_day, utc_to_local


@pytest.mark.parametrize(("zone", "wall_clock", "expected_utc"), [
    # Europe: CET in winter, CEST after the last Sunday of March.
    ("Europe/Paris", datetime(2027, 3, 27, 9, 0), datetime(2027, 3, 27, 8, 0, tzinfo=UTC)),
    ("Europe/Paris", datetime(2027, 3, 29, 9, 0), datetime(2027, 3, 29, 7, 0, tzinfo=UTC)),
    # Jordan moved to permanent +03 in October 2022: no winter time any more.
    ("Asia/Amman", datetime(2021, 12, 15, 10, 0), datetime(2021, 12, 15, 8, 0, tzinfo=UTC)),
    ("Asia/Amman", datetime(2023, 12, 15, 10, 0), datetime(2023, 12, 15, 7, 0, tzinfo=UTC)),
    # Morocco is at +01 except during Ramadan, when it goes back to +00 (Ramadan 2027 ≈ 8 Feb–9 Mar).
    ("Africa/Casablanca", datetime(2027, 1, 20, 10, 0), datetime(2027, 1, 20, 9, 0, tzinfo=UTC)),
    ("Africa/Casablanca", datetime(2027, 2, 20, 10, 0), datetime(2027, 2, 20, 10, 0, tzinfo=UTC)),
])
def test_wall_clock_times_become_the_right_instants(zone, wall_clock, expected_utc):
    assert local_to_utc(wall_clock, zone) == expected_utc
    assert utc_to_local(expected_utc, zone).replace(tzinfo=None) == wall_clock


def test_a_time_skipped_by_the_spring_change_is_refused():
    with pytest.raises(NonexistentLocalTime):
        local_to_utc(datetime(2027, 3, 28, 2, 30), "Europe/Paris")


def test_a_repeated_autumn_time_is_never_picked_silently():
    with pytest.raises(AmbiguousLocalTime):
        local_to_utc(datetime(2027, 10, 31, 2, 30), "Europe/Paris")
    assert local_to_utc(datetime(2027, 10, 31, 2, 30), "Europe/Paris", fold=0) == datetime(2027, 10, 31, 0, 30,
                                                                                             tzinfo=UTC)
    assert local_to_utc(datetime(2027, 10, 31, 2, 30), "Europe/Paris", fold=1) == datetime(2027, 10, 31, 1, 30,
                                                                                             tzinfo=UTC)
    # An hour later the clock reads it once only.
    assert local_to_utc(datetime(2027, 10, 31, 3, 30), "Europe/Paris") == datetime(2027, 10, 31, 2, 30, tzinfo=UTC)


def test_an_organiser_typing_a_repeated_time_is_told_next_to_the_field(app, client, make):
    from app.auth.models import Role
    from app.events.models import EventState

    paris = make.city("Paris", "Europe/Paris", "FR")
    organiser = make.user(Role.ORGANISER, paris)
    event = make.event(paris, EventState.DRAFT, start_date=date(2027, 10, 30), end_date=date(2027, 10, 31))
    make.login(client, organiser)
    response = client.post(f"/manage/events/{event.slug}/agenda/items/new?lang=fr", data={
        "kind": "session", "title_en": "Night walk", "title_fr": "Marche de nuit",
        "starts_at": "2027-10-31T02:15", "ends_at": "2027-10-31T04:00"})
    assert response.status_code == 422
    assert "se produit deux fois" in response.text and 'id="starts_at-error"' in response.text
    assert "Marche de nuit" in response.text, "nothing typed is lost"


@pytest.mark.parametrize(("zone", "day", "expected_utc"), [
    # An ordinary midnight, and one on the day Paris changes its clocks at 02:00.
    ("Europe/Paris", date(2027, 1, 15), datetime(2027, 1, 14, 23, 0, tzinfo=UTC)),
    ("Europe/Paris", date(2027, 3, 28), datetime(2027, 3, 27, 23, 0, tzinfo=UTC)),
    # Beirut moves its clocks from 00:00 to 01:00 on the last Sunday of March: midnight never
    # happens, the day starts at 01:00 (+03).
    ("Asia/Beirut", date(2027, 3, 28), datetime(2027, 3, 27, 22, 0, tzinfo=UTC)),
    # Beirut goes back from 00:00 to 23:00 in October: the 31st starts once, at 00:00 (+02).
    ("Asia/Beirut", date(2027, 10, 31), datetime(2027, 10, 30, 22, 0, tzinfo=UTC)),
    # Amman skipped midnight too, before its permanent +03 (2014, and the last change in 2022).
    ("Asia/Amman", date(2014, 3, 28), datetime(2014, 3, 27, 22, 0, tzinfo=UTC)),
    ("Asia/Amman", date(2022, 2, 25), datetime(2022, 2, 24, 22, 0, tzinfo=UTC)),
])
def test_the_start_of_a_day_is_its_first_real_instant(zone, day, expected_utc):
    assert start_of_day(day, zone) == expected_utc


def test_beirut_midnight_really_does_not_exist_on_the_day_of_the_change():
    with pytest.raises(NonexistentLocalTime):
        local_to_utc(datetime(2027, 3, 28, 0, 0), "Asia/Beirut")


def test_utc_datetime_column_refuses_naive_values(app, make):
    from app.extensions import db

    event = make.event()
    event.registration_opens_at = datetime(2030, 1, 1, 9, 0)
    with pytest.raises(Exception, match="naive datetime"):
        db.session.flush()
    db.session.rollback()


def test_utc_datetime_column_round_trips_aware_values(app, make):
    from zoneinfo import ZoneInfo

    from app.extensions import db

    event = make.event(registration_opens_at=datetime(2030, 1, 1, 9, 0, tzinfo=ZoneInfo("Asia/Amman")))
    db.session.expire_all()
    assert event.registration_opens_at == datetime(2030, 1, 1, 6, 0, tzinfo=UTC)
    assert event.registration_opens_at.tzinfo is not None


def test_start_of_day_where_the_clocks_skip_midnight():
    from datetime import date

    from app.timezones import start_of_day

    # Beirut springs forward at midnight: 28 March 2027 starts at 01:00 local (22:00 UTC the day before).
    assert start_of_day(date(2027, 3, 28), "Asia/Beirut") == datetime(2027, 3, 27, 22, 0, tzinfo=UTC)
    assert start_of_day(date(2027, 3, 29), "Asia/Beirut") == datetime(2027, 3, 28, 21, 0, tzinfo=UTC)
