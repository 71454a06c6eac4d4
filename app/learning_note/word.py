"""The note as an editable Word document (python-docx), for cities that rework it: real headings
(Word's Heading styles, so its navigation pane and table of contents work), real lists and tables,
the page number in the footer and the theme in the header.

The written parts go in as the sanitised HTML the page shows (app/markdown.py), converted element
by element from the allow-list: nothing else can reach the document, and text is only ever added
as text.
"""

import io
from html.parser import HTMLParser

from docx import Document
from docx.enum.text import WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from app.capture.labels import ACTOR_LEVEL_LABELS, FOLLOW_UP_LABELS
from app.i18n import FALLBACK_NOTES, country_name
from app.learning_note.content import NoteView
from app.learning_note.labels import PARTICIPATION_LABELS

SEA = RGBColor(0x0B, 0x5C, 0x7A)
WORD_LANGUAGES = {"en": "en-GB", "fr": "fr-FR"}


# --- Sanitised HTML to a small tree ----------------------------------------------------------------


class _Node:
    __slots__ = ("attrs", "children", "tag")

    def __init__(self, tag: str, attrs: dict | None = None):
        self.tag = tag
        self.attrs = attrs or {}
        self.children: list = []


class _TreeBuilder(HTMLParser):
    VOID = frozenset({"br", "hr"})

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = _Node("root")
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = _Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in self.VOID:
            self.stack.append(node)

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def _tree(html: str) -> _Node:
    builder = _TreeBuilder()
    builder.feed(html or "")
    builder.close()
    return builder.root


def _text_of(node) -> str:
    if isinstance(node, str):
        return node
    return "".join(_text_of(child) for child in node.children)


# --- Writing ---------------------------------------------------------------------------------------


