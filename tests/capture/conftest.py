"""A running event with its staff, participants from several cities, and helpers that record
entries and votes through the real services."""

from dataclasses import dataclass

import pytest

from app.auth.models import Role
from app.capture import entries, voting
from app.capture.entries import EntryInput
from app.capture.models import EntryKind
from app.events.models import EventState
from app.extensions import db
from app.registration.tokens import make_token


@dataclass
class World:
    event: object
    admin: object
    organiser: object
    facilitator: object
    other_facilitator: object
    other_organiser: object
    participants: list


@pytest.fixture
def world(app, make):
    lyon = make.city("Lyon", "Europe/Paris", "FR")
    tunis = make.city("Tunis", "Africa/Tunis", "TN")
    event = make.event(lyon, EventState.OPEN, theme_en="Coordination", theme_fr="Coordination")
    other_event = make.event(lyon, EventState.OPEN)
    facilitator = make.user(Role.FACILITATOR, name="Zoé Lefèvre")
    other_facilitator = make.user(Role.FACILITATOR)
    make.assign(event, facilitator)
    make.assign(other_event, other_facilitator)
    participants = [make.registration(event, city=city, name=f"Delegate {n} of {city}")
                    for n, city in enumerate(["Lyon"] * 9 + ["Tunis"] * 2)]
    return World(event, make.user(Role.ADMIN), make.user(Role.ORGANISER, lyon), facilitator, other_facilitator,
                 make.user(Role.ORGANISER, tunis), participants)


@pytest.fixture
def add(world):
    def record(kind=EntryKind.RECOMMENDATION, text="Open one-stop shops.", language="en", by=None, client_key="",
               **fields):
        values = {f"text_{language}": text, **fields}
        added = entries.add_entry(by or world.facilitator, world.event, EntryInput(kind, language=language, **values),
                                  client_key=client_key)
        db.session.commit()
        return added.entry

    return record


@pytest.fixture
def open_voting(world):
    def do(allowance=5, reveal=True):
        voting.set_allowance(world.organiser, world.event, allowance)
        voting.set_voting(world.organiser, world.event, True)
        voting.set_results_revealed(world.organiser, world.event, reveal)
        db.session.commit()

    return do


def token(registration) -> str:
    return make_token(registration)
