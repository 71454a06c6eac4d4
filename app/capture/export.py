"""Everything captured, as CSV and as .xlsx: every entry with its details, votes and state, and
(in the workbook) the results ranked per person and per city.

Typed text is never run as a formula: CSV cells that a spreadsheet would read as one get a leading
apostrophe; workbook cells are written as text (type "s"), whatever they start with."""

import csv
import io

from app.capture import queries
from app.capture.models import Entry, EntryKind
from app.events.models import Event

COLUMNS = ("id", "kind", "state", "merged_into", "language", "translation", "title_en", "title_fr", "text_en",
           "text_fr", "presenting_city", "organisation", "slides_url", "pdf", "agenda_item", "field_visit_id", "visit",
           "actor_level", "actor", "working_group", "policy_areas", "sdgs", "answers", "dots", "voters", "endorsers",
           "city_points", "cities", "created_by", "created_at", "updated_at", "version")
RESULT_COLUMNS = ("rank_per_person", "rank_per_city", "id", "text_en", "text_fr", "final", "dots", "voters",
                  "endorsers", "city_points", "cities")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    """A CSV cell a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _state(entry: Entry) -> str:
    if entry.is_removed:
        return "removed"
    if entry.is_merged:
        return "merged"
    return "final" if entry.is_final else "current"


def rows(event: Event) -> list[list]:
    counts = queries.tallies(event)
    result = []
    for entry in queries.export_entries(event):
        tally = counts.get(entry.id) if entry.kind is EntryKind.RECOMMENDATION and not entry.is_merged else None
        result.append([
            entry.id, entry.kind.value, _state(entry), entry.merged_into_id or "", entry.language,
            entry.translation_status.value, entry.title_en, entry.title_fr, entry.text_en, entry.text_fr,
            entry.presenting_city, entry.organisation, entry.slides_url, entry.pdf_filename,
            (entry.agenda_item.title_en or entry.agenda_item.title_fr) if entry.agenda_item else "",
            entry.field_visit_id or "", entry.visit_label, entry.actor_level.value if entry.actor_level else "",
            entry.actor, entry.working_group, "; ".join(area.code for area in entry.policy_areas),
            ", ".join(entry.sdg_codes), ", ".join(str(a.id) for a in entry.answers),
            *((tally.dots, tally.voters, tally.endorsers, tally.city_points, tally.cities) if tally
              else (("", "", "", "", "") if entry.kind is not EntryKind.RECOMMENDATION or entry.is_merged
                    else (0, 0, 0, 0.0, 0))),
            entry.created_by.name if entry.created_by else "", entry.created_at.isoformat(),
            entry.updated_at.isoformat(), entry.version,
        ])
    return result


def result_rows(event: Event) -> list[list]:
    counts = queries.tallies(event)
    current = [e for e in queries.export_entries(event)
               if e.kind is EntryKind.RECOMMENDATION and not e.is_merged and not e.is_removed]
    ranked = [(e, counts.get(e.id, queries.Tally())) for e in current]
    per_person = {e.id: n for n, (e, _t) in enumerate(sorted(ranked, key=lambda r: queries.person_order(*r)), 1)}
    per_city = {e.id: n for n, (e, _t) in enumerate(sorted(ranked, key=lambda r: queries.city_order(*r)), 1)}
    return [[per_person[e.id], per_city[e.id], e.id, e.text_en, e.text_fr, "yes" if e.is_final else "", t.dots,
             t.voters, t.endorsers, t.city_points, t.cities]
            for e, t in sorted(ranked, key=lambda r: per_person[r[0].id])]


def csv_text(event: Event) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows(event):
        writer.writerow([neutralise(value) for value in row])
    return out.getvalue()


def _write_sheet(sheet, header, data) -> None:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.utils import get_column_letter

    sheet.append(list(header))
    for values in data:
        sheet.append([None] * len(values))
        row = sheet.max_row
        for column, value in enumerate(values, 1):
            cell = sheet.cell(row=row, column=column)
            if isinstance(value, int | float) and not isinstance(value, bool):
                cell.value = value
            else:
                cell.value = ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value))
                cell.data_type = "s"  # text, never a formula
    sheet.freeze_panes = "A2"
    for column in range(1, len(header) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 18


def xlsx_bytes(event: Event) -> bytes:
    from openpyxl import Workbook  # loaded for an export only: a web worker need not hold it

    workbook = Workbook()
    entries_sheet = workbook.active
    entries_sheet.title = "Entries"
    _write_sheet(entries_sheet, COLUMNS, rows(event))
    _write_sheet(workbook.create_sheet("Results"), RESULT_COLUMNS, result_rows(event))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
