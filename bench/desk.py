"""The contact desk at scale: a caller looked up, the open cases near a place, and a call saved, at N cases.

Usage (from the repository root, PostgreSQL and Redis running):

    .venv/bin/python bench/desk.py [--cases 1000000] [--repeat 60]   # load, then time
    .venv/bin/python bench/desk.py --reuse [--repeat 60]             # time against what is loaded

1. Load: the console benchmark's city of N cases (``bench/city.py``: two years of requests, about 8%
   open) in its own database (``DATABASE_URL``, default ``tandem_desk_bench``); then gives the requests
   what callers leave: a phone number on one in three (200,000 numbers, so a caller has one to several
   requests; the lookup is timed for one with 3 to 6), coordinates on every one in a 10 x 10 km city, and one in three taken by phone or at the
   counter; rebuilds the planner's statistics.
2. Measure, through the app in this process as a signed-in agent (server time, p50/p95 of ``--repeat``):
   the caller lookup on the page and by the API (a number said with spaces and brackets; each finds the
   caller's requests), the nearby-cases check (the same address, and 50 m around coordinates), and saving a
   request for a caller (a new submission key each time: triage and the acknowledgement are queued in
   Redis, not waited for).

Prints figures; asserts nothing.
"""
import argparse
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/tandem_desk_bench")

from sqlalchemy import create_engine, text  # noqa: E402

from bench import city  # noqa: E402  (its loader, app and sign-in password, on this database)
from bench.common import percentile  # noqa: E402
from core.extensions import db  # noqa: E402
from core.queues import redis_connection  # noqa: E402

NUMBERS = 200_000


