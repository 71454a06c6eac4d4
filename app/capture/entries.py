"""Typed entries: adding (idempotent by the console's client key), editing without overwriting
anyone (a version number the form carries), translating, removing, and the history with restore.
Flush, never commit.

Every content change raises the entry's `version` with one conditional UPDATE (`WHERE version =
<the version the form was filled from>`): of two people saving the same entry, the second finds no
row to update and is refused with both versions shown, on SQLite and PostgreSQL alike.
"""

import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from app import uploads
from app.agenda.models import AgendaItem
from app.background.services import PdfUpload, check_pdf
from app.capture.common import bump, clean_line, clean_text, clean_url, require_capture, require_capture_open
from app.capture.models import (
    ActorLevel,
    Dot,
    Endorsement,
    Entry,
    EntryKind,
    EntryRevision,
    EntrySdg,
    TranslationStatus,
)
from app.capture.reference import parse_codes, sdgs
from app.db_types import utcnow
from app.domain import Checks, DomainError
from app.events.models import City, Event, PolicyArea
from app.extensions import db
from app.field_visit.queries import visit_of

UPLOAD_FOLDER = "capture"
TITLE_MAX = 300
TEXT_MAX = 10_000
ANSWERABLE = (EntryKind.CHALLENGE, EntryKind.OPPORTUNITY, EntryKind.CASE)
_CLIENT_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


@dataclass
class EntryInput:
    """An entry as a facilitator enters it. A new entry is written in one language (`language`);
    the edit form shows both side by side."""

    kind: EntryKind
    language: str = "en"
    title_en: str = ""
    title_fr: str = ""
    text_en: str = ""
    text_fr: str = ""
    translation_checked: bool = False
    city_id: int | None = None
    city_other: str = ""
    organisation: str = ""
    slides_url: str = ""
    pdf: PdfUpload | None = None
    remove_pdf: bool = False
    agenda_item_id: int | None = None
    field_visit_id: int | None = None
    visit_label: str = ""
    actor_level: ActorLevel | None = None
    actor: str = ""
    working_group: str = ""
    policy_area_ids: list[int] = field(default_factory=list)
    sdg_text: str = ""
    answer_ids: list[int] = field(default_factory=list)


@dataclass
class Added:
    entry: Entry
    created: bool  # False: this client key was sent before, nothing new was made


class EditConflict(DomainError):
    """Someone saved the entry since the form was filled: `current` is their version."""

    def __init__(self, current: Entry):
        who = current.updated_by.name if current.updated_by is not None else None
        message = (_l("%(name)s saved this entry while you were editing it. Their version and yours are both "
                      "shown below: nothing was overwritten. Bring what you need into the form and save again.",
                      name=who) if who else
                   _l("Someone saved this entry while you were editing it. Their version and yours are both shown "
                      "below: nothing was overwritten. Bring what you need into the form and save again."))
        super().__init__(message)
        self.current = current


# --- Snapshots: what a version holds -----------------------------------------------------------

SNAPSHOT_FIELDS = ("title_en", "title_fr", "text_en", "text_fr", "language", "translation_status", "city_id",
                   "city_other", "organisation", "slides_url", "pdf_filename", "agenda_item_id", "field_visit_id",
                   "visit_label", "actor_level", "actor", "working_group")
# Restoring a version gives back its words and choices, not a PDF file (kept or replaced as it is).
NOT_RESTORED = ("pdf_filename",)


def snapshot(entry: Entry) -> dict:
    values = {}
    for name in SNAPSHOT_FIELDS:
        value = getattr(entry, name)
        values[name] = value.value if hasattr(value, "value") else value
    values["policy_areas"] = [area.id for area in entry.policy_areas]
    values["sdgs"] = [sdg.code for sdg in entry.sdgs]
    values["answers"] = [answered.id for answered in entry.answers]
    values["removed"] = entry.removed_at is not None
    return values


