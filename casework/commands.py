"""Command-line tools of casework: the demo agency, measuring resolved cases for the blueprint, and recounting
every maintained number after a bulk load."""
from contextlib import contextmanager

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


@contextmanager
def progress_bar(length, label):
    """A progress bar, and the function that moves it to ``done`` of ``length``."""
    with click.progressbar(length=length, label=label) as bar:
        seen = [0]

        def advance(done):
            bar.update(done - seen[0])
            seen[0] = done

        yield advance


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
    with progress_bar(waiting, "measuring") as advance:
        done = rollup.measure_pending(run_seconds=float("inf"), progress=advance)
    click.echo(f"{done:,} cases measured")


@insight_group.command("rebuild")
@with_appcontext
def rebuild_command():
    """Add up the daily rollup again from every measured case (the worker keeps it; this is for doubt)."""
    from casework.insight import days
    from casework.insight.models import CaseMeasure
    from core.extensions import db

    measured = db.session.scalar(db.select(db.func.count()).select_from(CaseMeasure))
    with progress_bar(measured, "adding up") as advance:
        done = days.rebuild(progress=advance)
    click.echo(f"the rollup holds {done:,} measured cases")


@click.group("casework")
def casework_group():
    """Casework's maintained numbers."""


@casework_group.command("recount")
@with_appcontext
def recount_command():
    """Bring every maintained number back in line with the rows, after an import or any bulk load.

    The queue counters, each case's effort, the blueprint's measures and daily rollup, and the arrivals the
    performance page counts: each made again from the cases, steps and requests, committed part by part. The
    pages show partial measures until the measuring part is done.
    """
    from casework import counts, effort
    from casework.insight import rollup
    from casework.insight.models import CaseMeasure, StageMeasureRow, StageRollup, WorkedCase
    from casework.models import Case
    from casework.public import arrivals, figures
    from core.extensions import db

    counts.recount()
    db.session.commit()
    click.echo("queue counters: counted again")
    effort.recount_effort()
    db.session.commit()
    click.echo("each case's effort: added up again from its steps")
    # measured afresh rather than moved by differences: a rollup a bulk load wrote around is not trusted
    for model in (StageRollup, StageMeasureRow, WorkedCase, CaseMeasure):
        db.session.execute(db.delete(model))
    db.session.execute(db.update(Case).where(Case.closed_at.is_not(None)).values(measured_at=None)
                       .execution_options(synchronize_session=False))
    db.session.commit()
    waiting = rollup.pending_count()
    with progress_bar(waiting, "measuring resolved cases") as advance:
        done = rollup.measure_pending(run_seconds=float("inf"), progress=advance)
    click.echo(f"blueprint: {done:,} cases measured")
    with click.progressbar(length=arrivals.days_to_count(), label="counting arrivals, day by day") as bar:
        written = arrivals.recount(lambda done_days, _days: bar.update(done_days - bar.pos))
    figures.forget()
    click.echo(f"performance page: {written:,} day counts of arrivals")


def init_app(app):
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(insight_group)
    app.cli.add_command(casework_group)
