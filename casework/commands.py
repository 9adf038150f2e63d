"""Command-line tools of casework: the demo agency, measuring resolved cases for the blueprint."""
import click
from flask.cli import with_appcontext

from casework.demo import seed_demo


@click.command("seed-demo")
@click.option("--weeks", default=8, show_default=True, type=click.IntRange(0, 104),
              help="Weeks of past requests to write, for the supervisors' pages.")
@with_appcontext
def seed_demo_command(weeks):
    """Create the demo agency, its staff and weeks of history (safe to run again)."""
    made = seed_demo(weeks=weeks, echo=click.echo)
    click.echo(f"demo ready: {made['services']} services, {made['staff']} staff accounts and "
               f"{made['requests']} requests added")


@click.group("insight")
def insight_group():
    """The service blueprint's rollup."""


@insight_group.command("measure")
@with_appcontext
def measure_command():
    """Measure every resolved case not yet measured (after an upgrade or an import), showing progress."""
    from casework.insight import rollup

    waiting = rollup.pending_count()
    click.echo(f"{waiting:,} cases to measure")
    with click.progressbar(length=waiting, label="measuring") as bar:
        seen = [0]

        def advance(done):
            bar.update(done - seen[0])
            seen[0] = done

        done = rollup.measure_pending(run_seconds=float("inf"), progress=advance)
    click.echo(f"{done:,} cases measured")


def init_app(app):
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(insight_group)