def _record(entry: Entry, actor, action: str, now: datetime, restored_from: int | None = None) -> EntryRevision:
    revision = EntryRevision(entry_id=entry.id, version=entry.version, action=action, restored_from=restored_from,
                             snapshot=json.dumps(snapshot(entry), ensure_ascii=False, sort_keys=True),
                             actor_id=getattr(actor, "id", None), created_at=now)
    db.session.add(revision)
    return revision


# --- Checking what was typed -------------------------------------------------------------------


def _translation_status(values: dict, checked: bool) -> TranslationStatus:
    for name in Entry.BILINGUAL_FIELDS:
        en, fr = values[f"{name}_en"], values[f"{name}_fr"]
        if bool(en) != bool(fr):
            return TranslationStatus.MISSING
    return TranslationStatus.DONE if checked else TranslationStatus.TO_REVIEW


def _validated(event: Event, kind: EntryKind, data: EntryInput, entry: Entry | None = None) -> dict:
    """The entry's columns from what was typed; every refusal at once (Checks)."""
    checks = Checks()
    values = dict(
        title_en=clean_line(data.title_en), title_fr=clean_line(data.title_fr),
        text_en=clean_text(data.text_en), text_fr=clean_text(data.text_fr),
        language=data.language if data.language in ("en", "fr") else "en",
        city_id=None, city_other="", organisation="", slides_url="", agenda_item_id=None, field_visit_id=None,
        visit_label="", actor_level=None, actor="", working_group="", policy_area_ids=[], sdg_codes=[], answer_ids=[],
    )
    for name in ("title_en", "title_fr"):
        if len(values[name]) > TITLE_MAX:
            checks.refuse(_l("At most %(max)d characters.", max=TITLE_MAX), field=name)
    for name in ("text_en", "text_fr"):
        if len(values[name]) > TEXT_MAX:
            checks.refuse(_l("At most %(max)d characters.", max=TEXT_MAX), field=name)
    if kind is EntryKind.CASE:
        if not (values["title_en"] or values["title_fr"]):
            checks.refuse(_l("Give the case a title."), field="title_en")
        values.update(_case_values(event, data, checks))
    elif not (values["text_en"] or values["text_fr"]):
        checks.refuse(_l("Write the entry in English, in French, or both."), field="text_en")
    if kind is EntryKind.OBSERVATION:
        if data.field_visit_id is not None and visit_of(event, data.field_visit_id) is None:
            checks.refuse(_l("Choose one of this event's field visits."), field="field_visit_id")
        values["field_visit_id"] = data.field_visit_id
        values["visit_label"] = clean_line(data.visit_label)[:200]
        if values["field_visit_id"] is None and not values["visit_label"]:
            checks.refuse(_l("Say which visit this was seen on."), field="visit_label")
    if kind is EntryKind.RECOMMENDATION:
        values.update(_recommendation_values(event, data, entry, checks))
    checks.raise_any()
    values["translation_status"] = _translation_status(values, data.translation_checked)
    return values


def _case_values(event: Event, data: EntryInput, checks: Checks) -> dict:
    city_id = data.city_id
    if city_id is not None and db.session.get(City, city_id) is None:
        checks.refuse(_l("Choose a city from the list, or type another one."), field="city_id")
    city_other = "" if city_id is not None else clean_line(data.city_other)[:120]
    agenda_item_id = data.agenda_item_id
    if agenda_item_id is not None:
        item = db.session.get(AgendaItem, agenda_item_id)
        if item is None or item.event_id != event.id:
            checks.refuse(_l("Choose an item of this event's agenda."), field="agenda_item_id")
    slides_url = checks.run(lambda: clean_url(data.slides_url, "slides_url")) or ""
    return dict(city_id=city_id, city_other=city_other, organisation=clean_line(data.organisation)[:200],
                slides_url=slides_url[:500], agenda_item_id=agenda_item_id)


