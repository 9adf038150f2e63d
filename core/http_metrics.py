"""Request rate and latency for /metrics, per route pattern (never per path: paths can hold secrets).

With several gunicorn workers each process counts its own requests; set
``PROMETHEUS_MULTIPROC_DIR`` to an empty folder shared by them and /metrics
adds them up (prometheus_client's multiprocess mode).
"""
import os
import time

from flask import g, request
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess

REQUESTS = Counter("tandem_http_requests", "HTTP requests answered, by route pattern and status.",
                   ["method", "route", "status"])
LATENCY = Histogram("tandem_http_request_duration_seconds", "Time to answer HTTP requests, by route pattern.",
                    ["route"], buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))


def start_clock():
    g.metrics_started = time.perf_counter()


def count(response):
    route = request.url_rule.rule if request.url_rule is not None else "(no route)"
    if route != "/static/<path:filename>":
        REQUESTS.labels(request.method, route, str(response.status_code)).inc()
        LATENCY.labels(route).observe(time.perf_counter() - g.get("metrics_started", time.perf_counter()))
    return response


def exposition():
    """Our counters and histograms in Prometheus text format, summed across processes when configured."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry).decode()
    registry = CollectorRegistry(auto_describe=True)
    registry.register(REQUESTS)
    registry.register(LATENCY)
    return generate_latest(registry).decode()


def init_app(app):
    app.before_request(start_clock)
    app.after_request(count)
