"""SQL queries per public page do not grow with the data (issue 14).

Every page is fetched at two sizes of `flask seed-demo --scale`: the larger one has more events,
more registrations, entries and votes per event, more published notes. Each page must run the same
number of statements at both. The page cache is cleared before every fetch (a hit would hide the
page's queries), and every page is fetched once before it is counted, so that work done once per
process or per change (the library's index catching up) is not counted as the page's.
"""

import pytest
from sqlalchemy import select

from app.events.models import City, Event, EventState
from app.extensions import db
from app.registration.models import Registration
from app.registration.tokens import make_token
from tests.conftest import _empty_tables

SMALL, LARGE = "0.02", "0.1"  # 1 finished event with 40 entries; 2 with 100 each, and 5 times the registrations


def _pages() -> dict[str, str]:
    events = db.session.scalars(select(Event).where(Event.summary_en.like("Two days in % on one question%"))
                                .order_by(Event.start_date)).all()
    past = next(e for e in events if e.state is EventState.FINISHED)
    upcoming = next(e for e in events if e.state is EventState.OPEN)
    city = db.session.get(City, past.host_city_id)
    participant = db.session.scalar(select(Registration).where(Registration.event_id == upcoming.id)
                                    .order_by(Registration.id).limit(1))
    pages = {"home": "/", "network feed": "/calendar.ics", "library": "/library", "library search": "/library?q=city",
             "library figures": "/library/figures", "notes feed": "/library/notes.atom", "city": f"/cities/{city.slug}",
             "SDG": "/library/sdgs/10", "participant": f"/r/{make_token(participant)}"}
    for label, event in (("past", past), ("upcoming", upcoming)):
        base = f"/events/{event.slug}"
        pages.update({f"{label} hub": f"{base}/", f"{label} agenda": f"{base}/agenda",
                      f"{label} background": f"{base}/background", f"{label} field visit": f"{base}/field-visit",
                      f"{label} recommendations": f"{base}/recommendations",
                      f"{label} screen": f"{base}/recommendations/screen",
                      f"{label} board": f"{base}/recommendations/screen/board",
                      f"{label} event feed": f"{base}/calendar.ics"})
    pages["registration form"] = f"/events/{upcoming.slug}/register"
    pages["participants"] = f"/events/{upcoming.slug}/participants"
    pages["learning note"] = f"/events/{past.slug}/learning-note"
    return pages


def _counts(app, client, count_queries, scale: str) -> dict[str, int]:
    result = app.test_cli_runner().invoke(args=["seed-demo", "--scale", scale])
    assert result.exit_code == 0, result.output
    pages = _pages()
    db.session.remove()
    counts = {}
    for label, path in pages.items():
        for language in ("en", "fr"):
            for _warm_up_then_count in range(2):
                app.extensions["page_cache"].clear()
                with count_queries() as statements:
                    response = client.get(path + ("&" if "?" in path else "?") + f"lang={language}")
            assert response.status_code == 200, (label, path, response.status_code)
            counts[f"{label} ({language})"] = len(statements)
    return counts


@pytest.mark.slow
def test_no_public_page_runs_more_queries_with_more_data(app, client, count_queries):
    small = _counts(app, client, count_queries, SMALL)
    db.session.remove()
    _empty_tables()
    app.extensions["page_cache"].clear()
    large = _counts(app, client, count_queries, LARGE)
    grown = {label: (small[label], large[label]) for label in small if large[label] != small[label]}
    assert not grown, f"queries (small, large) of the pages that grow with the data: {grown}"
