"""One search interface over the library's index, with two backends chosen by the database.

Every document has an English side and a French side (its title and text in each language, plus
the words it is found by on both). A query matches a document when all its words are on one side:
a search is written in one language, and each side is searched with that language's rules.

- PostgreSQL: its text search. Each side's words (app/library/text.py keys) are indexed with its
  language's configuration (`to_tsvector('english', …)`, `to_tsvector('french', …)`, titles
  weighted A) in `library_fts`, under GIN indexes; a query is `websearch_to_tsquery('english', q)`
  on the English side or `websearch_to_tsquery('french', q)` on the French side, ranked by
  `ts_rank`; what matched is found with `ts_headline` in the shown text's configuration.
- SQLite: an FTS5 table (`unicode61 remove_diacritics 2`) holding the same keys, one column per
  side and part, queried as `{title_en body_en} : (q) OR {title_fr body_fr} : (q)`, ranked by
  `bm25` (titles weighing four times the text); matches found by the same keys in Python.

Both get the same keys, so that a word, its plural, its feminine and its accents are found alike on
both; PostgreSQL's stemmers join more words of one language ("coordination", "coordinating"), so
that PostgreSQL finds at least what SQLite finds. Results are escaped, then marked: no HTML from
the documents ever reaches the page.

`search()` answers a page of results with their total, the count of each filter value among them,
and the highlighted title and excerpt of each, in a fixed number of queries.
"""

from dataclasses import dataclass, field, replace

from markupsafe import Markup
from sqlalchemy import column, desc, func, literal, literal_column, select, table, text
from sqlalchemy.orm import contains_eager, joinedload

from app.events.models import Event
from app.extensions import db
from app.i18n import french_spacing
from app.library import text as words
from app.library.models import IndexedDocument, IndexedFacet

PER_PAGE = 20
MAX_PAGE = 500
CONFIGURATIONS = {"en": "english", "fr": "french"}
# Private-use characters: what ts_headline puts around a match (never in a document: see _clean).
_START, _STOP = "\ue000", "\ue001"
_HEADLINE_OPTIONS = f'HighlightAll=true, StartSel="{_START}", StopSel="{_STOP}"'


def _clean(value: str) -> str:
    return (value or "").replace(_START, "").replace(_STOP, "")


def search_row(document_id: int, title_en: str, title_fr: str, text_en: str, text_fr: str, extra: str) -> dict:
    """What the full-text table holds for one document: each side's words as keys."""
    return {"id": document_id, "title_en": words.keys(title_en), "title_fr": words.keys(title_fr),
            "body_en": words.keys(f"{text_en}\n{extra}"), "body_fr": words.keys(f"{text_fr}\n{extra}")}


# --- Backends --------------------------------------------------------------------------------------


class SqliteBackend:
    name = "sqlite"
    fts = table("library_fts", column("rowid"))

    def write(self, rows: list[dict]) -> None:
        if rows:
            db.session.execute(text("INSERT INTO library_fts (rowid, title_en, body_en, title_fr, body_fr) "
                                    "VALUES (:id, :title_en, :body_en, :title_fr, :body_fr)"), rows)

    def clear(self) -> None:
        db.session.execute(text("DELETE FROM library_fts"))

    def matches(self, query: words.Query):
        """(document_id, rank) of the documents matching, the best rank highest."""
        name = literal_column("library_fts")
        expression = query.fts5()
        both = f"({{title_en body_en}} : ({expression})) OR ({{title_fr body_fr}} : ({expression}))"
        weights = [literal_column(weight) for weight in ("4.0", "1.0", "4.0", "1.0")]
        return (select(self.fts.c.rowid.label("document_id"), (-func.bm25(name, *weights)).label("rank"))
                .where(name.op("MATCH")(both)))

    def marks(self, texts: list[tuple[str, str]], query: words.Query) -> list[list[tuple[int, int]]]:
        return [words.marked_spans(value, query) for value, _lang in texts]


