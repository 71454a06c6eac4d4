"""Reads of the city and SDG pages, each a fixed number of queries however much the network holds."""

from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from app.capture.models import Entry, EntryKind, EntrySdg, FollowUp
from app.events.models import City, Event, EventState
from app.extensions import db
from app.library.atom import feed_kinds
from app.library.models import IndexedDocument
from app.library.recommendations import final_recommendations_query
from app.registration.models import Registration, RegistrationStatus


def city_by_slug(slug: str) -> City | None:
    return db.session.scalar(select(City).where(City.slug == slug[:120]))


def cities_with_counts() -> list[tuple[City, int, int]]:
    """Every city of the network with the public events it hosted and the follow-ups it recorded."""
    hosted = dict(db.session.execute(select(Event.host_city_id, func.count(Event.id))
                                     .where(Event.state != EventState.DRAFT).group_by(Event.host_city_id)).all())
    followed = dict(db.session.execute(select(FollowUp.city_id, func.count(FollowUp.id))
                                       .group_by(FollowUp.city_id)).all())
    return [(city, hosted.get(city.id, 0), followed.get(city.id, 0))
            for city in db.session.scalars(select(City).order_by(City.name_en))]


@dataclass
class CityPage:
    city: City
    hosted: list = field(default_factory=list)  # its public events, the latest first
    cases: list = field(default_factory=list)  # the cases it presented (Entry, with its event)
    recommendations: list = field(default_factory=list)  # final recommendations of the events it hosted
    follow_ups: list = field(default_factory=list)  # what it made of recommendations, the latest first
    attended: list = field(default_factory=list)  # public events of other hosts its people attended or presented at
    sdgs: dict = field(default_factory=dict)  # recommendation id -> SDG codes
    others: dict = field(default_factory=dict)  # recommendation id -> the other cities' follow-ups
    documents: dict = field(default_factory=dict)  # hosted event id -> what was published about it (notes)
    counts: dict = field(default_factory=dict)  # how many of each list there are, shown or not

    def more(self, name: str) -> bool:
        return self.counts.get(name, 0) > len(getattr(self, name))


def _names(city: City) -> list[str]:
    return sorted({city.name_en.strip().lower(), city.name_fr.strip().lower()})


CITY_LIST = 30  # the latest of each list; the page offers the rest


