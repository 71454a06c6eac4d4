"""The recommendations and their follow-up, as CSV and .xlsx, in exactly the columns that
`flask library import-recommendations` accepts (app/library/importer.py): what is exported can be
imported again, elsewhere or after an edit in a spreadsheet, and gives the same export back.

One row per final recommendation and city that followed it up (one row with empty follow-up cells
when none did). Typed text never runs as a formula: in CSV, a cell a spreadsheet would take for one
(or that starts with an apostrophe) gets a leading apostrophe, which the import takes off again; in
the workbook, cells are written as text.
"""

import csv
import io

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.capture.models import Entry, EntrySdg, FollowUp, entry_policy_areas
from app.events.models import City, Event, PolicyArea
from app.extensions import db

COLUMNS = ("event", "host_city", "year", "reference", "language", "text_en", "text_fr", "actor_level", "actor",
           "working_group", "policy_areas", "sdgs", "final_on", "follow_up_city", "follow_up_status",
           "follow_up_noted_on", "follow_up_note", "follow_up_action_url")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")
CHUNK = 1000


def neutralise(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def unneutralise(text: str) -> str:
    return text[1:] if text.startswith("'") else text


def rows(entry_ids: list[int]) -> list[list[str]]:
    """The export's rows for these recommendations (in the order given): five queries per thousand."""
    result = []
    for start in range(0, len(entry_ids), CHUNK):
        result.extend(_rows(entry_ids[start:start + CHUNK]))
    return result


def _rows(ids: list[int]) -> list[list[str]]:
    entries = {entry.id: entry for entry in db.session.scalars(
        select(Entry).options(joinedload(Entry.event).joinedload(Event.host_city)).where(Entry.id.in_(ids)))}
    areas: dict[int, list[str]] = {}
    for entry_id, code in db.session.execute(
        select(entry_policy_areas.c.entry_id, PolicyArea.code)
        .join(PolicyArea, PolicyArea.id == entry_policy_areas.c.policy_area_id)
        .where(entry_policy_areas.c.entry_id.in_(ids)).order_by(entry_policy_areas.c.entry_id, PolicyArea.id)
    ):
        areas.setdefault(entry_id, []).append(code)
    sdgs: dict[int, list[str]] = {}
    for entry_id, code in db.session.execute(
        select(EntrySdg.entry_id, EntrySdg.code).where(EntrySdg.entry_id.in_(ids))
        .order_by(EntrySdg.entry_id, EntrySdg.position)
    ):
        sdgs.setdefault(entry_id, []).append(code)
    follow_ups: dict[int, list[FollowUp]] = {}
    for follow_up in db.session.scalars(
        select(FollowUp).join(City, City.id == FollowUp.city_id).options(joinedload(FollowUp.city))
        .where(FollowUp.recommendation_id.in_(ids)).order_by(City.name_en)
    ):
        follow_ups.setdefault(follow_up.recommendation_id, []).append(follow_up)
    result = []
    for entry_id in ids:
        entry = entries.get(entry_id)
        if entry is None:
            continue
        event = entry.event
        common = [event.slug, event.host_city.name_en, str(event.start_date.year), entry.client_key, entry.language,
                  entry.text_en, entry.text_fr, entry.actor_level.value if entry.actor_level else "", entry.actor,
                  entry.working_group, "; ".join(areas.get(entry.id, [])), ", ".join(sdgs.get(entry.id, [])),
                  entry.final_at.date().isoformat() if entry.final_at else ""]
        taken = follow_ups.get(entry.id, [])
        if not taken:
            result.append([*common, "", "", "", "", ""])
        for follow_up in taken:
            result.append([*common, follow_up.city.name_en, follow_up.status.value, follow_up.noted_on.isoformat(),
                           follow_up.note, follow_up.action_url])
    return result


def csv_text(data: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in data:
        writer.writerow([neutralise(value) for value in row])
    return out.getvalue()


def xlsx_bytes(data: list[list[str]]) -> bytes:
    from openpyxl import Workbook  # loaded for an export only: a web worker need not hold it
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Recommendations"
    sheet.append(list(COLUMNS))
    for values in data:
        row = sheet.max_row + 1
        for column, value in enumerate(values, 1):
            cell = sheet.cell(row=row, column=column)
            cell.value = ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value))
            cell.data_type = "s"  # text, never a formula
    sheet.freeze_panes = "A2"
    for column in range(1, len(COLUMNS) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 18
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def read_table(path: str) -> list[dict[str, str]]:
    """The rows of a CSV or .xlsx file as the export writes them (header first), values as text."""
    if path.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
        table = [["" if value is None else str(value) for value in row] for row in sheet.iter_rows(values_only=True)]
        unescape = False
    else:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            table = list(csv.reader(handle))
        unescape = True
    if not table:
        return []
    header = [name.strip() for name in table[0]]
    return [{name: (unneutralise(value) if unescape else value) for name, value in zip(header, row, strict=False)}
            for row in table[1:] if any(cell.strip() for cell in row)]
