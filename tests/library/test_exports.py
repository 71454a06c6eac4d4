"""Exports in the columns the import accepts: what is exported imports again, into another database
as into the same one, and gives the same export back (decidim#3190: theirs differ)."""

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import delete, func, select

from app.capture.models import Entry, EntryKind, EntryRevision, FollowUp
from app.extensions import db
from app.library import exports, index
from app.library.importer import import_rows


def _csv(client, query="") -> list[dict]:
    response = client.get(f"/library/recommendations.csv{query}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(response.text)))


def test_the_export_has_exactly_the_columns_the_import_accepts(client, indexed):
    from app.library import importer

    header = client.get("/library/recommendations.csv").text.splitlines()[0].split(",")
    assert tuple(header) == exports.COLUMNS == importer.COLUMNS
    sheet = load_workbook(io.BytesIO(client.get("/library/recommendations.xlsx").data)).worksheets[0]
    assert tuple(cell.value for cell in sheet[1]) == exports.COLUMNS


def test_one_row_per_recommendation_and_city_that_followed_it_up(client, indexed):
    rows = _csv(client)
    shops = [row for row in rows if row["text_en"].startswith("Open one-stop shops")]
    assert sorted(row["follow_up_city"] for row in shops) == ["Lyon", "Tunis"]
    assert {row["follow_up_status"] for row in shops} == {"done", "planned"}
    training = [row for row in rows if row["text_en"].startswith("Train")]
    assert len(training) == 1 and training[0]["follow_up_city"] == "" and training[0]["sdgs"] == "16.6"
    assert len({row["reference"] for row in rows}) == 5
    # The events in the order of the network's history.
    assert [row["year"] for row in rows] == sorted(row["year"] for row in rows)
    # The search and filters of the page choose what is exported.
    assert {row["follow_up_city"] for row in _csv(client, "?city=tunis")} == {"Amman", "Tunis"}
    assert {row["text_fr"][:20] for row in _csv(client, "?q=r%C3%A9fugi%C3%A9&status=dropped")} == {
        "Créer des centres lo"}


def test_export_then_import_gives_the_same_export_back(client, indexed, runner, tmp_path):
    before = client.get("/library/recommendations.csv").text
    path = tmp_path / "recommendations.csv"
    path.write_text(before, encoding="utf-8")
    # The same database: nothing changes.
    result = runner.invoke(args=["library", "import-recommendations", str(path)])
    assert result.exit_code == 0, result.output
    assert "Recommendations: 0 created, 0 updated, 5 unchanged; follow-ups: 0 recorded, 4 unchanged." in result.output
    # Another database: the recommendations and their follow-up are gone, the events are there.
    db.session.execute(delete(FollowUp))
    db.session.execute(delete(Entry).where(Entry.kind == EntryKind.RECOMMENDATION))
    db.session.commit()
    result = runner.invoke(args=["library", "import-recommendations", str(path)])
    assert result.exit_code == 0, result.output
    assert "Recommendations: 5 created, 0 updated, 0 unchanged; follow-ups: 4 recorded, 0 unchanged." in result.output
    assert client.get("/library/recommendations.csv").text == before
    assert db.session.scalar(select(func.count(EntryRevision.id)).where(EntryRevision.action == "imported")) == 5
    assert len(client.get("/library?q=r%C3%A9fugi%C3%A9&lang=en").text.split('class="hit ')) == 3


def test_the_workbook_imports_too(client, indexed, runner, tmp_path):
    path = tmp_path / "recommendations.xlsx"
    path.write_bytes(client.get("/library/recommendations.xlsx").data)
    result = runner.invoke(args=["library", "import-recommendations", str(path)])
    assert result.exit_code == 0 and "5 unchanged" in result.output, result.output


def test_a_spreadsheet_edit_updates_the_recommendation(client, indexed, runner, tmp_path):
    rows = _csv(client)
    for row in rows:
        if row["text_en"].startswith("Train"):
            row["text_en"] = "=HYPERLINK(\"http://evil.example\") Train everyone, front line first."
            row["sdgs"] = "16.6, 4.7"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=exports.COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / "edited.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    result = runner.invoke(args=["library", "import-recommendations", str(path)])
    assert "0 created, 1 updated, 4 unchanged" in result.output, result.output
    training = indexed.recommendations["training"]
    db.session.refresh(training)
    assert training.version == 2 and [s.code for s in training.sdgs] == ["16.6", "4.7"]
    # Exported again: the formula is neutralised, and the import takes the apostrophe off again.
    exported = client.get("/library/recommendations.csv").text
    assert "'=HYPERLINK" in exported
    path.write_text(exported, encoding="utf-8")
    again = runner.invoke(args=["library", "import-recommendations", str(path)])
    assert "0 updated, 5 unchanged" in again.output
    index.refresh()
    assert "everyone" in client.get("/library?q=everyone&lang=en").text


@pytest.mark.parametrize("change,message", [
    ({"event": "nowhere"}, "no event with the address 'nowhere'"),
    ({"host_city": "Tunis"}, "host_city 'Tunis' is not the event's (Lyon)"),
    ({"year": "2011"}, "year 2011 is not the event's (2017)"),
    ({"reference": "a b"}, "reference: letters, digits"),
    ({"actor_level": "mayor"}, "actor_level: empty or one of local"),
    ({"policy_areas": "welcome; housing"}, "policy_areas: unknown housing"),
    ({"sdgs": "10.7, 99"}, "sdgs: not a goal or target: 99"),
    ({"final_on": "13/12/2017"}, "final_on: not a date"),
    ({"text_en": "", "text_fr": ""}, "write the recommendation in one language at least"),
    ({"follow_up_city": "Atlantis"}, "follow_up_city: no city 'Atlantis'"),
    ({"follow_up_status": "maybe"}, "follow_up_status: one of planned"),
])
def test_refused_rows_are_named_and_nothing_is_written(client, indexed, change, message):
    rows = _csv(client)
    target = next(row for row in rows if row["follow_up_city"] == "Lyon")
    target.update(change)
    before = db.session.scalar(select(func.max(Entry.updated_at)))
    report = import_rows(rows)
    db.session.rollback()
    assert [number for number, _text in report.errors] == [rows.index(target) + 2]
    assert message in report.errors[0][1]
    assert db.session.scalar(select(func.max(Entry.updated_at))) == before


def test_capture_rules_still_hold_through_the_import(client, indexed, runner, tmp_path):
    rows = _csv(client, "?city=lyon")
    for row in rows:
        if row["text_en"].startswith("Train"):  # no longer final, and a new follow-up: capture refuses
            row.update(final_on="", follow_up_city="Lyon", follow_up_status="done", follow_up_noted_on="2020-01-01")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=exports.COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / "not-final.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    result = runner.invoke(args=["library", "import-recommendations", str(path)])
    assert result.exit_code != 0
    assert "final recommendations only" in result.output and "nothing imported" in result.output
    db.session.expire_all()
    assert indexed.recommendations["training"].final_at is not None


def test_unknown_columns_are_refused(tmp_path, runner, indexed):
    path = tmp_path / "theirs.csv"
    path.write_text("id,title,body\n1,x,y\n", encoding="utf-8")
    result = runner.invoke(args=["library", "import-recommendations", str(path)])
    assert result.exit_code != 0 and "columns differ from the export's" in result.output