class _Writer:
    def __init__(self, view: NoteView):
        self.view = view
        self.document = Document()
        self._numbering_ids: dict[str, int] = {}

    # Inline content.

    def _hyperlink(self, paragraph, url: str, text: str) -> None:
        part = paragraph.part
        relation = part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
        link = OxmlElement("w:hyperlink")
        link.set(qn("r:id"), relation)
        run = OxmlElement("w:r")
        properties = OxmlElement("w:rPr")
        color = OxmlElement("w:color")
        color.set(qn("w:val"), "0B5C7A")
        underline = OxmlElement("w:u")
        underline.set(qn("w:val"), "single")
        properties.extend([color, underline])
        run.append(properties)
        text_element = OxmlElement("w:t")
        text_element.text = text
        text_element.set(qn("xml:space"), "preserve")
        run.append(text_element)
        link.append(run)
        paragraph._p.append(link)

    def inline(self, paragraph, nodes, bold=False, italic=False, code=False, strike=False) -> None:
        for node in nodes:
            if isinstance(node, str):
                text = " ".join(node.split("\n"))
                if text:
                    run = paragraph.add_run(text)
                    run.bold, run.italic = bold or None, italic or None
                    if strike:
                        run.font.strike = True
                    if code:
                        run.font.name = "Courier New"
                continue
            tag = node.tag
            if tag == "br":
                paragraph.add_run().add_break()
            elif tag == "a" and node.attrs.get("href", "").startswith(("http://", "https://", "mailto:")):
                self._hyperlink(paragraph, node.attrs["href"], _text_of(node))
            else:
                self.inline(paragraph, node.children, bold=bold or tag == "strong", italic=italic or tag == "em",
                            code=code or tag == "code", strike=strike or tag in ("del", "s"))

    # Block content.

    def _restarted_numbering(self, style_name: str) -> int:
        """A new numbering instance of a list style, starting at 1 (each ordered list counts from one)."""
        numbering = self.document.part.numbering_part.numbering_definitions._numbering
        style = self.document.styles[style_name]
        num_pr = style.element.pPr.numPr if style.element.pPr is not None else None
        if num_pr is None or num_pr.numId is None:
            return 0
        base = numbering.num_having_numId(num_pr.numId.val)
        abstract_id = base.abstractNumId.val
        num = numbering.add_num(abstract_id)
        override = num.add_lvlOverride(ilvl=0)
        override.add_startOverride(1)
        return num.numId

    def list_block(self, node: _Node, level: int = 0) -> None:
        ordered = node.tag == "ol"
        style = ("List Number" if ordered else "List Bullet") + (f" {min(level + 1, 3)}" if level else "")
        number_id = self._restarted_numbering(style) if ordered else 0
        for child in node.children:
            if isinstance(child, str) or child.tag != "li":
                continue
            inline = [c for c in child.children if isinstance(c, str) or c.tag not in ("ul", "ol", "p")]
            paragraphs = [c for c in child.children if not isinstance(c, str) and c.tag == "p"]
            paragraph = self.document.add_paragraph(style=style)
            if number_id:
                num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
                num_pr.get_or_add_ilvl().val = 0
                num_pr.get_or_add_numId().val = number_id
            self.inline(paragraph, inline)
            for index, inner in enumerate(paragraphs):
                if index:
                    paragraph.add_run().add_break()
                self.inline(paragraph, inner.children)
            for nested in child.children:
                if not isinstance(nested, str) and nested.tag in ("ul", "ol"):
                    self.list_block(nested, level + 1)

    def table_block(self, node: _Node) -> None:
        rows = [row for section in node.children if not isinstance(section, str)
                for row in ([section] if section.tag == "tr" else section.children)
                if not isinstance(row, str) and row.tag == "tr"]
        cells = [[cell for cell in row.children if not isinstance(cell, str) and cell.tag in ("td", "th")]
                 for row in rows]
        width = max((len(row) for row in cells), default=0)
        if not width:
            return
        table = self.document.add_table(rows=len(cells), cols=width)
        table.style = "Table Grid"
        for row_index, row in enumerate(cells):
            for column, cell in enumerate(row):
                paragraph = table.cell(row_index, column).paragraphs[0]
                self.inline(paragraph, cell.children, bold=cell.tag == "th")

    def html(self, html: str, fallback_lang: str | None = None) -> None:
        """Sanitised HTML (headings already under the section's level) as Word paragraphs."""
        for node in _tree(html).children:
            self.block(node)
        if fallback_lang:
            self.fallback(fallback_lang)

    def block(self, node, style: str | None = None) -> None:
        if isinstance(node, str):
            if node.strip():
                self.inline(self.document.add_paragraph(style=style), [node.strip()])
            return
        tag = node.tag
        if tag == "p":
            self.inline(self.document.add_paragraph(style=style), node.children)
        elif tag in ("h2", "h3", "h4", "h5", "h6"):
            self.document.add_heading(_text_of(node).strip(), level=min(int(tag[1]) - 1, 9))
        elif tag in ("ul", "ol"):
            self.list_block(node)
        elif tag == "blockquote":
            for child in node.children:
                self.block(child, style="Quote")
        elif tag == "pre":
            paragraph = self.document.add_paragraph(style="No Spacing")
            run = paragraph.add_run(_text_of(node).rstrip("\n"))
            run.font.name = "Courier New"
        elif tag == "table":
            self.table_block(node)
        elif tag == "hr":
            self.document.add_paragraph()
        else:
            self.inline(self.document.add_paragraph(style=style), node.children)

    def fallback(self, lang: str) -> None:
        run = self.document.paragraphs[-1].add_run(f" ({FALLBACK_NOTES[lang]})") if self.document.paragraphs else None
        if run is not None:
            run.italic = True

    def text(self, value, style: str | None = None, prefix: str = "") -> None:
        """Captured text (plain, typed in the console): a paragraph per block, marked when it stands
        in for a missing translation."""
        blocks = self.view.paragraphs(value.text) or [""]
        for index, block in enumerate(blocks):
            paragraph = self.document.add_paragraph(style=style if index == 0 else None)
            if prefix and index == 0:
                paragraph.add_run(prefix).bold = True
            paragraph.add_run(block)
            if value.is_fallback and index == len(blocks) - 1:
                paragraph.add_run(f" ({FALLBACK_NOTES[value.lang]})").italic = True

    def marked(self, paragraph, value) -> None:
        paragraph.add_run(value.text)
        if value.is_fallback:
            paragraph.add_run(f" ({FALLBACK_NOTES[value.lang]})").italic = True