def _recommendation_values(event: Event, data: EntryInput, entry: Entry | None, checks: Checks) -> dict:
    if data.actor_level is not None and not isinstance(data.actor_level, ActorLevel):
        checks.refuse(_l("Choose who should act."), field="actor_level")
    area_ids = list(dict.fromkeys(data.policy_area_ids))
    if area_ids:
        known = set(db.session.scalars(select(PolicyArea.id).where(PolicyArea.id.in_(area_ids))))
        if set(area_ids) - known:
            checks.refuse(_l("Choose policy areas from the list."), field="policy_areas")
    codes, unknown = parse_codes(data.sdg_text)
    if unknown:
        checks.refuse(_l("Not a goal or target of the SDGs: %(codes)s. Write goals as 10 and targets as 10.7.",
                         codes=", ".join(unknown[:5])), field="sdgs")
    answer_ids = list(dict.fromkeys(data.answer_ids))
    if answer_ids:
        rows = db.session.execute(select(Entry.id, Entry.kind, Entry.removed_at).where(
            Entry.id.in_(answer_ids), Entry.event_id == event.id)).all()
        valid = {row.id for row in rows if row.kind in ANSWERABLE and row.removed_at is None}
        if entry is not None:  # a link kept from before stays even if its entry was removed since
            valid |= {answered.id for answered in entry.answers}
        if set(answer_ids) - valid:
            checks.refuse(_l("A recommendation answers challenges, opportunities and cases of this event."),
                          field="answers")
    return dict(actor_level=data.actor_level, actor=clean_line(data.actor)[:200],
                working_group=clean_line(data.working_group)[:120], policy_area_ids=area_ids, sdg_codes=codes,
                answer_ids=answer_ids)


def _apply(entry: Entry, values: dict) -> None:
    for name, value in values.items():
        if name not in ("policy_area_ids", "sdg_codes", "answer_ids"):
            setattr(entry, name, value)
    if [a.id for a in entry.policy_areas] != values["policy_area_ids"]:
        areas = {a.id: a for a in db.session.scalars(select(PolicyArea).where(
            PolicyArea.id.in_(values["policy_area_ids"])))} if values["policy_area_ids"] else {}
        entry.policy_areas = [areas[i] for i in values["policy_area_ids"]]
    if [s.code for s in entry.sdgs] != values["sdg_codes"]:
        reference = sdgs()
        entry.sdgs = [EntrySdg(code=code, goal=reference[code].goal, position=n)
                      for n, code in enumerate(values["sdg_codes"])]
    if [a.id for a in entry.answers] != values["answer_ids"]:
        answered = {e.id: e for e in db.session.scalars(select(Entry).where(
            Entry.id.in_(values["answer_ids"])))} if values["answer_ids"] else {}
        entry.answers = [answered[i] for i in values["answer_ids"]]


def _unchanged(entry: Entry, values: dict) -> bool:
    current = snapshot(entry)
    proposed = {name: (value.value if hasattr(value, "value") else value) for name, value in values.items()}
    for name, value in proposed.items():
        key = {"policy_area_ids": "policy_areas", "sdg_codes": "sdgs", "answer_ids": "answers"}.get(name, name)
        if current.get(key) != value:
            return False
    return True


def _store_pdf(entry: Entry, upload: PdfUpload | None, remove: bool) -> bool:
    """Attach, replace or remove the case's PDF. True when something changed."""
    if upload is None and not remove:
        return False
    old = entry.pdf_stored_name
    if upload is not None:
        check_pdf(upload)
        entry.pdf_stored_name = uploads.store(db.session(), UPLOAD_FOLDER, upload.data, "pdf")
        entry.pdf_filename = clean_line(upload.filename)[:255] or "slides.pdf"
    else:
        if old is None:
            return False
        entry.pdf_stored_name, entry.pdf_filename = None, ""
    # The file of an earlier version stays on disk: restoring a version gives back its words, and a
    # file that nothing points to any more is only removed with its entry.
    return True


def new_client_key() -> str:
    return uuid.uuid4().hex


# --- Adding ------------------------------------------------------------------------------------


