"""Calendar feeds: links from PUBLIC_URL whatever Host a request claims, a refresh interval for
subscribers, and a webcal:// subscription beside every download."""

import icalendar
import pytest

from app.events.models import EventState
from tests.ical_check import assert_check_ics


@pytest.fixture
def event_with_item(make):
    event = make.event(state=EventState.OPEN)
    make.agenda_item(event, "10:00", "11:00", title_en="Opening", title_fr="Ouverture")
    return event


def _urls(ics: bytes) -> set[str]:
    cal = icalendar.Calendar.from_ical(ics)
    return {str(component["URL"]) for component in cal.walk("VEVENT") if "URL" in component}


@pytest.mark.parametrize("path", ["/events/{slug}/calendar.ics", "/calendar.ics"])
def test_a_forged_host_never_reaches_a_feed_or_its_cache(app, client, event_with_item, path):
    path = path.format(slug=event_with_item.slug)
    forged = client.get(path, headers={"Host": "evil.example"})
    honest = client.get(path)
    assert forged.status_code == honest.status_code == 200
    public = app.config["PUBLIC_URL"].rstrip("/")
    for response in (forged, honest):
        urls = _urls(response.data)
        assert urls and all(url.startswith(public + "/") for url in urls), urls
        assert b"evil.example" not in response.data


def test_feeds_tell_subscribers_to_refresh_hourly_and_pass_check_ics(client, event_with_item, tmp_path):
    for number, path in enumerate((f"/events/{event_with_item.slug}/calendar.ics", "/calendar.ics")):
        data = client.get(path).data
        (tmp_path / f"{number}.ics").write_bytes(data)
        cal = icalendar.Calendar.from_ical(data)
        assert cal["REFRESH-INTERVAL"].dt.total_seconds() == 3600
        assert str(cal["X-PUBLISHED-TTL"]) == "PT1H"
        assert_check_ics(tmp_path / f"{number}.ics")


def test_pages_offer_a_webcal_subscription_beside_the_download(app, client, event_with_item):
    public = app.config["PUBLIC_URL"].split("://", 1)[1].rstrip("/")
    slug = event_with_item.slug
    agenda = client.get(f"/events/{slug}/agenda?lang=en").text
    assert f'href="webcal://{public}/events/{slug}/calendar.ics"' in agenda
    assert f'href="/events/{slug}/calendar.ics" download' in agenda
    hub = client.get(f"/events/{slug}/?lang=fr").text
    assert f'href="webcal://{public}/events/{slug}/calendar.ics"' in hub and "Télécharger (.ics)" in hub
    home = client.get("/?lang=en").text
    assert f'href="webcal://{public}/calendar.ics"' in home