def _field(paragraph, instruction: str, placeholder: str = "") -> None:
    """A Word field (PAGE, NUMPAGES, TOC…), computed by Word when the document is opened or updated."""
    def element(name, **attributes):
        made = OxmlElement(name)
        for key, value in attributes.items():
            made.set(qn(key), value)
        return made

    run = paragraph.add_run()
    run._r.append(element("w:fldChar", **{"w:fldCharType": "begin", "w:dirty": "true"}))
    run = paragraph.add_run()
    code = element("w:instrText", **{"xml:space": "preserve"})
    code.text = f" {instruction} "
    run._r.append(code)
    run = paragraph.add_run()
    run._r.append(element("w:fldChar", **{"w:fldCharType": "separate"}))
    paragraph.add_run(placeholder)
    run = paragraph.add_run()
    run._r.append(element("w:fldChar", **{"w:fldCharType": "end"}))


def _set_language(document, lang: str) -> None:
    properties = document.styles["Normal"].element.get_or_add_rPr()
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), WORD_LANGUAGES[lang])
    properties.append(language)
    document.core_properties.language = WORD_LANGUAGES[lang]


def build_docx(view: NoteView, note_url: str | None = None) -> bytes:
    with force_locale(view.lang):
        return _build(view, note_url)


def _build(view: NoteView, note_url: str | None) -> bytes:
    from app.learning_note.labels import SECTION_TITLES

    writer = _Writer(view)
    document = writer.document
    _set_language(document, view.lang)
    document.styles["Normal"].font.size = Pt(11)
    properties = document.core_properties
    properties.title = f"{_('%(label)s:', label=_('Thematic learning note'))} {view.theme.text}"
    properties.author = _("Mediterranean City-to-City Migration (MC2CM)")
    properties.subject = view.theme.text
    properties.comments = note_url or ""

    section = document.sections[0]
    section.different_first_page_header_footer = True
    header = section.header.paragraphs[0]
    header.text = view.theme.text
    header.runs[0].font.size = Pt(8)
    footer = section.footer.paragraphs[0]
    footer.add_run("MC2CM · ")
    _field(footer, "PAGE", "1")
    footer.add_run(" / ")
    _field(footer, "NUMPAGES", "1")

    # The cover.
    document.add_paragraph(_("Mediterranean City-to-City Migration (MC2CM)"), style="Subtitle")
    document.add_paragraph(_("Thematic learning note"), style="Subtitle")
    title = document.add_paragraph(style="Title")
    writer.marked(title, view.theme)
    document.add_paragraph(_("Peer-learning event hosted by %(city)s, %(country)s", city=view.city,
                             country=country_name(view.country_code)))
    document.add_paragraph(view.dates)
    if view.number is None:
        document.add_paragraph(_("Draft, not published"))
    else:
        document.add_paragraph(_("Version %(number)d, published on %(day)s", number=view.number,
                                 day=view.day(view.published_on)))
    if note_url:
        paragraph = document.add_paragraph(_("Online, in English and French:") + " ")
        writer._hyperlink(paragraph, note_url, note_url)
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    # The contents: Word's own, filled in when the document is opened (or with F9).
    document.add_heading(_("Contents"), level=1)
    _field(document.add_paragraph(), 'TOC \\o "1-2" \\h \\z \\u',
           _("Right-click here and choose Update Field to show the contents."))

    for number, part in enumerate(view.sections, 1):
        document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        document.add_heading(f"{number}. {SECTION_TITLES[part.id]}", level=1)
        _section(writer, view, part.id)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _section(writer: _Writer, view: NoteView, key: str) -> None:
    document = writer.document
    if key in ("foreword", "executive_summary", "key_messages", "next_steps"):
        value = view.narrative(key)
        if value:
            writer.html(view.narrative_html(key), value.lang if value.is_fallback else None)
        if key == "next_steps" and view.follow_ups:
            document.add_heading(_("What cities have done since"), level=2)
            for line in view.follow_ups:
                paragraph = document.add_paragraph(style="List Bullet")
                paragraph.add_run(line.city.text).bold = True
                label = _("%(label)s:", label=_("recommendation %(number)d", number=line.rank))
                text = f", {label} {FOLLOW_UP_LABELS[line.status]} " \
                       f"({view.day(line.noted_on)})"
                paragraph.add_run(text + (f". {line.note}" if line.note else ""))
    elif key == "context":
        writer.html(view.context_html, view.context.lang if view.context.is_fallback else None)
    elif key == "challenges":
        for heading, entries in ((_("Common challenges"), view.challenges), (_("Opportunities"), view.opportunities)):
            if not entries:
                continue
            document.add_heading(heading, level=2)
            for entry in entries:
                writer.text(entry.text, style="List Bullet",
                            prefix=f"{entry.title.text}. " if entry.title else "")
    elif key == "solutions":
        for city, cases in view.cases_by_city:
            document.add_heading(city or _("Other cities"), level=2)
            for entry in cases:
                if entry.title:
                    heading = document.add_heading(level=3)
                    writer.marked(heading, entry.title)
                writer.text(entry.text)
                if entry.organisation:
                    document.add_paragraph().add_run(entry.organisation).italic = True
    elif key == "field_visit":
        for visit, observations in view.observations_by_visit:
            if visit:
                document.add_heading(visit, level=2)
            for entry in observations:
                writer.text(entry.text, style="List Bullet")
    elif key == "recommendations":
        _recommendations(writer, view)
    elif key == "participation":
        figures = view.participation
        table = document.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for name in ("participants", "organisations", "cities", "countries", "in_person", "online"):
            if not figures.get(name) and name not in ("participants", "in_person", "online"):
                continue  # not known: the registrations did not say
            cells = table.add_row().cells
            cells[0].text = str(figures.get(name, 0))
            cells[1].text = str(PARTICIPATION_LABELS[name])
        if view.listed:
            document.add_heading(_("Participants who agreed to be named"), level=2)
            for person in view.listed:
                details = ", ".join(part for part in (person["organisation"], person["city"]) if part)
                document.add_paragraph(person["name"] + (f" ({details})" if details else ""), style="List Bullet")
    elif key == "versions":
        for change in view.changes:
            paragraph = document.add_paragraph(style="List Bullet")
            paragraph.add_run(view.day(change.on)).bold = True
            paragraph.add_run(f", {_('%(label)s:', label=_('version %(number)d', number=change.number))} ")
            writer.marked(paragraph, change.text)


