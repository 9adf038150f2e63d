"""Command-line tools of casework: the demo agency."""
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


def init_app(app):
    app.cli.add_command(seed_demo_command)
