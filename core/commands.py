"""Command-line tools for operators: staff accounts and the scheduler."""
import logging
import time

import click
from flask import current_app
from flask.cli import with_appcontext
from redis.exceptions import RedisError
from rq.cron import CronScheduler

from core.extensions import db
from core.accounts.models import Role, Staff
from core.accounts.passwords import check_password_policy
from core.periodic import periodic_jobs
from core.queues import (
    OWNER_KEY, RECONNECT_FIRST_SECONDS, RECONNECT_MOST_SECONDS, RedisTakenByAnother, claim_app_redis, claim_redis,
    owner_identity, redis_connection,
)

log = logging.getLogger("tandem.scheduler")


def create_staff(name, email, password, role):
    """Create a staff account; raise ``ValueError`` for a taken email or a weak password. Commits."""
    email = email.strip().lower()
    check_password_policy(password, user_inputs=(email, name))
    if db.session.scalar(db.select(Staff).filter_by(email=email)) is not None:
        raise ValueError(f"There is already an account for {email}.")
    staff = Staff(name=name, email=email, role=Role(role))
    staff.set_password(password)
    db.session.add(staff)
    db.session.commit()
    return staff


@click.command("create-staff")
@click.option("--name", prompt=True)
@click.option("--email", prompt=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.CASEWORKER.value, show_default=True)
@click.password_option()
def create_staff_command(name, email, role, password):
    """Create a staff account (asks for the password)."""
    try:
        staff = create_staff(name, email, password, role)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Created {staff.role} {staff.email}.")


def build_scheduler(echo=False):
    scheduler = CronScheduler(connection=redis_connection(), name=f"tandem-{current_app.name}")
    for job in periodic_jobs():
        scheduler.register(job.func, queue_name=job.queue_name, interval=job.interval_seconds)
        if echo:
            click.echo(f"every {job.interval_seconds:>4} s: {job.func.__module__}.{job.func.__name__}")
    return scheduler


@click.command("scheduler")
def scheduler_command():
    """Run the periodic jobs (sweeps, SLA watch) until stopped; ride out Redis being away."""
    echo, wait = True, RECONNECT_FIRST_SECONDS
    while True:
        try:
            claim_app_redis()
            build_scheduler(echo).start()
            return  # it returns only when a signal asked it to stop
        except RedisTakenByAnother as error:
            raise click.ClickException(str(error)) from None
        except RedisError as error:
            # RQ's scheduler raises when Redis stops answering; start a fresh one once it is back
            log.warning("Redis is not answering (%s); the scheduler tries again in %s s", type(error).__name__, wait)
        echo = False
        time.sleep(wait)
        wait = min(wait * 2, RECONNECT_MOST_SECONDS)


@click.command("redis-database")
@click.argument("server", default="redis://127.0.0.1:6379")
@with_appcontext
def redis_database_command(server):
    """Print the URL of a Redis database on SERVER that is this Tandem's or nobody's (claiming it)."""
    from redis import Redis

    identity = owner_identity(current_app.config)
    for number in range(16):
        connection = Redis.from_url(f"{server.rstrip('/')}/{number}", socket_connect_timeout=2)
        owner = connection.get(OWNER_KEY)
        if owner is None and connection.dbsize() > 0:
            continue  # something else keeps its keys here
        try:
            claim_redis(connection, identity)
        except RedisTakenByAnother:
            continue
        click.echo(f"{server.rstrip('/')}/{number}")
        return
    raise click.ClickException(f"Every database of {server} is in use; set REDIS_URL to a free one.")


def init_app(app):
    app.cli.add_command(redis_database_command)
    app.cli.add_command(create_staff_command)
    app.cli.add_command(scheduler_command)
