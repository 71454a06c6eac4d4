"""The participant list as a spreadsheet reads it: CSV (UTF-8 with a byte-order mark, so that Excel
opens accents right) and .xlsx, with column labels in the viewer's language, statuses and modes in
words, and times in the event's own time zone (the header says which).

Typed text never runs as a formula: in CSV a cell a spreadsheet would take for one gets a leading
apostrophe; in the workbook, text cells are written as text."""

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from app.events.labels import LANGUAGE_LABELS
from app.events.models import Event
from app.i18n import country_name
from app.registration.labels import ATTENDANCE_LABELS, STATUS_LABELS
from app.registration.models import Registration
from app.timezones import utc_to_local

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LOCAL_TIME_FORMAT = "%Y-%m-%d %H:%M"
XLSX_TIME_FORMAT = "yyyy-mm-dd hh:mm"


def neutralise(value) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


@dataclass(frozen=True)
class ParticipantSheet:
    """The header and the rows; a time is a naive local datetime of the event's zone (or None)."""

    header: list[str]
    rows: list[list]
    title: str


def _local(instant: datetime | None, zone: str) -> datetime | None:
    return utc_to_local(instant, zone).replace(tzinfo=None) if instant else None


def participant_sheet(event: Event, registrations: list[Registration]) -> ParticipantSheet:
    zone = event.timezone
    yes, no = _("Yes"), _("No")
    header = [
        _("Number"), _("Status"), _("Name"), _("Email"), _("Organisation"), _("Position"), _("City"), _("Country"),
        _("Language"), _("Attendance"), _("Dietary needs"), _("Accessibility needs"), _("On the public list"),
        _("Registered on (%(zone)s time)", zone=zone), _("Checked in at (%(zone)s time)", zone=zone),
    ]
    rows = [[
        registration.id, str(STATUS_LABELS[registration.status]), registration.name, registration.email or "",
        registration.organisation, registration.position, registration.city,
        country_name(registration.country_code) if registration.country_code else "",
        str(LANGUAGE_LABELS.get(registration.preferred_language, registration.preferred_language)),
        str(ATTENDANCE_LABELS[registration.attendance]), registration.dietary_needs, registration.accessibility_needs,
        yes if registration.consent_public_list else no,
        _local(registration.created_at, zone), _local(registration.checked_in_at, zone),
    ] for registration in registrations]
    return ParticipantSheet(header, rows, _("Participants"))


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime(LOCAL_TIME_FORMAT)
    return str(value)


def csv_bytes(sheet: ParticipantSheet) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(sheet.header)
    for row in sheet.rows:
        writer.writerow([neutralise(_text(value)) for value in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(sheet: ParticipantSheet) -> bytes:
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = sheet.title[:31]
    worksheet.append(sheet.header)
    for row_number, values in enumerate(sheet.rows, start=2):
        for column, value in enumerate(values, start=1):
            cell = worksheet.cell(row=row_number, column=column)
            if isinstance(value, datetime):
                cell.value = value
                cell.number_format = XLSX_TIME_FORMAT
            elif isinstance(value, int):
                cell.value = value
            else:
                cell.value = ILLEGAL_CHARACTERS_RE.sub("", _text(value))
                cell.data_type = "s"  # text, never a formula
    worksheet.freeze_panes = "A2"
    for column, label in enumerate(sheet.header, start=1):
        worksheet.column_dimensions[get_column_letter(column)].width = max(12, min(40, len(label) + 2))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
