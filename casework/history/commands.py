"""``flask --app wsgi history import FILE --mapping MAPPING.yaml [--dry-run]``: a legacy export brought in."""
from pathlib import Path

import click
from flask.cli import with_appcontext

from casework.history.loading import import_file
from casework.history.mapping import MappingError, load_mapping
from casework.history.reading import FileRefused


@click.group("history")
def history_group():
    """Bring an agency's past requests in from another system's export."""


def lines_in(path):
    """Rows in the file, roughly (its lines): what the progress bar counts to."""
    with open(path, "rb") as handle:
        return max(1, sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b"")))


@history_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--mapping", "mapping_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The YAML file saying which column is which (see docs/history-import.md).")
@click.option("--dry-run", is_flag=True, help="Read and check every row, print what would be made; write nothing.")
@click.option("--no-measure", is_flag=True, help="Leave the resolved cases for the worker to measure.")
@with_appcontext
def import_command(file, mapping_path, dry_run, no_measure):
    """Bring FILE (CSV or JSON lines) in as requests and cases with their real times, once each."""
    try:
        mapping = load_mapping(mapping_path.read_text(encoding="utf-8"))
    except (MappingError, UnicodeDecodeError) as error:
        raise click.ClickException(f"{mapping_path}: {error}") from None
    with click.progressbar(length=lines_in(file), label="checking" if dry_run else "importing") as bar:
        try:
            report = import_file(file, mapping, dry_run=dry_run,
                                 progress=lambda found: bar.update(found.read - bar.pos))
        except FileRefused as error:
            raise click.ClickException(str(error)) from None
    verb = "would be made" if dry_run else "made"
    click.echo(f"{report.read:,} rows read: {report.made:,} requests {verb}, {report.already:,} already in Tandem, "
               f"{report.repeated:,} repeated in the file, {len(report.refused):,} refused")
    for kind, names in report.planned.items():
        if names:
            click.echo(f"{kind} {'to make' if dry_run else 'made'}: {', '.join(names)}")
    for line, reason in report.refused:
        click.echo(f"line {line}: refused: {reason}")
    if dry_run or no_measure or not report.made:
        return
    from casework.insight import rollup

    with click.progressbar(length=rollup.pending_count(), label="measuring for the blueprint") as bar:
        done = rollup.measure_pending(run_seconds=float("inf"), progress=lambda measured: bar.update(
            measured - bar.pos))
    click.echo(f"{done:,} resolved cases measured: the blueprint, backlog, forecast and performance page show them")
