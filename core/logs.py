"""Structured logs: one JSON object per line, each with the id of the web request that caused it.

The id comes from the load balancer's ``X-Request-ID`` when it sends a sane
one, else it is made here; it is returned in the response header, stored in
the meta of every job the request enqueues, and set again by the worker
while it runs that job, so one id follows a submission from the form to
its email. Request lines name the route pattern (``/track/<token>``), never
the path, so secrets and personal data in URLs stay out of the logs.
"""
import json
import logging
import re
import sys
import time
import uuid
from contextvars import ContextVar

from flask import g, request

request_id_var = ContextVar("request_id", default=None)
SANE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
access_log = logging.getLogger("tandem.access")


class RequestIdFilter(logging.Filter):
    """Put the current request id (or None) on every record."""

    def filter(self, record):
        record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON line: time, level, logger, message, request id, extras."""

    EXTRAS = ("method", "route", "status", "duration_ms", "job_id")

    def format(self, record):
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        entry.update({key: getattr(record, key) for key in self.EXTRAS if hasattr(record, key)})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(level="INFO", form="json"):
    """Send every logger's records to stderr in ``form``; idempotent (one handler however often called)."""
    root = logging.getLogger()
    for handler in root.handlers:
        if getattr(handler, "tandem", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.tandem = True
    handler.addFilter(RequestIdFilter())
    if form == "json":
        formatter = JsonFormatter()
        formatter.converter = time.gmtime
        handler.setFormatter(formatter)
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)


def begin_request():
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if SANE_ID.match(incoming) else uuid.uuid4().hex
    g.request_started = time.perf_counter()
    request_id_var.set(g.request_id)


def end_request(response):
    response.headers["X-Request-ID"] = g.get("request_id", "")
    route = request.url_rule.rule if request.url_rule is not None else "(no route)"
    if route != "/static/<path:filename>":
        access_log.info("%s %s %s", request.method, route, response.status_code, extra={
            "method": request.method, "route": route, "status": response.status_code,
            "duration_ms": round((time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000, 1)})
    return response


def forget_request(_error=None):
    request_id_var.set(None)


def init_app(app):
    if not app.testing:
        configure_logging(app.config.get("LOG_LEVEL", "INFO"), app.config.get("LOG_FORMAT", "json"))
    app.before_request(begin_request)
    app.after_request(end_request)
    app.teardown_request(forget_request)
