"""What every benchmark script shares: a database of its own made afresh, a small city, and percentiles.

Benchmarks never import the tests: what they need of a city is here, built from the product's own models.
"""
import time

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

# far from the test suite's Redis databases (15, 14, ... one per test worker) and the screenshots' (12): a
# benchmark's workers flush and consume their database, and must never take a running suite's jobs
BENCH_REDIS_URL = "redis://127.0.0.1:6379/9"


def recreate_database(url):
    """Drop and create the PostgreSQL database of ``url`` (a benchmark's own, never the tests' or a city's)."""
    url = make_url(url)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{url.database}"'))
    admin.dispose()


def percentile(values, share):
    """The value at ``share`` (0-1) of ``values`` by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]

def timed(client, method, url, repeat, **kwargs):
    """Ask ``client`` for ``url`` ``repeat`` times; the milliseconds of each, and the last answer's size and status."""
    times, size, status = [], 0, None
    for _ in range(repeat):
        start = time.perf_counter()
        response = getattr(client, method)(url, **kwargs)
        times.append((time.perf_counter() - start) * 1000)
        size, status = len(response.data), response.status_code
    return times, size, status


def pothole_city():
    """One team with a road-repairs queue taking its potholes and a caseworker in it. Commits; returns the service.

    Call in an app context, on an empty schema.
    """
    from casework.models import Queue
    from core.accounts.models import Role, Staff
    from core.extensions import db
    from intake.models import Department, Service

    roads = Department(code="roads", name="Roads and Streets")
    pothole = Service(code="pothole", name="Pothole", group="Streets", department=roads, resolution_hours=120)
    worker = Staff(name="Bench Caseworker", email="bench.worker@tandem.test", role=Role.CASEWORKER,
                   languages="en", capacity_minutes=1200)
    worker.set_password("bench-caseworker-password")
    queue = Queue(name="Road repairs", department=roads, is_department_default=True, members=[worker])
    db.session.add_all([roads, pothole, worker, queue])
    db.session.commit()
    return pothole
