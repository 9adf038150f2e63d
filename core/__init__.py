"""Tandem's shared wiring: the app factory, extensions, config, auth and queues."""
import os

from flask import Flask

from core import config
from core.timeutil import agency_zone
from core.timeutil import utcnow


def create_app(test_config=None):
    """Create the Tandem app; ``test_config`` overrides settings from the environment."""
    app = Flask(__name__, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(config.from_environment(app.instance_path))
    if test_config is not None:
        app.config.from_mapping(test_config)
    bound_database_waits(app.config)
    trust_proxies(app)

    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_filters(app)
    register_commands(app)
    return app


def trust_proxies(app):
    """Behind ``PROXY_HOPS`` proxies, take the client address and scheme from their headers.

    Rate limits and audit need the citizen's address, not the load balancer's;
    with no proxy configured the headers are ignored, so nobody can forge them.
    """
    hops = app.config.get("PROXY_HOPS", 0)
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0)


def bound_database_waits(settings):
    """Give up connecting to an unreachable PostgreSQL after 5 s instead of the OS's minutes."""
    if settings["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        options = dict(settings.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options["connect_args"] = {"connect_timeout": 5, **options.get("connect_args", {})}
        settings["SQLALCHEMY_ENGINE_OPTIONS"] = options


def register_extensions(app):
    from core import accounts, audit, auth, i18n, input_guard, logs, quotas, security, static_files
    from core.extensions import compress, csrf, db, limiter, migrate

    logs.init_app(app)
    db.init_app(app)
    app.config["RATELIMIT_STORAGE_URI"] = app.config.get("RATELIMIT_STORAGE_URI") or app.config["REDIS_URL"]
    limiter.init_app(app)
    # batch mode lets later migrations alter tables on SQLite too
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"), render_as_batch=True)
    csrf.init_app(app)
    i18n.init_app(app)
    auth.init_app(app)
    audit.init_app(app)
    security.init_app(app)
    input_guard.init_app(app)
    # after the input guard: a session is checked only on requests it let through
    accounts.init_app(app)
    quotas.init_app(app)
    app.config.setdefault("COMPRESS_MIMETYPES", [
        "text/html", "text/css", "text/csv", "text/plain", "text/xml", "image/svg+xml", "application/javascript",
        "text/javascript", "application/json", "application/problem+json", "application/xml"])
    compress.init_app(app)
    # after compress: after_request handlers run last-registered first, so static files are made compressible first
    static_files.init_app(app)


def register_blueprints(app):
    import casework
    import intake
    import notifications
    from core import health

    health.init_app(app)
    intake.init_app(app)
    notifications.init_app(app)
    casework.init_app(app)


def register_errorhandlers(app):
    from core import errors

    errors.init_app(app)


def register_template_filters(app):
    from core.i18n import format_moment
    from core.numbers import whole_percent

    zone = agency_zone(app.config)

    app.jinja_env.filters["zip"] = zip
    # errors|select("startingwith", "note-"): whether a form of a page has something to say
    app.jinja_env.tests["startingwith"] = lambda value, prefix: str(value).startswith(prefix)

    @app.template_filter("datetime")
    def format_datetime(value):
        """``22 November 2026, 2:05pm`` in the agency's time zone (staff pages; citizens' use ``local_datetime``)."""
        return format_moment(value, "en", zone)

    app.jinja_env.filters["percent"] = whole_percent

    @app.template_filter("money")
    def format_money(value):
        """``$1,234.50`` in the agency's currency (``AGENCY_CURRENCY``); a dash for nothing."""
        from babel.numbers import format_currency

        return "—" if value is None else format_currency(value, app.config.get("AGENCY_CURRENCY", "USD"), locale="en")

    @app.template_filter("time_of_day")
    def format_time_of_day(value):
        """``2:05pm`` in the agency's time zone, with the date when it is not today there."""
        if value is None:
            return ""
        local = value.astimezone(zone)
        shown = local.strftime("%-I:%M") + local.strftime("%p").lower()
        if local.date() != utcnow().astimezone(zone).date():
            shown = local.strftime("%-d %B, ") + shown
        return shown

    @app.template_filter("age")
    def format_age(value):
        """How long ago ``value`` was, in the largest whole unit: ``3 days``, ``5 hours``, ``12 min``."""
        if value is None:
            return ""
        seconds = max((utcnow() - value).total_seconds(), 0)
        for unit, size in (("day", 86400), ("hour", 3600)):
            if seconds >= size:
                n = int(seconds // size)
                return f"{n} {unit}{'' if n == 1 else 's'}"
        return f"{int(seconds // 60)} min"


def register_commands(app):
    from core import commands

    commands.init_app(app)