class PostgresBackend:
    name = "postgresql"
    fts = table("library_fts", column("document_id"), column("vector_en"), column("vector_fr"))

    def write(self, rows: list[dict]) -> None:
        if rows:
            db.session.execute(text(
                "INSERT INTO library_fts (document_id, vector_en, vector_fr) VALUES (:id, "
                "setweight(to_tsvector('english', :title_en), 'A') || to_tsvector('english', :body_en), "
                "setweight(to_tsvector('french', :title_fr), 'A') || to_tsvector('french', :body_fr))"), rows)

    def clear(self) -> None:
        db.session.execute(text("DELETE FROM library_fts"))

    @staticmethod
    def tsquery(lang: str, websearch: str):
        return func.websearch_to_tsquery(literal_column(f"'{CONFIGURATIONS[lang]}'::regconfig"), websearch)

    def matches(self, query: words.Query):
        written = query.websearch()
        english, french = self.tsquery("en", written), self.tsquery("fr", written)
        return (select(self.fts.c.document_id.label("document_id"),
                       func.greatest(func.ts_rank(self.fts.c.vector_en, english),
                                     func.ts_rank(self.fts.c.vector_fr, french)).label("rank"))
                .where(self.fts.c.vector_en.op("@@")(english) | self.fts.c.vector_fr.op("@@")(french)))

    def marks(self, texts: list[tuple[str, str]], query: words.Query) -> list[list[tuple[int, int]]]:
        """The words PostgreSQL matched in each text, with its language's configuration (one query
        for every text), and those the keys match exactly. Each text goes as its keys, one space
        apart, so that the headline's words line up with the text's."""
        found = [words.marked_spans(value, query) for value, _lang in texts]
        split = [words.tokens(value) for value, _lang in texts]
        wanted = [n for n, value in enumerate(split) if value]
        if not wanted:
            return found
        rows = db.session.execute(
            text("SELECT u.n, ts_headline(u.c::regconfig, u.t, websearch_to_tsquery(u.c::regconfig, :q), :options) "
                 "FROM unnest(CAST(:ns AS integer[]), CAST(:cs AS text[]), CAST(:ts AS text[])) AS u(n, c, t)"),
            {"options": _HEADLINE_OPTIONS, "ns": wanted, "q": query.websearch(positive_only=True),
             "cs": [CONFIGURATIONS[texts[n][1]] for n in wanted],
             "ts": [" ".join(token.key for token in split[n]) for n in wanted]}).all()
        for n, headline in rows:
            tokens = split[n]
            pieces = headline.split(" ")
            if len(pieces) != len(tokens):
                continue  # not as sent: keep the exact matches only
            marked = {(tokens[i].start, tokens[i].end) for i, piece in enumerate(pieces) if _START in piece}
            found[n] = sorted(set(found[n]) | marked)
        return found


def backend():
    return PostgresBackend() if db.session.get_bind().dialect.name == "postgresql" else SqliteBackend()


# --- Filters ---------------------------------------------------------------------------------------

# The filters a visitor can set, in the order the form shows them; "sdg" is a goal ("16", facet
# "goal") or a target ("16.6", facet "sdg").
FILTERS = ("kind", "theme", "city", "area", "sdg", "year", "actor", "status")
FACETS = ("theme", "city", "area", "goal", "sdg", "year", "actor", "status")


@dataclass(frozen=True)
class Filters:
    kind: str = ""
    theme: str = ""
    city: str = ""
    area: str = ""
    sdg: str = ""
    year: str = ""
    actor: str = ""
    status: str = ""

    @classmethod
    def from_args(cls, args) -> "Filters":
        from app.capture.reference import normalise_code

        values = {name: (args.get(name) or "").strip()[:120] for name in FILTERS}
        values["sdg"] = normalise_code(values["sdg"][:12]) or "" if values["sdg"] else ""
        values["year"] = values["year"] if values["year"].isdigit() and len(values["year"]) == 4 else ""
        return cls(**values)

    def conditions(self) -> list[tuple[str, str]]:
        found = []
        for name in FILTERS[1:]:
            value = getattr(self, name)
            if not value:
                continue
            if name == "sdg":
                found.append(("sdg" if "." in value else "goal", value))
            else:
                found.append((name, value))
        return found

    @property
    def active(self) -> bool:
        return any(getattr(self, name) for name in FILTERS)

    def args(self, **changes) -> dict:
        """The query-string arguments of these filters, changed as given (for links)."""
        changed = replace(self, **changes)
        return {name: getattr(changed, name) for name in FILTERS if getattr(changed, name)}


# --- Searching -------------------------------------------------------------------------------------


@dataclass
class Hit:
    document: IndexedDocument
    event: Event
    rank: float
    title: Markup
    title_lang: str
    excerpt: Markup
    excerpt_lang: str


@dataclass
class Results:
    query: words.Query
    filters: Filters
    hits: list[Hit]
    total: int
    page: int
    per_page: int
    by_kind: dict[str, int] = field(default_factory=dict)
    facet_counts: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.total, self.page * self.per_page)


def _conditions(filters: Filters, kinds: tuple[str, ...] | None = None) -> list:
    """What the filters ask of a document, as conditions on library_documents."""
    found = []
    if filters.kind:
        found.append(IndexedDocument.kind == filters.kind)
    if kinds is not None:
        found.append(IndexedDocument.kind.in_(kinds))
    for facet, value in filters.conditions():
        found.append(IndexedDocument.id.in_(
            select(IndexedFacet.document_id).where(IndexedFacet.facet == facet, IndexedFacet.value == value)))
    return found