def give_callers_details():
    """Phone numbers, coordinates and desk channels on the loaded requests, as one UPDATE; then ANALYZE."""
    started = time.perf_counter()
    engine = create_engine(city.DATABASE_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        # +1 202 55x xxxx: E.164 as the desk stores it; a city about 10 km across around 38.9 N, 77.0 W
        connection.execute(text(f"""
            UPDATE service_request SET
              contact_phone = CASE WHEN id % 3 = 0 THEN '+1202' || lpad(((id / 3) % {NUMBERS})::text, 7, '5') END,
              lat = 38.85 + ((id::bigint * 7919) % 100000) / 1000000.0,
              long = -77.05 + ((id::bigint * 104729) % 100000) / 780000.0,
              channel = CASE id % 3 WHEN 1 THEN 'phone' WHEN 2 THEN CASE WHEN id % 7 = 0 THEN 'counter' ELSE 'web' END
                        ELSE 'web' END"""))
        connection.execute(text("VACUUM ANALYZE service_request"))
    engine.dispose()
    city.say(f"phone numbers, coordinates and channels given in {time.perf_counter() - started:.1f} s")


def samples(app):
    """A caller with several requests, and an open case with coordinates, to look up and to stand beside."""
    with app.app_context():
        phone = db.session.scalar(text(
            "SELECT contact_phone FROM service_request WHERE contact_phone IS NOT NULL GROUP BY contact_phone "
            "HAVING count(*) BETWEEN 3 AND 6 LIMIT 1"))
        near = db.session.execute(text(
            'SELECT r.address, r.lat, r.long, s.code FROM "case" c JOIN service_request r ON r.id = c.request_id '
            "JOIN service s ON s.id = c.service_id WHERE c.closed_at IS NULL ORDER BY c.id DESC LIMIT 1")).one()
        worker = db.session.scalar(text("SELECT email FROM staff ORDER BY id LIMIT 1"))
    return phone, near, worker


def said_aloud(e164):
    """``+12025550143`` as a caller says it: ``(202) 555-0143``."""
    digits = e164.removeprefix("+1")
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"


def timed(label, repeat, call):
    call()  # warm the plan cache, as a running server has it
    times, last = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        last = call()
        times.append((time.perf_counter() - started) * 1000)
    city.say(f"{label:<58} {statistics.median(times):>8.1f} {percentile(times, 0.95):>8.1f} {last.status_code}")
    return last


def measure(repeat):
    app = city.build_app()
    phone, (address, lat, long, service_code), worker = samples(app)
    with app.app_context():
        total = db.session.scalar(text('SELECT count(*) FROM "case"'))
        requests_of_caller = db.session.scalar(text("SELECT count(*) FROM service_request WHERE contact_phone = :p"),
                                               {"p": phone})
        from core.accounts.models import Staff
        from core.accounts.tokens import ApiToken
        token, secret = ApiToken.issue(db.session.scalar(db.select(Staff).filter_by(email=worker)), "bench desk",
                                       can_write=True)
        token.requests_per_minute = 1_000_000
        db.session.add(token)
        db.session.commit()
    city.say(f"{total:,} cases; the caller {phone} has {requests_of_caller} requests; "
                f"an open {service_code} case at {address}")
    client = app.test_client()
    signed_in = client.post("/staff/login", data={"email": worker, "password": city.PASSWORD})
    assert signed_in.status_code in (302, 303), signed_in.status_code
    bearer = {"Authorization": f"Bearer {secret}"}
    call = {"channel": "phone", "for_whom": "caller", "caller_phone": said_aloud(phone), "hear_by": "none",
            "language": "en", "service_code": service_code, "description": "A deep hole by the kerb, since Monday",
            "address": address, "lat": str(lat), "long": str(long), "contact_minutes": "6"}
    city.say(f"\n{'step':<58} {'p50 ms':>8} {'p95 ms':>8} status")
    timed("caller lookup, page (number said aloud)", repeat,
          lambda: client.post("/console/desk/", data={**call, "step": "lookup"}))
    timed("caller lookup, API GET /api/v1/callers", repeat,
          lambda: client.get("/api/v1/callers", query_string={"phone": said_aloud(phone)}, headers=bearer))
    timed("nearby open cases, same address", repeat,
          lambda: client.post("/console/desk/", data={**call, "lat": "", "long": "", "step": "nearby"}))
    timed("nearby open cases, address and 50 m around coordinates", repeat,
          lambda: client.post("/console/desk/", data={**call, "step": "nearby"}))
    # saved for a caller of their own (a number no request has), so a later run still looks up a usual caller
    call["caller_phone"] = f"(202) 9{random.randint(10, 99)}-{random.randint(1000, 9999)}"
    saved = timed("save a request for a caller (POST, 303 to the reference)", repeat,
                  lambda: client.post("/console/desk/", data={**call, "step": "save",
                                                              "submission_key": uuid.uuid4().hex}))
    assert saved.status_code == 303, saved.status_code
    timed("save by the API, POST /api/v1/requests", repeat,
          lambda: client.post("/api/v1/requests", json={**{k: v for k, v in call.items() if k not in (
              "lat", "long", "contact_minutes")}, "lat": lat, "long": long, "contact_minutes": 6},
              headers={**bearer, "Idempotency-Key": uuid.uuid4().hex}))
    with app.app_context():
        queued = len(redis_connection().keys("rq:job:*"))
    city.say(f"\n{queued:,} jobs waiting in Redis (triage and acknowledgements: queued, not waited for)")
    with app.app_context():
        redis_connection().flushdb()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=60)
    parser.add_argument("--reuse", action="store_true", help="measure what is loaded, without loading")
    arguments = parser.parse_args()
    if not arguments.reuse:
        city.load(arguments.cases)
    if not has_callers_details():
        give_callers_details()  # also on a database bench/console.py loaded
    measure(arguments.repeat)


def has_callers_details():
    engine = create_engine(city.DATABASE_URL)
    with engine.connect() as connection:
        found = connection.execute(text("SELECT 1 FROM service_request WHERE contact_phone IS NOT NULL LIMIT 1"))
        given = found.first() is not None
    engine.dispose()
    return given


if __name__ == "__main__":
    main()
