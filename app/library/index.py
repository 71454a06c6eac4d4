"""Keeping the library's index in step with what the stages publish, without their help.

The stages send no signal the library could listen to, and they must not have to know it exists.
So the index is refreshed on read: every library page first runs `refresh()`, which costs one
query while nothing changed (the network's *fingerprint*: the events' count and latest change and
each source's cheap values, such as the sum of capture's revisions, compared with the one the index
was built from). When it changed, the index compares each (source, event) stamp with the one it
kept and reads again, from the source, the documents of those events only; then it commits, so
that the next request pays one query again.

Several processes may notice the same change: on PostgreSQL they wait for each other on an
advisory lock and the later ones find the work done; on SQLite, one writes and the others go on
with the index as it was for that request (the database refuses a second writer).
"""

import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable

from flask import current_app, g
from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from app.db_types import utcnow
from app.events.models import City, Event, EventState
from app.extensions import db
from app.library.models import IndexedDocument, IndexedFacet, IndexState
from app.library.search import backend, search_row
from app.stages import LibraryDocument, LibrarySource, library_sources

FINGERPRINT = "fingerprint"
CHUNK = 200  # events read from a source at once
_LOCK_KEY = 0x11B4A7  # PostgreSQL advisory lock of the index


def theme_key(theme_en: str) -> str:
    from app.events.services import slugify

    return slugify(theme_en)[:120]


def _fingerprint_columns(sources: list[LibrarySource]) -> list:
    columns = [select(func.count(Event.id)).scalar_subquery(), select(func.max(Event.updated_at)).scalar_subquery()]
    for source in sources:
        if source.fingerprint is not None:
            columns.extend(source.fingerprint())
    return columns


def _fingerprint(values: Iterable, sources: list[LibrarySource]) -> str:
    parts = [str(value) for value in values]
    for source in sources:
        if source.fingerprint is None:  # no cheap values: its stamps stand in
            parts.append(repr(sorted(source.stamps().items())))
    return json.dumps([[source.kind for source in sources], parts])


def _statement(name: str, sources: list[LibrarySource], build: Callable[[], object]):
    """A statement run on every library page, built once per set of sources (not per request)."""
    built = current_app.extensions.setdefault("library_statements", {})
    key = (name, tuple(source.kind for source in sources))
    if key not in built:
        built[key] = build()
    return built[key]


def current_fingerprint(extra: Callable[[], list] | None = None, name: str = "network") -> str:
    """The network's fingerprint, with the `extra` values a page also depends on (what the
    library's cached pages are keyed by; `name` tells the statements apart): one query."""
    sources = library_sources()
    statement = _statement(name, sources, lambda: select(*_fingerprint_columns(sources), *(extra() if extra else [])))
    return _fingerprint(db.session.execute(statement).one(), sources)


def refresh() -> bool:
    """Bring the index in step; True when something was read again. One query when nothing changed."""
    sources = library_sources()
    statement = _statement("refresh", sources, lambda: select(
        select(IndexState.stamp).where(IndexState.scope == FINGERPRINT).scalar_subquery(),
        *_fingerprint_columns(sources)))
    kept, *values = db.session.execute(statement).one()
    fingerprint = _fingerprint(values, sources)
    g.library_index = fingerprint
    if kept == fingerprint:
        return False
    try:
        changed = _rebuild(sources, fingerprint)
        db.session.commit()
    except (OperationalError, IntegrityError):
        # Another process holds SQLite's write lock, or wrote the same rows first: it is doing this.
        db.session.rollback()
        g.library_index = None
        return False
    return changed


MEMO_SIZE = 32


def remembered(name: str, stamp, compute: Callable[[], object]):
    """`compute()` once per process while `stamp` (a fingerprint) is unchanged: what every library
    page needs and only the data change (the network's figures, the filters' values). None as a
    stamp: computed every time."""
    if stamp is None:
        return compute()
    memo: OrderedDict = current_app.extensions.setdefault("library_memo", OrderedDict())
    key = (name, stamp)
    with _MEMO_LOCK:
        if key in memo:
            memo.move_to_end(key)
            return memo[key]
    value = compute()
    with _MEMO_LOCK:
        memo[key] = value
        while len(memo) > MEMO_SIZE:
            memo.popitem(last=False)
    return value


_MEMO_LOCK = threading.Lock()


def rebuild_all() -> int:
    """Read everything again (`flask library reindex`): the number of documents indexed."""
    db.session.execute(delete(IndexState))
    db.session.execute(delete(IndexedDocument))
    backend().clear()
    sources = library_sources()
    _rebuild(sources, current_fingerprint())
    return db.session.scalar(select(func.count(IndexedDocument.id)))


