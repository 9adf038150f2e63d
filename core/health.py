"""Liveness, readiness and Prometheus metrics for load balancers and monitoring.

Core knows only the database and Redis. The feature packages register their
own readiness checks and gauges here (``register_readiness_check``,
``register_gauge``), so core never imports them.

Every route is GET only, so CSRF protection never applies; none needs a login.
A failing dependency is reported in the body, never as a 500.
"""
import logging
from dataclasses import dataclass
from typing import Callable

from flask import Blueprint, current_app, jsonify
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from core import http_metrics
from core.extensions import db
from core.queues import QUEUE_NAMES, get_queue, redis_connection
from core.security import keep_out_of_caches

log = logging.getLogger(__name__)

bp = Blueprint("health", __name__)

# the errors a probe reports as "not ready"; anything else is a bug and may raise
DEPENDENCY_ERRORS = (SQLAlchemyError, RedisError)

# a readiness query that waits longer than this means the database is not serving
DATABASE_CHECK_TIMEOUT_MS = 2000

METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@dataclass(frozen=True)
class Gauge:
    name: str
    help_text: str
    read: Callable[[], float]


def register_readiness_check(app, name, check):
    """Make ``/readyz`` run ``check() -> (ok, detail)`` under ``name`` for ``app``.

    ``detail`` is a dict shown in the response; when ``ok`` is false it should
    say why under ``"error"``. A check may raise ``SQLAlchemyError`` or
    ``RedisError``: that counts as not ready.
    """
    app.extensions.setdefault("tandem.readiness", {})[name] = check


def register_gauge(app, name, help_text, read):
    """Make ``/metrics`` show ``read()`` as the gauge ``name``; omitted when its source is down."""
    app.extensions.setdefault("tandem.gauges", []).append(Gauge(name, help_text, read))


def database_check():
    """Run ``SELECT 1`` on the app's database, bounded by a statement timeout on PostgreSQL."""
    if db.engine.dialect.name == "postgresql":
        # local to this transaction, so the readiness queries that follow in
        # this request are bounded too; the session is removed at teardown
        db.session.execute(
            text("SELECT set_config('statement_timeout', :timeout, true)"),
            {"timeout": f"{DATABASE_CHECK_TIMEOUT_MS}ms"},
        )
    db.session.execute(text("SELECT 1"))
    return True, {}


def redis_check():
    """``PING`` the app's Redis (its client has short connect and socket timeouts)."""
    redis_connection().ping()
    return True, {}


def run_check(name, check):
    """Return ``{"ok": ..., **detail}`` for one check; a dependency error counts as a failure."""
    try:
        ok, detail = check()
    except DEPENDENCY_ERRORS as error:
        # the probe is public: the log gets the details, the body only the kind
        log.warning("readiness check %s failed: %s", name, error)
        if isinstance(error, SQLAlchemyError):
            db.session.rollback()
        return {"ok": False, "error": f"{type(error).__name__} (see the log)"}
    return {"ok": ok, **detail}


# a cached probe answer would hide the current state
bp.after_request(keep_out_of_caches)


@bp.get("/healthz")
def liveness():
    """The process answers. Touches neither the database nor Redis."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readiness():
    """200 when the database, Redis and every registered check are fine; else 503."""
    checks = {"database": database_check, "redis": redis_check}
    checks.update(current_app.extensions.get("tandem.readiness", {}))
    results = {name: run_check(name, check) for name, check in checks.items()}
    if all(result["ok"] for result in results.values()):
        return jsonify(status="ready", checks=results)
    return jsonify(status="not ready", checks=results), 503


def queue_depths():
    """Return ``{queue name: jobs waiting}``, or None when Redis is down."""
    try:
        return {name: get_queue(name).count for name in QUEUE_NAMES}
    except RedisError as error:
        log.warning("metrics: cannot read queue depths: %s", error)
        return None


def read_gauge(gauge):
    """Return the gauge's value, or None when its source is down."""
    try:
        return gauge.read()
    except DEPENDENCY_ERRORS as error:
        log.warning("metrics: cannot read %s: %s", gauge.name, error)
        if isinstance(error, SQLAlchemyError):
            db.session.rollback()
        return None


def sample_value(value):
    """``3`` or ``2.5``: whole numbers without a fraction, never in exponent form."""
    value = float(value)
    return str(int(value)) if value.is_integer() else repr(value)


def exposition(name, help_text, samples):
    """Lines of one gauge in Prometheus text format; ``samples`` maps label text to value."""
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} gauge"]
    lines.extend(f"{name}{labels} {sample_value(value)}" for labels, value in samples.items())
    return lines


@bp.get("/metrics")
def metrics():
    """Gauges in Prometheus text format; a series whose source is down is left out (still 200)."""
    lines = exposition("tandem_up", "The web process answers.", {"": 1})
    for gauge in current_app.extensions.get("tandem.gauges", []):
        value = read_gauge(gauge)
        if value is not None:
            lines += exposition(gauge.name, gauge.help_text, {"": value})
    depths = queue_depths()
    if depths is not None:
        lines += exposition(
            "tandem_rq_queue_depth", "Jobs waiting in each RQ queue.",
            {f'{{queue="{name}"}}': depth for name, depth in depths.items()},
        )
    return "\n".join(lines) + "\n" + http_metrics.exposition(), 200, {"Content-Type": METRICS_CONTENT_TYPE}


def init_app(app):
    app.register_blueprint(bp)
    http_metrics.init_app(app)