def add_entry(actor, event: Event, data: EntryInput, client_key: str = "", now: datetime | None = None) -> Added:
    """Record a new entry. Sent again with the same client key (a retry, a double click), it
    answers with the entry made the first time and makes nothing."""
    require_capture(actor, event)
    client_key = client_key.strip() if _CLIENT_KEY.match(client_key.strip() or "") else new_client_key()
    existing = _by_client_key(event, client_key)
    if existing is not None:
        return Added(existing, created=False)
    require_capture_open(event)
    if data.kind not in EntryKind:
        raise DomainError(_l("Choose what kind of entry this is."), field="kind")
    if data.pdf is not None and data.kind is EntryKind.CASE:
        check_pdf(data.pdf)
    values = _validated(event, data.kind, data)
    now = now or utcnow()
    user_id = getattr(actor, "id", None)
    entry = Entry(event_id=event.id, kind=data.kind, client_key=client_key, version=1, created_by_id=user_id,
                  updated_by_id=user_id, created_at=now, updated_at=now)
    _apply(entry, values)
    # (event, client key) is unique: the same key sent at the same moment by another request (a
    # retry racing the first try) fails here, and the route runs this again, which then finds it
    # (see app.capture.common.once).
    db.session.add(entry)
    db.session.flush()
    if data.kind is EntryKind.CASE:
        _store_pdf(entry, data.pdf, False)
    _record(entry, actor, "created", now)
    bump(event, board=entry.kind is EntryKind.RECOMMENDATION)
    return Added(entry, created=True)


def _by_client_key(event: Event, client_key: str) -> Entry | None:
    return db.session.scalar(select(Entry).where(Entry.event_id == event.id, Entry.client_key == client_key))


# --- Editing -----------------------------------------------------------------------------------