def _recommendations(writer: _Writer, view: NoteView) -> None:
    document = writer.document
    document.add_paragraph(ngettext(
        "%(num)d recommendation, ranked by the priority participants gave it (their dots, then their endorsements) "
        "and grouped by policy area.",
        "%(num)d recommendations, ranked by the priority participants gave them (their dots, then their "
        "endorsements) and grouped by policy area.", view.recommendation_count))
    for group in view.recommendation_groups:
        heading = document.add_heading(level=2)
        if group.heading:
            writer.marked(heading, group.heading)
        else:
            heading.add_run(_("Other recommendations"))
        table = document.add_table(rows=1, cols=4)
        table.style = "Table Grid"
        titles = (_("No."), _("Recommendation"), _("Who should act"), _("SDG targets"))
        for cell, text in zip(table.rows[0].cells, titles, strict=True):
            cell.paragraphs[0].add_run(text).bold = True
        header_properties = table.rows[0]._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        header_properties.append(repeat)
        for rec in group.items:
            cells = table.add_row().cells
            cells[0].text = str(rec.rank)
            paragraph = cells[1].paragraphs[0]
            if rec.title:
                paragraph.add_run(rec.title.text + ". ").bold = True
            blocks = view.paragraphs(rec.text.text)
            paragraph.add_run(" ".join(blocks))
            if rec.text.is_fallback:
                paragraph.add_run(f" ({FALLBACK_NOTES[rec.text.lang]})").italic = True
            priority = cells[1].add_paragraph()
            votes = (f"{ngettext('%(num)d dot', '%(num)d dots', rec.dots)}, "
                     f"{ngettext('%(num)d endorsement', '%(num)d endorsements', rec.endorsers)}")
            priority.add_run(f"{_('%(label)s:', label=_('Priority'))} {votes}").italic = True
            if len(rec.areas) > 1:
                areas = ", ".join(area.text for area in rec.areas)
                cells[1].add_paragraph().add_run(f"{_('%(label)s:', label=_('Policy areas'))} {areas}").italic = True
            level = str(ACTOR_LEVEL_LABELS[rec.actor_level]) if rec.actor_level else ""
            cells[2].text = ", ".join(part for part in (level, rec.actor) if part)
            cells[3].text = ", ".join(rec.sdgs)
    if view.sdg_index:
        document.add_heading(_("Sustainable Development Goals and targets cited"), level=2)
        table = document.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for code, wording in view.sdg_index:
            cells = table.add_row().cells
            cells[0].paragraphs[0].add_run(code).bold = True
            cells[1].text = wording
