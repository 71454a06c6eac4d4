"""The network's overview: figures for administrators, their city's for organisers, each a link."""

import re
from datetime import timedelta

import pytest

from app.auth.models import Role
from app.db_types import utcnow
from app.events.models import EventState
from app.extensions import db
from app.mail.models import OutboxStatus
from app.mail.recipients import Recipient
from app.mail.services import queue_message
from app.registration.models import RegistrationStatus

S = RegistrationStatus


def _failed(event=None, kind="private_link_resent"):
    message = queue_message(kind, Recipient("zoe@example.net", "Zoé", "fr"), event=event)
    message.status = OutboxStatus.FAILED
    db.session.commit()
    return message


@pytest.fixture
def network(make):
    lyon, tunis = make.city("Lyon", "Europe/Paris", "FR"), make.city("Tunis", "Africa/Tunis", "TN")
    now = utcnow()
    lyon_open = make.event(lyon, EventState.OPEN, days_ahead=20, theme_en="Housing in Lyon",
                           registration_closes_at=now + timedelta(days=5), capacity=2)
    tunis_open = make.event(tunis, EventState.OPEN, days_ahead=90, theme_en="Services in Tunis",
                            registration_closes_at=now + timedelta(days=60))
    lyon_draft = make.event(lyon, EventState.DRAFT, days_ahead=10, theme_en="Forgotten draft")
    make.event(lyon, EventState.FINISHED, days_ahead=-400, theme_en="Old one")
    for status in (S.CONFIRMED, S.CONFIRMED, S.WAITLISTED, S.PENDING, S.CANCELLED):
        make.registration(lyon_open, status=status)
    for status in (S.CONFIRMED, S.WAITLISTED, S.WAITLISTED):
        make.registration(tunis_open, status=status)
    _failed(lyon_open)
    _failed(tunis_open)
    _failed(tunis_open)
    _failed(None)
    return {"lyon": lyon, "lyon_open": lyon_open, "tunis_open": tunis_open, "lyon_draft": lyon_draft}


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)).replace("\u00a0", " ")


def test_the_admin_sees_the_networks_figures_each_a_link(client, make, network):
    make.login(client, make.user(Role.ADMIN))
    response = client.get("/manage/overview?lang=en")
    assert response.status_code == 200
    page, text = response.text, _text(response.text)
    assert 'class="count-state-open">2<' in page and 'class="count-state-draft">1<' in page
    assert 'class="count-state-finished">1<' in page
    assert 'href="/manage/?state=open"' in page
    assert "3 confirmed" in text and "3 on the waiting list" in text and "1 awaiting approval" in text
    lyon, tunis = network["lyon_open"], network["tunis_open"]
    assert f'href="/manage/events/{lyon.slug}/participants/?status=pending"' in page
    assert f'href="/manage/events/{tunis.slug}/participants/?status=waitlisted"' in page
    closing = page.split('class="deadlines closing"')[1].split("</ul>")[0]
    assert lyon.theme_en in closing and tunis.theme_en not in closing, "Tunis closes in 60 days: not yet"
    starting = page.split('class="deadlines starting"')[1].split("</ul>")[0]
    assert "Forgotten draft" in starting and lyon.theme_en in starting and tunis.theme_en not in starting
    assert f'href="/manage/events/{network["lyon_draft"].slug}/"' in starting
    failures = page.split('class="failures"')[1].split("</ul>")[0]
    assert f'href="/manage/events/{tunis.slug}/outbox?status=failed"' in failures
    assert f'href="/manage/events/{lyon.slug}/outbox?status=failed"' in failures
    assert "2 messages failed" in _text(failures) and "1 message failed" in _text(failures)
    assert "Not tied to an event" in failures


def test_an_organiser_sees_only_their_citys_events(client, make, network):
    make.login(client, make.user(Role.ORGANISER, network["lyon"]))
    response = client.get("/manage/overview?lang=en")
    assert response.status_code == 200
    page, text = response.text, _text(response.text)
    assert "Overview of your city's events" in page.replace("&#39;", "'")
    assert network["tunis_open"].slug not in page and "Services in Tunis" not in page
    assert 'class="count-state-open">1<' in page
    assert "2 confirmed" in text and "1 on the waiting list" in text
    failures = page.split('class="failures"')[1].split("</ul>")[0]
    assert "1 message failed" in _text(failures) and "Not tied to an event" not in failures


def test_the_overview_in_french(client, make, network):
    make.login(client, make.user(Role.ADMIN))
    text = _text(client.get("/manage/overview?lang=fr").text)
    assert "Vue d'ensemble du réseau" in text.replace("&#39;", "'")
    assert "3 confirmées" in text and "3 en liste d'attente" in text.replace("&#39;", "'")
    assert "Événements ouverts ou clos aux inscriptions :" in text


def test_a_quiet_network_says_so(client, make):
    make.login(client, make.user(Role.ADMIN))
    text = _text(client.get("/manage/overview?lang=en").text)
    assert "No event is open or closed for registration." in text
    assert "Every email was delivered or is on its way." in text


def test_the_dashboard_links_to_the_overview(app, client, make):
    make.login(client, make.user(Role.ADMIN))
    assert 'href="/manage/overview"' in client.get("/manage/").text
    facilitator = app.test_client()
    make.login(facilitator, make.user(Role.FACILITATOR))
    assert 'href="/manage/overview"' not in facilitator.get("/manage/").text
    assert facilitator.get("/manage/overview").status_code == 403


def test_the_overview_and_the_list_cost_the_same_queries_for_three_events_or_thirty(client, make, count_queries):
    lyon = make.city("Lyon", "Europe/Paris", "FR")
    make.login(client, make.user(Role.ADMIN))

    def add(number: int) -> None:
        for _ in range(number):
            event = make.event(lyon, EventState.OPEN, days_ahead=10,
                               registration_closes_at=utcnow() + timedelta(days=3))
            make.registration(event)
            _failed(event)

    add(3)
    with count_queries() as few:
        assert client.get("/manage/overview").status_code == 200
        assert client.get("/manage/").status_code == 200
    add(27)
    with count_queries() as many:
        assert client.get("/manage/overview").status_code == 200
        assert client.get("/manage/").status_code == 200
    assert len(many) == len(few), (len(few), len(many))
