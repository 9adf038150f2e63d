"""``flask catalogue export FILE`` and ``flask catalogue import FILE [--dry-run]``."""
from pathlib import Path

import click
from flask.cli import AppGroup

from core import audit
from intake.catalogue_io import CatalogueError, dump, export_catalogue, import_catalogue, parse

catalogue = AppGroup("catalogue", help="The service catalogue as a YAML or JSON file.")


def file_format(path):
    return "json" if Path(path).suffix.lower() == ".json" else "yaml"


@catalogue.command("export")
@click.argument("path", type=click.Path(dir_okay=False))
def export_command(path):
    """Write the catalogue to PATH (.yaml, .yml or .json)."""
    Path(path).write_text(dump(export_catalogue(), file_format(path)), encoding="utf-8")
    click.echo(f"Wrote the catalogue to {path}.")


@catalogue.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Show what would change; change nothing.")
def import_command(path, dry_run):
    """Create or update departments, services and questions from PATH, all or nothing."""
    try:
        changes = import_catalogue(parse(Path(path).read_text(encoding="utf-8"), file_format(path)), dry_run=dry_run)
    except CatalogueError as error:
        raise click.ClickException("the catalogue was not changed:\n  " + "\n  ".join(error.problems)) from None
    if not dry_run:
        audit.record_now("catalogue_imported", changes=len(changes), source="cli")
    for change in changes or ["nothing to change"]:
        click.echo(("would " if dry_run else "") + change)


def init_app(app):
    app.cli.add_command(catalogue)
