"""What the note is generated from, read from the other stages' tables: the capture stage's entries
and votes, the background document and the registrations (figures; names only with consent).

The capture stage offers its tallies and its ranking (`app.capture.queries.tallies`,
`person_order`), which the note uses so that its order is the room's; it has no read of what the
note needs otherwise (final recommendations with their tags, entries by kind with their city,
follow-up of the final ones), so those are written here, on capture's models, read only. Each read
is a fixed number of queries, however many entries.
"""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.capture.models import Entry, EntryKind, FollowUp
from app.events.models import Event, PolicyArea
from app.extensions import db
from app.registration.models import AttendanceMode, Registration, RegistrationStatus


@dataclass
class RankedRecommendation:
    entry: Entry
    dots: int
    endorsers: int
    rank: int = 0


def final_recommendations(event: Event) -> list[RankedRecommendation]:
    """The recommendations marked final (not removed, not merged into another), ranked by the room
    as the capture stage ranks them (`person_order`: most dots, then endorsements, then the cities'
    points; a merged duplicate's votes count for the one it was merged into)."""
    from app.capture.queries import Tally, person_order, tallies

    entries = db.session.scalars(
        select(Entry).options(selectinload(Entry.policy_areas), selectinload(Entry.sdgs))
        .where(Entry.event_id == event.id, Entry.kind == EntryKind.RECOMMENDATION, Entry.final_at.is_not(None),
               Entry.removed_at.is_(None), Entry.merged_into_id.is_(None))
    ).all()
    counts = tallies(event)
    ordered = sorted(entries, key=lambda entry: person_order(entry, counts.get(entry.id, Tally())))
    ranked = []
    for number, entry in enumerate(ordered, 1):
        tally = counts.get(entry.id, Tally())
        ranked.append(RankedRecommendation(entry, tally.dots, tally.endorsers, number))
    return ranked


def entries(event: Event) -> dict[EntryKind, list[Entry]]:
    """The challenges, opportunities, cases and field-visit observations, in the order recorded."""
    found: dict[EntryKind, list[Entry]] = {kind: [] for kind in EntryKind if kind is not EntryKind.RECOMMENDATION}
    for entry in db.session.scalars(
        select(Entry).options(joinedload(Entry.city))
        .where(Entry.event_id == event.id, Entry.kind != EntryKind.RECOMMENDATION, Entry.removed_at.is_(None))
        .order_by(Entry.id)
    ):
        found[entry.kind].append(entry)
    return found


def follow_ups(event: Event) -> list[FollowUp]:
    """What cities recorded doing with the event's recommendations, the latest first."""
    return list(db.session.scalars(
        select(FollowUp).options(joinedload(FollowUp.city)).join(Entry, Entry.id == FollowUp.recommendation_id)
        .where(Entry.event_id == event.id).order_by(FollowUp.noted_on.desc(), FollowUp.id)))


def policy_areas() -> dict[int, PolicyArea]:
    return {area.id: area for area in db.session.scalars(select(PolicyArea))}


def background_context(event: Event) -> tuple[dict, str]:
    """The published background document's Markdown in both languages ("background"), else the
    event's summary ("summary"), else nothing."""
    from app.background.queries import document_of

    document = document_of(event)
    if document is not None and document.is_published and (document.published_markdown_en
                                                            or document.published_markdown_fr):
        return {"en": document.published_markdown_en, "fr": document.published_markdown_fr}, "background"
    if event.summary_en.strip() or event.summary_fr.strip():
        return {"en": event.summary_en, "fr": event.summary_fr}, "summary"
    return {"en": "", "fr": ""}, ""


def _key(text: str) -> str:
    return " ".join((text or "").split()).casefold()


def participation(event: Event) -> dict[int | str, int]:
    """Figures only: confirmed participants, and how many organisations, cities and countries they
    came from, in person and online. One query; no name leaves this function."""
    rows = db.session.execute(
        select(Registration.organisation, Registration.city, Registration.country_code, Registration.attendance)
        .where(Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)).all()
    return {
        "participants": len(rows),
        "organisations": len({_key(row.organisation) for row in rows} - {""}),
        "cities": len({_key(row.city) for row in rows} - {""}),
        "countries": len({(row.country_code or "").upper() for row in rows} - {""}),
        "in_person": sum(1 for row in rows if row.attendance is AttendanceMode.IN_PERSON),
        "online": sum(1 for row in rows if row.attendance is AttendanceMode.ONLINE),
    }


def listed_participants(event: Event) -> list[Registration]:
    """The participants who agreed to appear on the public list (while the event keeps one)."""
    from app.registration.queries import public_participants, settings_for

    if not settings_for(event).public_list:
        return []
    return public_participants(event)


def still_listed(event: Event, registration_ids) -> set[int]:
    """Of these registrations, those that may still be named: a published version keeps the names
    it was published with, and shows only those whose consent still stands (not withdrawn, not
    erased). One query."""
    from app.registration.queries import settings_for

    wanted = [int(i) for i in registration_ids]
    if not wanted or not settings_for(event).public_list:
        return set()
    return set(db.session.scalars(
        select(Registration.id).where(Registration.id.in_(wanted), Registration.event_id == event.id,
                                      Registration.status == RegistrationStatus.CONFIRMED,
                                      Registration.consent_public_list.is_(True), Registration.erased_at.is_(None))))


def consenting_ids(event: Event) -> list[int]:
    """The registrations of the event that may be named now (confirmed, consenting, not erased), for
    the fingerprint of a kept file: one query, whatever the size of the note."""
    from app.registration.queries import settings_for

    if not settings_for(event).public_list:
        return []
    return list(db.session.scalars(
        select(Registration.id).where(Registration.event_id == event.id,
                                      Registration.status == RegistrationStatus.CONFIRMED,
                                      Registration.consent_public_list.is_(True), Registration.erased_at.is_(None))
        .order_by(Registration.id)))