def _rebuild(sources: list[LibrarySource], fingerprint: str) -> bool:
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        done = db.session.scalar(select(IndexState.stamp).where(IndexState.scope == FINGERPRINT))
        if done == fingerprint:
            return False
    events = {row.id: row for row in db.session.execute(
        select(Event.id, Event.updated_at, Event.state, Event.theme_en, Event.start_date, City.slug.label("city"))
        .join(City, City.id == Event.host_city_id))}
    kept = dict(db.session.execute(select(IndexState.scope, IndexState.stamp)
                                   .where(IndexState.scope != FINGERPRINT)).all())
    kinds = {source.kind for source in sources}
    changed_any = False
    # Documents of a source that is no longer there.
    gone_kinds = [kind for kind in db.session.scalars(select(IndexedDocument.kind).distinct()) if kind not in kinds]
    if gone_kinds:
        db.session.execute(delete(IndexedDocument).where(IndexedDocument.kind.in_(gone_kinds)))
        changed_any = True
    now_stamps: dict[str, str] = {}
    for source in sources:
        source_stamps = source.stamps()
        current = {f"{source.kind}:{event_id}":
                   f"{event.updated_at.isoformat() if event.updated_at else ''}|{event.state.value}|"
                   f"{source_stamps.get(event_id, '')}"
                   for event_id, event in events.items()}
        now_stamps.update(current)
        changed = [int(scope.split(":", 1)[1]) for scope, stamp in current.items() if kept.get(scope) != stamp]
        gone = [int(scope.split(":", 1)[1]) for scope in kept if scope.startswith(f"{source.kind}:")
                and scope not in current]
        if gone:
            db.session.execute(delete(IndexedDocument).where(IndexedDocument.kind == source.kind,
                                                             IndexedDocument.event_id.in_(gone)))
        for start in range(0, len(changed), CHUNK):
            chunk = changed[start:start + CHUNK]
            db.session.execute(delete(IndexedDocument).where(IndexedDocument.kind == source.kind,
                                                             IndexedDocument.event_id.in_(chunk)))
            public = [event_id for event_id in chunk if events[event_id].state is not EventState.DRAFT]
            _write(source.documents(public) if public else [], events)
        changed_any = changed_any or bool(changed or gone)
    stale = [scope for scope in kept if now_stamps.get(scope) != kept[scope]]
    if stale:
        for start in range(0, len(stale), 500):
            db.session.execute(delete(IndexState).where(IndexState.scope.in_(stale[start:start + 500])))
    fresh = [{"scope": scope, "stamp": stamp, "updated_at": utcnow()} for scope, stamp in now_stamps.items()
             if kept.get(scope) != stamp]
    db.session.execute(delete(IndexState).where(IndexState.scope == FINGERPRINT))
    fresh.append({"scope": FINGERPRINT, "stamp": fingerprint, "updated_at": utcnow()})
    db.session.execute(insert(IndexState), fresh)
    return changed_any


def _write(documents: list[LibraryDocument], events: dict) -> None:
    if not documents:
        return
    ids = list(db.session.scalars(insert(IndexedDocument).returning(IndexedDocument.id, sort_by_parameter_order=True), [
        {"kind": d.kind, "key": d.key, "event_id": d.event_id, "title_en": d.title_en or "",
         "title_fr": d.title_fr or "", "text_en": d.text_en or "", "text_fr": d.text_fr or "",
         "published_at": d.published_at, "endpoint": d.endpoint, "params": json.dumps(d.params, sort_keys=True),
         "anchor": d.anchor or "", "details": json.dumps(d.details, ensure_ascii=False, sort_keys=True)}
        for d in documents]))
    facets, search_rows = [], []
    for document_id, document in zip(ids, documents, strict=True):
        event = events[document.event_id]
        values = {("theme", theme_key(event.theme_en)), ("city", event.city), ("year", str(event.start_date.year))}
        for name, found in document.facets.items():
            for value in found:
                values.add((name, str(value)[:120]))
                if name == "sdg":
                    values.add(("goal", str(value).split(".")[0]))
        facets.extend({"document_id": document_id, "facet": name, "value": value} for name, value in values)
        search_rows.append(search_row(document_id, document.title_en, document.title_fr, document.text_en,
                                      document.text_fr, document.search_extra))
    db.session.execute(insert(IndexedFacet), facets)
    backend().write(search_rows)
