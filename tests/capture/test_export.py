"""Everything captured, as CSV and .xlsx, for the event's organisers: typed text never runs as a
formula."""

import csv
import io

from openpyxl import load_workbook

from app.capture import curation, voting
from app.capture.models import EntryKind
from app.extensions import db


def test_csv_and_xlsx_hold_every_entry_its_votes_and_the_results(client, world, add, make, open_voting):
    kept = add(text="=1+1 Create a coordination body.", sdg_text="16.6", actor="@admin")
    duplicate = add(text="Set up a committee.")
    add(EntryKind.CASE, "Summary.", title_en="+Case", city_other="Marseille")
    open_voting()
    voting.spend_dot(world.participants[0], kept.id, "a")
    voting.spend_dot(world.participants[1], duplicate.id, "b")
    curation.merge(world.organiser, world.event, duplicate, kept.id)
    db.session.commit()
    slug = world.event.slug
    make.login(client, world.organiser)
    response = client.get(f"/manage/events/{slug}/capture/export.csv")
    assert response.headers["Content-Disposition"] == f'attachment; filename="capture-{slug}.csv"'
    assert response.headers["Cache-Control"] == "no-store, private"
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    by_id = {int(row["id"]): row for row in rows}
    assert by_id[kept.id]["text_en"] == "'=1+1 Create a coordination body."
    assert by_id[kept.id]["actor"] == "'@admin"
    assert (by_id[kept.id]["dots"], by_id[kept.id]["voters"], by_id[kept.id]["sdgs"]) == ("2", "2", "16.6")
    assert (by_id[duplicate.id]["state"], by_id[duplicate.id]["merged_into"]) == ("merged", str(kept.id))
    case = next(row for row in rows if row["kind"] == "case")
    assert (case["title_en"], case["presenting_city"]) == ("'+Case", "Marseille")

    workbook = load_workbook(io.BytesIO(client.get(f"/manage/events/{slug}/capture/export.xlsx").data))
    sheet = workbook["Entries"]
    header = [cell.value for cell in sheet[1]]
    cells = {row[0].value: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)}
    text = cells[kept.id]["text_en"]
    assert text.value == "=1+1 Create a coordination body." and text.data_type == "s"
    assert cells[kept.id]["dots"].value == 2
    results = workbook["Results"]
    assert [c.value for c in results[2]][:3] == [1, 1, kept.id]


def test_only_the_event_organisers_export(client, world, make):
    make.login(client, world.facilitator)
    assert client.get(f"/manage/events/{world.event.slug}/capture/export.csv").status_code == 403