def city_page(city: City, limit: int | None = CITY_LIST) -> CityPage:
    """Nine queries; each list the latest `limit` (None: all), with how many there are."""
    page = CityPage(city)
    page.hosted = list(db.session.scalars(
        select(Event).where(Event.host_city_id == city.id, Event.state != EventState.DRAFT)
        .order_by(Event.start_date.desc(), Event.id.desc())))
    cases = (Entry.kind == EntryKind.CASE, Entry.city_id == city.id, Entry.removed_at.is_(None),
             Event.state != EventState.DRAFT)
    taken = (FollowUp.city_id == city.id, Event.state != EventState.DRAFT, Entry.final_at.is_not(None),
             Entry.removed_at.is_(None))
    page.cases = list(db.session.scalars(
        select(Entry).options(joinedload(Entry.event).joinedload(Event.host_city))
        .join(Event, Event.id == Entry.event_id)
        .where(*cases)
        .order_by(Event.start_date.desc(), Entry.id).limit(limit)))
    hosted_ids = [event.id for event in page.hosted]
    if hosted_ids and (kinds := feed_kinds()):
        # The library's own copy of what the stages published (kept fresh by the page's refresh()).
        for document in db.session.scalars(select(IndexedDocument).where(
                IndexedDocument.kind.in_(kinds), IndexedDocument.event_id.in_(hosted_ids))
                .order_by(IndexedDocument.id)):
            page.documents.setdefault(document.event_id, []).append(document)
    page.recommendations = list(db.session.scalars(
        final_recommendations_query(hosted_ids).options(joinedload(Entry.event))
        .order_by(Event.start_date.desc(), Entry.id).limit(limit))) if hosted_ids else []
    page.follow_ups = list(db.session.scalars(
        select(FollowUp).options(joinedload(FollowUp.recommendation).joinedload(Entry.event)
                                 .joinedload(Event.host_city))
        .join(Entry, Entry.id == FollowUp.recommendation_id).join(Event, Event.id == Entry.event_id)
        .where(*taken)
        .order_by(FollowUp.noted_on.desc(), FollowUp.id.desc()).limit(limit)))
    shown = [entry.id for entry in page.recommendations] + [f.recommendation_id for f in page.follow_ups]
    if shown:
        for entry_id, code in db.session.execute(
            select(EntrySdg.entry_id, EntrySdg.code).where(EntrySdg.entry_id.in_(shown))
            .order_by(EntrySdg.entry_id, EntrySdg.position)
        ):
            page.sdgs.setdefault(entry_id, []).append(code)
    if page.recommendations:
        for follow_up in db.session.scalars(
            select(FollowUp).options(joinedload(FollowUp.city))
            .where(FollowUp.recommendation_id.in_([entry.id for entry in page.recommendations]))
            .order_by(FollowUp.noted_on.desc(), FollowUp.id)
        ):
            page.others.setdefault(follow_up.recommendation_id, []).append(follow_up)
    registered = (select(Registration.event_id)
                  .where(Registration.status == RegistrationStatus.CONFIRMED,
                         func.lower(func.trim(Registration.city)).in_(_names(city))))
    presented = select(Entry.event_id).where(Entry.kind == EntryKind.CASE, Entry.city_id == city.id,
                                             Entry.removed_at.is_(None))
    attended = (Event.state != EventState.DRAFT, Event.host_city_id != city.id,
                or_(Event.id.in_(registered), Event.id.in_(presented)))
    page.attended = list(db.session.scalars(
        select(Event).options(joinedload(Event.host_city)).where(*attended)
        .order_by(Event.start_date.desc(), Event.id.desc()).limit(limit)))
    hosted_recommendations = final_recommendations_query(select(Event.id).where(
        Event.host_city_id == city.id, Event.state != EventState.DRAFT)).with_only_columns(Entry.id).subquery()
    counted = db.session.execute(select(
        select(func.count()).select_from(Entry).join(Event, Event.id == Entry.event_id).where(*cases)
        .scalar_subquery(),
        select(func.count()).select_from(hosted_recommendations).scalar_subquery(),
        select(func.count()).select_from(FollowUp).join(Entry, Entry.id == FollowUp.recommendation_id)
        .join(Event, Event.id == Entry.event_id).where(*taken).scalar_subquery(),
        select(func.count()).select_from(Event).where(*attended).scalar_subquery())).one()
    page.counts = dict(zip(("cases", "recommendations", "follow_ups", "attended"), counted, strict=True))
    return page


def follow_up_of(entry_id: int, city_id: int) -> FollowUp | None:
    return db.session.scalar(select(FollowUp).where(FollowUp.recommendation_id == entry_id,
                                                    FollowUp.city_id == city_id))


def recommendation(entry_id: int) -> Entry | None:
    """A recommendation with its event and host city (for the follow-up form)."""
    return db.session.scalar(select(Entry).options(joinedload(Entry.event).joinedload(Event.host_city))
                             .where(Entry.id == entry_id, Entry.kind == EntryKind.RECOMMENDATION))


def city_actions(code: str) -> list[FollowUp]:
    """What cities made of the final recommendations tagged with an SDG goal ("16", its targets
    too) or target ("16.6"), the latest first: one query."""
    tagged = select(EntrySdg.entry_id).where(EntrySdg.code == code if "." in code else EntrySdg.goal == int(code))
    final = final_recommendations_query(select(Event.id)).with_only_columns(Entry.id)
    return list(db.session.scalars(
        select(FollowUp).options(joinedload(FollowUp.city),
                                 joinedload(FollowUp.recommendation).joinedload(Entry.event))
        .where(FollowUp.recommendation_id.in_(tagged), FollowUp.recommendation_id.in_(final))
        .order_by(FollowUp.noted_on.desc(), FollowUp.id.desc())))
