"""`flask library …`: importing recommendations and their follow-up, and rebuilding the index."""

import click
from flask.cli import AppGroup

from app.extensions import db

library_cli = AppGroup("library", help="The network's library: imports and its search index.")


@library_cli.command("import-recommendations")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_recommendations(path: str) -> None:
    """Import recommendations and their follow-up from FILE (.csv or .xlsx) in the columns of the
    library's export (/library/recommendations.csv). Nothing is written if a row is refused."""
    from app.library.exports import read_table
    from app.library.importer import import_rows

    try:
        rows = read_table(path)
    except (UnicodeDecodeError, ValueError, OSError) as error:
        raise click.ClickException(f"cannot read {path}: {error}") from None
    report = import_rows(rows)
    if report.errors:
        db.session.rollback()
        for row, message in report.errors:
            click.echo(f"row {row}: {message}", err=True)
        raise click.ClickException(f"nothing imported: {len(report.errors)} row(s) refused")
    db.session.commit()
    click.echo(f"Recommendations: {report.created} created, {report.updated} updated, {report.unchanged} unchanged; "
               f"follow-ups: {report.follow_ups} recorded, {report.follow_ups_unchanged} unchanged.")


@library_cli.command("reindex")
def reindex() -> None:
    """Read every published document again into the library's index (it follows the stages by
    itself; this is for after a restore or a change of the index's rules)."""
    from app.library.index import rebuild_all

    count = rebuild_all()
    db.session.commit()
    click.echo(f"{count} documents indexed.")
