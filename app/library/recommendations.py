"""Capture's final recommendations as library documents: the library reads capture's tables (it
reads what the stages publish), since capture's StageSpec was written before the library's
LibrarySource existed. Capture may take this reader into its own spec later; nothing else changes.

Stamps: capture raises `CaptureSettings.revision` (and its `updated_at`) on every change its pages
show, follow-up included (app/capture/common.bump): one row per event, read cheaply.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.capture.models import CaptureSettings, Entry, EntryKind, EntrySdg, FollowUp, entry_policy_areas
from app.events.models import Event, EventState, PolicyArea
from app.extensions import db
from app.stages import LibraryDocument, LibrarySource

KIND = "recommendation"


def final_recommendations_query(event_ids):
    """Final recommendations of public events that are shown (not removed; a final one is never merged)."""
    return (select(Entry).join(Event, Event.id == Entry.event_id)
            .where(Entry.event_id.in_(event_ids), Entry.kind == EntryKind.RECOMMENDATION,
                   Entry.final_at.is_not(None), Entry.removed_at.is_(None), Entry.merged_into_id.is_(None),
                   Event.state != EventState.DRAFT))


def documents(event_ids: list[int]) -> list[LibraryDocument]:
    """Five queries for any number of events."""
    entries = list(db.session.scalars(final_recommendations_query(event_ids).order_by(Entry.id)))
    if not entries:
        return []
    ids = select(final_recommendations_query(event_ids).with_only_columns(Entry.id).subquery().c.id)
    slugs = dict(db.session.execute(select(Event.id, Event.slug).where(Event.id.in_(event_ids))).all())
    sdgs: dict[int, list[str]] = {}
    for entry_id, code in db.session.execute(
        select(EntrySdg.entry_id, EntrySdg.code).where(EntrySdg.entry_id.in_(ids))
        .order_by(EntrySdg.entry_id, EntrySdg.position)
    ):
        sdgs.setdefault(entry_id, []).append(code)
    areas: dict[int, list[str]] = {}
    for entry_id, code in db.session.execute(
        select(entry_policy_areas.c.entry_id, PolicyArea.code)
        .join(PolicyArea, PolicyArea.id == entry_policy_areas.c.policy_area_id)
        .where(entry_policy_areas.c.entry_id.in_(ids)).order_by(entry_policy_areas.c.entry_id, PolicyArea.id)
    ):
        areas.setdefault(entry_id, []).append(code)
    follow_ups: dict[int, list[dict]] = {}
    for row in db.session.execute(
        select(FollowUp.recommendation_id, FollowUp.city_id, FollowUp.status, FollowUp.noted_on, FollowUp.note,
               FollowUp.action_url)
        .where(FollowUp.recommendation_id.in_(ids)).order_by(FollowUp.noted_on.desc(), FollowUp.id)
    ):
        follow_ups.setdefault(row.recommendation_id, []).append(
            {"city_id": row.city_id, "status": row.status.value, "noted_on": row.noted_on.isoformat(),
             "note": row.note, "action_url": row.action_url})
    found = []
    for entry in entries:
        taken = follow_ups.get(entry.id, [])
        found.append(LibraryDocument(
            kind=KIND, key=str(entry.id), event_id=entry.event_id, title_en="", title_fr="",
            text_en=entry.text_en, text_fr=entry.text_fr, published_at=entry.final_at, endpoint="capture.show",
            params={"slug": slugs[entry.event_id]}, anchor=f"rec-{entry.id}",
            facets={"area": areas.get(entry.id, []), "sdg": sdgs.get(entry.id, []),
                    "actor": [entry.actor_level.value] if entry.actor_level else [],
                    "status": sorted({f["status"] for f in taken}) or ["none"]},
            details={"entry_id": entry.id, "actor_level": entry.actor_level.value if entry.actor_level else "",
                     "actor": entry.actor, "working_group": entry.working_group, "areas": areas.get(entry.id, []),
                     "sdgs": sdgs.get(entry.id, []), "follow_ups": taken, "language": entry.language},
            search_extra=" ".join(value for value in (entry.actor, entry.working_group) if value),
        ))
    return found


def stamps() -> dict[int, str]:
    return {event_id: f"{revision}/{updated_at.isoformat() if updated_at else ''}"
            for event_id, revision, updated_at in db.session.execute(
                select(CaptureSettings.event_id, CaptureSettings.revision, CaptureSettings.updated_at))}


def fingerprint() -> list:
    return [select(func.count(CaptureSettings.event_id)).scalar_subquery(),
            select(func.coalesce(func.sum(CaptureSettings.revision), 0)).scalar_subquery(),
            select(func.max(CaptureSettings.updated_at)).scalar_subquery()]


SOURCE = LibrarySource(kind=KIND, label=_l("Recommendations"), item_label=_l("Recommendation"),
                       documents=documents, stamps=stamps, fingerprint=fingerprint,
                       result_template="library/_recommendation.html")
