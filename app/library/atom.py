"""The Atom feed of newly published documents (those of sources with `in_feed`: the learning notes
once their stage plugs in), built from the library's index. Every URL starts with PUBLIC_URL."""

from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.events.models import Event
from app.extensions import db
from app.i18n import localized
from app.library.models import IndexedDocument
from app.links import link_to, public_url
from app.stages import library_sources

ATOM = "http://www.w3.org/2005/Atom"
ENTRIES = 50
SUMMARY_LENGTH = 600
EPOCH = datetime(2016, 1, 1, tzinfo=UTC)


def feed_kinds() -> list[str]:
    return [source.kind for source in library_sources() if source.in_feed]


def newest(limit: int = ENTRIES) -> list[IndexedDocument]:
    kinds = feed_kinds()
    if not kinds:
        return []
    return list(db.session.scalars(
        select(IndexedDocument).options(joinedload(IndexedDocument.event).joinedload(Event.host_city))
        .where(IndexedDocument.kind.in_(kinds))
        .order_by(IndexedDocument.published_at.desc(), IndexedDocument.id.desc()).limit(limit)))


def _add(parent, tag: str, text: str | None = None, **attributes) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", {k.rstrip("_"): v for k, v in attributes.items()})
    if text is not None:
        element.text = text
    return element


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def feed_xml(lang: str) -> bytes:
    ET.register_namespace("", ATOM)
    documents = newest()
    root = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": lang})
    self_url = link_to("library.notes_feed")
    _add(root, "id", self_url)
    _add(root, "title", _("MC2CM network library: newly published learning notes"))
    _add(root, "subtitle", _("The learning notes of the network's peer-learning events, as they are published."))
    _add(root, "updated", _stamp(documents[0].published_at if documents else EPOCH))
    _add(root, "link", rel="self", type="application/atom+xml", href=self_url)
    _add(root, "link", rel="alternate", type="text/html", href=link_to("library.index", kind=feed_kinds()[0])
         if feed_kinds() else link_to("library.index"))
    author = _add(root, "author")
    _add(author, "name", _("Mediterranean City-to-City Migration network"))
    _add(author, "uri", public_url("/"))
    for document in documents:
        title = localized(document, "title", lang).text or localized(document.event, "theme", lang).text
        entry = _add(root, "entry")
        _add(entry, "id", f"{public_url('/library')}#{document.kind}-{document.key}")
        _add(entry, "title", title)
        _add(entry, "updated", _stamp(document.published_at))
        _add(entry, "published", _stamp(document.published_at))
        url = link_to(document.endpoint, **document.link_params) + (f"#{document.anchor}" if document.anchor else "")
        _add(entry, "link", rel="alternate", type="text/html", href=url)
        summary = localized(document, "text", lang).text
        if len(summary) > SUMMARY_LENGTH:
            summary = summary[:SUMMARY_LENGTH].rsplit(" ", 1)[0] + "…"
        _add(entry, "summary", summary, type_="text")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