def _matching(query: words.Query, filters: Filters, kinds: tuple[str, ...] | None = None):
    """The matching documents' ids, kinds and ranks (0 without a search), as a subquery."""
    statement = select(IndexedDocument.id, IndexedDocument.kind).where(*_conditions(filters, kinds))
    if query:
        matches = backend().matches(query).subquery()
        statement = statement.join(matches, matches.c.document_id == IndexedDocument.id).add_columns(
            matches.c.rank.label("rank"))
    else:
        statement = statement.add_columns(literal(0.0).label("rank"))
    return statement.subquery("matching")


def matching_keys(query: words.Query, filters: Filters, kind: str) -> list[str]:
    """Every matching document's key, in the order of the network's history: by the date of its
    event, then as published (for exports). One query."""
    matching = _matching(query, filters, (kind,))
    return list(db.session.scalars(
        select(IndexedDocument.key).join(matching, matching.c.id == IndexedDocument.id)
        .join(Event, Event.id == IndexedDocument.event_id)
        .order_by(Event.start_date, Event.id, IndexedDocument.published_at, IndexedDocument.id)))


def search(query: words.Query, filters: Filters, page: int = 1, per_page: int = PER_PAGE, lang: str = "en",
           kinds: tuple[str, ...] | None = None, with_facets: bool = True,
           everything: dict[str, dict[str, int]] | None = None) -> Results:
    """A page of results. `everything`: facet_values() when the caller has it already (browsing
    without a search or filter, the counts are those)."""
    matching = _matching(query, filters, kinds)
    by_kind = dict(db.session.execute(select(matching.c.kind, func.count()).group_by(matching.c.kind)).all())
    total = sum(by_kind.values())
    page = max(1, min(page, MAX_PAGE, max(1, -(-total // per_page))))
    if not total:
        rows = []
    elif query:
        rows = db.session.execute(
            select(IndexedDocument, matching.c.rank)
            .join(matching, matching.c.id == IndexedDocument.id)
            .join(IndexedDocument.event).join(Event.host_city)
            .options(contains_eager(IndexedDocument.event).contains_eager(Event.host_city))
            .order_by(desc(matching.c.rank), IndexedDocument.published_at.desc(), IndexedDocument.id.desc())
            .limit(per_page).offset((page - 1) * per_page)).all()
    else:  # the latest first, along the index of publication dates (events and cities loaded with them)
        rows = db.session.execute(
            select(IndexedDocument, literal(0.0)).where(*_conditions(filters, kinds))
            .options(joinedload(IndexedDocument.event).joinedload(Event.host_city))
            .order_by(IndexedDocument.published_at.desc(), IndexedDocument.id.desc())
            .limit(per_page).offset((page - 1) * per_page)).all()
    facet_counts: dict[str, dict[str, int]] = {}
    if with_facets and total and everything is not None and not query and not filters.active and kinds is None:
        facet_counts = everything
    elif with_facets and total:
        for facet, value, count in db.session.execute(
            select(IndexedFacet.facet, IndexedFacet.value, func.count())
            .where(IndexedFacet.document_id.in_(select(matching.c.id)))
            .group_by(IndexedFacet.facet, IndexedFacet.value)
        ):
            facet_counts.setdefault(facet, {})[value] = count
    return Results(query, filters, _hits(rows, query, lang), total, page, per_page, by_kind, facet_counts)


def _shown(document: IndexedDocument, name: str, lang: str) -> tuple[str, str]:
    """The text in the viewer's language, else the other; French with French spacing (before the
    matches are found in it, so that they stay where they are)."""
    other = "fr" if lang == "en" else "en"
    wanted = _clean(getattr(document, f"{name}_{lang}"))
    if not wanted.strip():
        wanted, lang = _clean(getattr(document, f"{name}_{other}")), other
    return (french_spacing(wanted) if lang == "fr" else wanted), lang


def _hits(rows, query: words.Query, lang: str) -> list[Hit]:
    shown = [(_shown(document, "title", lang), _shown(document, "text", lang)) for document, _rank in rows]
    texts = [value for pair in shown for value in pair]
    spans = backend().marks(texts, query) if query else [[] for _value in texts]
    hits = []
    for number, ((document, rank), ((title, title_lang), (body, body_lang))) in enumerate(zip(rows, shown,
                                                                                             strict=True)):
        hits.append(Hit(document, document.event, float(rank or 0), words.excerpt(title, spans[2 * number], 300),
                        title_lang, words.excerpt(body, spans[2 * number + 1]), body_lang))
    return hits


def facet_values() -> dict[str, dict[str, int]]:
    """Every filter value in the whole index with its number of documents (the filters' choices)."""
    values: dict[str, dict[str, int]] = {}
    for facet, value, count in db.session.execute(
        select(IndexedFacet.facet, IndexedFacet.value, func.count()).group_by(IndexedFacet.facet, IndexedFacet.value)
    ):
        values.setdefault(facet, {})[value] = count
    return values