def _claim_version(entry: Entry, expected: int) -> None:
    """Raise the version from `expected`, or refuse: someone saved first."""
    if expected != entry.version:
        raise EditConflict(entry)
    result = db.session.execute(
        update(Entry).where(Entry.id == entry.id, Entry.version == expected)
        .values(version=expected + 1).execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.refresh(entry)
        raise EditConflict(entry)
    entry.version = expected + 1


def _action(entry: Entry, values: dict) -> str:
    """"translated" when only the other language (or the translation's status) changed."""
    other = "fr" if entry.language == "en" else "en"
    allowed = {f"title_{other}", f"text_{other}", "translation_status"}
    current = snapshot(entry)
    changed = {name for name, value in values.items() if name in current
               and current[name] != (value.value if hasattr(value, "value") else value)}
    return "translated" if changed and changed <= allowed else "edited"


def edit_entry(actor, event: Event, entry: Entry, data: EntryInput, expected_version: int,
               now: datetime | None = None) -> Entry:
    require_capture(actor, event)
    require_capture_open(event)
    if entry.event_id != event.id:
        raise DomainError(_l("This entry belongs to another event."))
    if entry.is_removed:
        raise DomainError(_l("This entry was removed. Restore a version from its history to bring it back."))
    values = _validated(event, entry.kind, data, entry)
    pdf_changes = entry.kind is EntryKind.CASE and (data.pdf is not None or (data.remove_pdf and entry.pdf_stored_name))
    if expected_version == entry.version and _unchanged(entry, values) and not pdf_changes:
        return entry
    action = _action(entry, values) if not pdf_changes else "edited"
    now = now or utcnow()
    _claim_version(entry, expected_version)
    _apply(entry, values)
    if entry.kind is EntryKind.CASE:
        _store_pdf(entry, data.pdf, data.remove_pdf)
    entry.updated_by_id = getattr(actor, "id", None)
    entry.updated_at = now
    db.session.flush()
    _record(entry, actor, action, now)
    bump(event, board=entry.kind is EntryKind.RECOMMENDATION)
    return entry


def _has_votes(entry: Entry) -> bool:
    return bool(db.session.scalar(select(Dot.id).where(Dot.recommendation_id == entry.id).limit(1))
                or db.session.scalar(select(Endorsement.id).where(Endorsement.recommendation_id == entry.id).limit(1)))


def remove_entry(actor, event: Event, entry: Entry, expected_version: int, now: datetime | None = None) -> Entry:
    """Take an entry out of the pages (a mistake, a test). It stays in the history, from which
    it can be restored. A recommendation that has votes is merged instead, so no vote is lost."""
    require_capture(actor, event)
    require_capture_open(event)
    if entry.event_id != event.id:
        raise DomainError(_l("This entry belongs to another event."))
    if entry.is_removed:
        return entry
    if entry.kind is EntryKind.RECOMMENDATION:
        if entry.is_final:
            raise DomainError(_l("This recommendation is final. An organiser can unmark it first."))
        if entry.is_merged:
            raise DomainError(_l("This recommendation is merged into another. Undo the merge first."))
        if db.session.scalar(select(Entry.id).where(Entry.merged_into_id == entry.id).limit(1)):
            raise DomainError(_l("Other recommendations are merged into this one. Undo those merges first."))
        if _has_votes(entry):
            raise DomainError(_l("Participants have voted for this recommendation: merge it into another one "
                                 "instead, so that their votes follow."))
    now = now or utcnow()
    _claim_version(entry, expected_version)
    entry.removed_at = now
    entry.updated_by_id = getattr(actor, "id", None)
    entry.updated_at = now
    db.session.flush()
    _record(entry, actor, "removed", now)
    bump(event, board=entry.kind is EntryKind.RECOMMENDATION)
    return entry


# --- History -----------------------------------------------------------------------------------


def restore_version(actor, event: Event, entry: Entry, version: int, expected_version: int,
                    now: datetime | None = None) -> Entry:
    """Make an earlier version the current one again, as a new version (nothing is lost)."""
    require_capture(actor, event)
    require_capture_open(event)
    if entry.event_id != event.id:
        raise DomainError(_l("This entry belongs to another event."))
    revision = db.session.scalar(select(EntryRevision).where(EntryRevision.entry_id == entry.id,
                                                             EntryRevision.version == version))
    if revision is None:
        raise DomainError(_l("This version does not exist."))
    if version == entry.version:
        raise DomainError(_l("This is already the current version."))
    kept = json.loads(revision.snapshot)
    values = {name: kept.get(name, getattr(entry, name)) for name in SNAPSHOT_FIELDS if name not in NOT_RESTORED}
    values["translation_status"] = TranslationStatus(values["translation_status"])
    values["actor_level"] = ActorLevel(values["actor_level"]) if values["actor_level"] else None
    if values["city_id"] is not None and db.session.get(City, values["city_id"]) is None:
        values["city_id"] = None
    if values["agenda_item_id"] is not None and db.session.get(AgendaItem, values["agenda_item_id"]) is None:
        values["agenda_item_id"] = None
    if values["field_visit_id"] is not None and visit_of(event, values["field_visit_id"]) is None:
        values["field_visit_id"] = None
    area_ids = kept.get("policy_areas", [])
    values["policy_area_ids"] = list(db.session.scalars(select(PolicyArea.id).where(PolicyArea.id.in_(area_ids)))) \
        if area_ids else []
    values["policy_area_ids"].sort(key=area_ids.index)
    values["sdg_codes"] = [code for code in kept.get("sdgs", []) if code in sdgs()]
    answer_ids = kept.get("answers", [])
    values["answer_ids"] = list(db.session.scalars(select(Entry.id).where(
        Entry.id.in_(answer_ids), Entry.event_id == event.id))) if answer_ids else []
    values["answer_ids"].sort(key=answer_ids.index)
    now = now or utcnow()
    _claim_version(entry, expected_version)
    _apply(entry, values)
    entry.removed_at = entry.removed_at if kept.get("removed") else None
    entry.updated_by_id = getattr(actor, "id", None)
    entry.updated_at = now
    db.session.flush()
    _record(entry, actor, "restored", now, restored_from=version)
    bump(event, board=entry.kind is EntryKind.RECOMMENDATION)
    return entry
