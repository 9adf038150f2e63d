"""The caseworker console at scale: bulk-load a city of N cases, then time its pages.

Usage (from the repository root, PostgreSQL running):

    .venv/bin/python bench/console.py [--cases 1000000] [--repeat 40]
    .venv/bin/python bench/console.py --load-only --cases 1000000   # fill DATABASE_URL and exit
    .venv/bin/python bench/console.py --reuse                       # time against what is loaded

1. Load: recreates the database named by ``DATABASE_URL`` (default
   ``tandem_console_bench``), builds the schema, a city of 6 departments, 30
   queues, 12 services and 200 staff, then COPYs (psycopg, not the ORM) N
   requests and cases (about 8% open, skewed towards a few big queues), 3 steps
   and 5 timeline events per case; rebuilds the indexes, the per-queue counters
   (aggregates included) and the planner's statistics.
2. Measure: signs in as a caseworker of the largest queue and requests each
   page ``--repeat`` times through the app in this process, printing the
   server time p50/p95 and the size of each page: the home page, the largest
   queue's first and 20th page, a filtered queue, search by reference, words
   and email, a case page, and take-next; then the staff API's list (first
   page, 20th page by cursor, filtered, a supervisor's every-queue list) and
   one case, with personal access tokens.

Prints figures; asserts nothing.
"""
import argparse
import io
import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench import common  # noqa: E402
from bench.common import percentile  # noqa: E402
from casework import counts, effort  # noqa: E402
from casework.models import PRIORITY_RANK, Priority, Queue, StepType, queue_member  # noqa: E402
from core import create_app  # noqa: E402
from core.extensions import db  # noqa: E402
from core.accounts.models import Staff  # noqa: E402
from intake.models import REFERENCE_ALPHABET, Department, Service  # noqa: E402

os.environ.setdefault("LOG_LEVEL", "WARNING")  # the access log of every timed request is noise here
DATABASE_URL = os.environ.get("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/tandem_console_bench")
PASSWORD = "bench-console-password"
NOW = datetime.now(timezone.utc).replace(microsecond=0)
WORDS = ("pothole crack sinkhole puddle flooding drain blocked streetlight flickering graffiti bench broken "
         "overflowing bin litter fly-tipping mattress sofa fridge tree fallen branch leaves hedge overgrown "
         "pavement kerb uneven trip hazard school hospital library market station bridge underpass roundabout "
         "junction crossing signal sign missing bollard railing fence gate playground swing slide cyclists "
         "buses lorries noise smell rats pigeons dog fouling needle abandoned car bicycle trolley").split()
STREETS = [f"{name} {kind}" for name in ("High", "Station", "Church", "Mill", "Park", "Victoria", "Green", "Manor",
                                         "Kings", "Queens", "New", "School", "North", "South", "West", "London")
           for kind in ("Street", "Road", "Lane", "Avenue", "Close", "Way")]
OPEN_STATES = ["triaged", "assigned", "in_progress", "waiting_on_citizen"]


def say(message):
    print(message, flush=True)


def recreate_database():
    common.recreate_database(DATABASE_URL)


def build_app():
    return create_app({"SQLALCHEMY_DATABASE_URI": DATABASE_URL, "SECRET_KEY": "bench", "SMTP_URL": None,
                       "MAILBOX_DIR": "/tmp/tandem-bench-mailbox", "WTF_CSRF_ENABLED": False,
                       "REDIS_URL": os.environ.get("BENCH_REDIS_URL", common.BENCH_REDIS_URL),
                       "SUBMISSION_RATE_LIMIT": "100000 per minute", "LOGIN_RATE_LIMIT": "100000 per minute"})


def build_city():
    """Departments, queues, services with steps, and staff; returns what the loader draws from."""
    rng = random.Random(7)
    departments = [Department(code=f"dept{n}", name=f"Department {n}") for n in range(6)]
    db.session.add_all(departments)
    queues, services = [], []
    for number, department in enumerate(departments):
        for k in range(5):
            queues.append(Queue(name=f"{department.name} queue {k}", department=department,
                                is_department_default=k == 0))
        for k in range(2):
            service = Service(code=f"svc{number}{k}", name=f"Service {number}.{k}", group=f"Group {number}",
                              department=department, first_response_hours=24, resolution_hours=120)
            services.append(service)
            db.session.add_all([StepType(service=service, name=f"Step {s}", position=s, standard_minutes=10 + 5 * s)
                                for s in range(1, 4)])
    db.session.add_all(queues + services)
    db.session.flush()
    staff = [Staff(name=f"Caseworker {n:03d}", email=f"worker{n:03d}@bench.example", role="caseworker",
                   languages=rng.choice(["en", "en", "en es", "en pt"])) for n in range(200)]
    staff[0].set_password(PASSWORD)
    for person in staff[1:]:
        person.password_hash = staff[0].password_hash  # hashing 200 passwords would cost a minute for nothing
    db.session.add_all(staff)
    db.session.flush()
    for index, person in enumerate(staff):
        home = queues[index % len(queues)]
        mates = [queue for queue in queues if queue.department_id == home.department_id]
        for queue in {home, *rng.sample(mates, rng.randint(0, 2))}:
            db.session.execute(queue_member.insert().values(queue_id=queue.id, staff_id=person.id))
    db.session.commit()
    members = {}
    for queue_id, staff_id in db.session.execute(db.select(queue_member.c.queue_id, queue_member.c.staff_id)):
        members.setdefault(queue_id, []).append(staff_id)
    step_types = {}
    for step in db.session.scalars(db.select(StepType)):
        step_types.setdefault(step.service_id, []).append(step.id)
    return {"queues": [(queue.id, queue.department_id) for queue in queues],
            "services": [(service.id, service.department_id) for service in services],
            "members": members, "step_types": step_types}


def reference_of(number):
    digits = []
    for _ in range(8):
        number, digit = divmod(number, 32)
        digits.append(REFERENCE_ALPHABET[digit])
    code = "".join(reversed(digits))
    return f"R-{code[:4]}-{code[4:]}"


def iso(moment):
    return moment.isoformat()


def generate(city, total, seed=11):
    """Rows for every table, as tab-separated lines, yielded per case."""
    rng = random.Random(seed)
    queues = city["queues"]
    # a few big queues and a long tail, as in any city
    weights = [1 / (rank + 1) ** 0.9 for rank in range(len(queues))]
    services_of = {}
    for service_id, department_id in city["services"]:
        services_of.setdefault(department_id, []).append(service_id)
    span = timedelta(days=730)
    step_id = event_id = 0
    for number in range(1, total + 1):
        queue_id, department_id = rng.choices(queues, weights)[0]
        service_id = rng.choice(services_of[department_id])
        # submissions spread over two years, the newest last
        submitted = NOW - span + span * (number / total) - timedelta(seconds=rng.uniform(0, 600))
        age_days = (NOW - submitted).days
        is_open = rng.random() < (0.55 if age_days < 14 else 0.3 if age_days < 60 else 0.012)
        language = rng.choices(["en", "es", "pt"], [80, 15, 5])[0]
        priority = rng.choices(list(Priority), [10, 70, 15, 5])[0]
        holders = city["members"].get(queue_id) or [None]
        assignee = rng.choice(holders) if (not is_open or rng.random() < 0.6) else None
        state = (rng.choices(OPEN_STATES[1:], [50, 40, 10])[0] if assignee else "triaged") if is_open \
            else rng.choices(["resolved", "closed"], [95, 5])[0]
        opened = submitted + timedelta(seconds=3)
        due = opened + timedelta(hours=rng.choice([72, 120, 240]))
        resolved = None if is_open else opened + timedelta(hours=rng.lognormvariate(3.5, 1.0))
        words = " ".join(rng.sample(WORDS, 6))
        if number % 997 == 0:
            words += " manhole cover rattles"  # a rarer complaint, for a search that narrows
        email = f"citizen{number}@example.org" if rng.random() < 0.7 else ""
        address = f"{rng.randint(1, 300)} {rng.choice(STREETS)}"
        request_line = "\t".join([
            str(number), reference_of(number * 7919 + 104729), f"bench-token-{number}", str(service_id),
            f"The {words} near {address}", address, email or "\\N", language, iso(submitted), "done", "1",
            "{}", "web", "email", "t"])
        tags = '["school"]' if rng.random() < 0.1 else "[]"
        closed_at = iso(resolved) if resolved else "\\N"
        case_line = "\t".join([
            str(number), str(number), str(queue_id), str(assignee) if assignee else "\\N", state, str(priority),
            str(PRIORITY_RANK[priority]), "1", iso(opened), iso(opened + timedelta(hours=24)), iso(due),
            closed_at, closed_at, "60", "[]", tags, str(service_id), language])
        steps, events = [], [
            (opened, "triaged", "f", "Routed."), (opened, "routed", "t", "Sent to the team.")]
        step_types = city["step_types"][service_id]
        worker = assignee or (holders[0] if holders[0] else None)
        moment = opened + timedelta(hours=1)
        for step_type in step_types:
            step_id += 1
            minutes = max(1, int(rng.lognormvariate(2.8, 0.5)))
            steps.append("\t".join([str(step_id), str(number), str(step_type), str(worker or 1),
                                    iso(moment - timedelta(minutes=minutes)), iso(moment), str(minutes),
                                    str(rng.choices([1, 2, 3, 4, 5], [30, 30, 20, 12, 8])[0])]))
            moment += timedelta(hours=rng.uniform(1, 20))
        events.append((opened + timedelta(minutes=30), "assigned", "f", "Assigned."))
        events.append((moment, "step", "f", "Work recorded."))
        events.append((resolved or moment, "resolved" if resolved else "public_reply", "t", "Done, thank you."))
        event_lines = []
        for at, kind, public, message in events:
            event_id += 1
            event_lines.append("\t".join([str(event_id), str(number), iso(at), str(worker or 1) if kind != "routed" else "\\N",
                                          kind, public, message, "{}"]))
        yield request_line, case_line, steps, event_lines


COPIES = {
    "service_request": "(id, reference, tracking_token, service_id, description, address, contact_email, language, "
                       "submitted_at, triage_state, triage_attempts, answers, channel, notify_by, consent_to_contact)",
    "case": "(id, request_id, queue_id, assignee_id, state, priority, priority_rank, version, opened_at, "
            "first_response_due_at, resolution_due_at, resolved_at, closed_at, estimated_minutes, triage_explanation, "
            "tags, service_id, language)",
    "step": "(id, case_id, step_type_id, staff_id, started_at, ended_at, effort_minutes, friction)",
    "case_event": "(id, case_id, at, actor_id, kind, public, message, details)",
}


def load(total):
    """Recreate the database and fill it with ``total`` cases; print how long each part took."""
    started = time.perf_counter()
    recreate_database()
    app = build_app()
    with app.app_context():
        db.create_all()
        city = build_city()
        tables = [db.metadata.tables[name] for name in COPIES]
        dropped = [index for table in tables for index in table.indexes]
        for index in dropped:
            index.drop(db.engine)
    say(f"schema and city built in {time.perf_counter() - started:.1f} s; loading {total:,} cases")
    url = make_url(DATABASE_URL).set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False)) as connection:
        for name in COPIES:
            connection.execute(f'ALTER TABLE "{name}" DISABLE TRIGGER ALL')
        buffers = {name: io.StringIO() for name in COPIES}
        copied = dict.fromkeys(COPIES, 0)
        chunk_started = time.perf_counter()

        def flush():
            for name, buffer in buffers.items():
                if buffer.tell():
                    with connection.cursor().copy(f'COPY "{name}" {COPIES[name]} FROM STDIN') as copy:
                        copy.write(buffer.getvalue())
                    buffer.seek(0)
                    buffer.truncate()

        for number, (request_line, case_line, steps, events) in enumerate(generate(city, total), start=1):
            buffers["service_request"].write(request_line + "\n")
            buffers["case"].write(case_line + "\n")
            buffers["step"].write("".join(line + "\n" for line in steps))
            buffers["case_event"].write("".join(line + "\n" for line in events))
            copied["step"] += len(steps)
            copied["case_event"] += len(events)
            if number % 50000 == 0:
                flush()
                rate = number / (time.perf_counter() - chunk_started)
                say(f"  {number:>9,} cases, {copied['step']:,} steps, {copied['case_event']:,} events "
                    f"({rate:,.0f} cases/s)")
        flush()
        for name in COPIES:
            connection.execute(f'ALTER TABLE "{name}" ENABLE TRIGGER ALL')
            connection.execute(f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                               f'(SELECT max(id) FROM "{name}"))')
        connection.commit()
    say(f"copied in {time.perf_counter() - started:.1f} s; building indexes")
    with app.app_context():
        for index in dropped:
            index_started = time.perf_counter()
            index.create(db.engine)
            say(f"  {index.name} in {time.perf_counter() - index_started:.1f} s")
        counts.recount()
        effort.recount_effort()  # COPY bypassed the session hooks that keep each case's effort
        db.session.commit()
    engine = create_engine(DATABASE_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    say(f"loaded {total:,} cases in {time.perf_counter() - started:.1f} s")


def timed(client, method, url, repeat, **kwargs):
    times, size, status = [], 0, None
    for _ in range(repeat):
        start = time.perf_counter()
        response = getattr(client, method)(url, **kwargs)
        times.append((time.perf_counter() - start) * 1000)
        size, status = len(response.data), response.status_code
    return times, size, status


def measure(repeat, only=""):
    """Time each console page ``repeat`` times and print p50/p95 and size."""
    app = build_app()
    with app.app_context():
        largest = db.session.execute(text(
            "SELECT queue_id, sum(n) FROM queue_count WHERE state IN ('triaged', 'assigned', 'in_progress', "
            "'waiting_on_citizen') GROUP BY queue_id ORDER BY 2 DESC LIMIT 1")).one()
        queue_id, open_in_queue = largest
        worker_email = db.session.scalar(text(
            "SELECT s.email FROM staff s JOIN queue_member m ON m.staff_id = s.id WHERE m.queue_id = :q "
            "ORDER BY s.id LIMIT 1"), {"q": queue_id})
        db.session.execute(text("UPDATE staff SET password_hash = (SELECT password_hash FROM staff WHERE email = "
                                "'worker000@bench.example')"))
        db.session.commit()
        sample = db.session.execute(text(
            'SELECT c.id, r.reference, r.contact_email, r.service_id FROM "case" c JOIN service_request r '
            "ON r.id = c.request_id WHERE c.queue_id = :q AND r.contact_email IS NOT NULL ORDER BY c.id DESC LIMIT 1"),
            {"q": queue_id}).one()
        total = db.session.scalar(text('SELECT count(*) FROM "case"'))
        opened = db.session.scalar(text('SELECT count(*) FROM "case" WHERE closed_at IS NULL'))
    case_id, reference, email, service_id = sample
    say(f"{total:,} cases, {opened:,} open; the largest queue (id {queue_id}) holds {open_in_queue:,} open; "
        f"signed in as {worker_email}")
    client = app.test_client()
    signed_in = client.post("/staff/login", data={"email": worker_email, "password": PASSWORD})
    assert signed_in.status_code in (302, 303), signed_in.status_code
    queue = f"/console/queues/{queue_id}"
    later, page_number, marker = queue, 1, 'rel="next" href="'
    while page_number < 20:
        page = client.get(later).text
        if marker not in page:
            break
        later = page[page.index(marker) + len(marker):].split('"', 1)[0].replace("&amp;", "&")
        page_number += 1
    pages = [
        ("home (my work and my queues)", "get", "/console/", {}),
        ("largest queue, first page", "get", queue, {}),
        (f"largest queue, page {page_number}", "get", later, {}),
        ("filtered queue (unassigned, high, due this week)", "get", f"{queue}?assignee=nobody&priority=high&due=week", {}),
        ("filtered queue (one service, by priority)", "get", f"{queue}?service={service_id}&sort=priority", {}),
        ("search by reference", "get", f"/console/search?q={reference}", {}),
        ("search by words (each in ~9% of requests)", "get", "/console/search?q=sinkhole+underpass+cyclists", {}),
        ("search by words (in ~0.1% of requests)", "get", "/console/search?q=manhole+rattles", {}),
        ("search by email", "get", f"/console/search?q={email}", {}),
        ("case page", "get", f"/console/cases/{case_id}", {}),
        ("take next (POST)", "post", "/console/take-next", {}),
    ]
    pages += api_calls(app, worker_email, queue_id, service_id, case_id)
    pages += supervision_pages(app)
    say(f"\n{'page':<52} {'p50 ms':>8} {'p95 ms':>8} {'KB':>7} status")
    for label, method, url, kwargs in pages:
        if only.lower() not in label.lower():
            continue
        kwargs = dict(kwargs)
        caller = kwargs.pop("client", client)
        caller.get(url, **kwargs) if method == "get" else None  # warm the plan cache, as a running server has it
        times, size, status = timed(caller, method, url, repeat, **kwargs)
        say(f"{label:<52} {statistics.median(times):>8.1f} {percentile(times, 0.95):>8.1f} {size / 1024:>7.1f} {status}")


def api_calls(app, worker_email, queue_id, service_id, case_id):
    """The staff API's list and case calls, with tokens of the worker and of a supervisor (no quota in the way)."""
    from core.accounts.tokens import ApiToken

    with app.app_context():
        # the bench city is all caseworkers; its last member supervises, to list every queue's cases
        supervisor_email = db.session.scalar(text(
            "UPDATE staff SET role = 'supervisor' WHERE id = (SELECT max(id) FROM staff) RETURNING email"))
        secrets = {}
        for who, email in (("worker", worker_email), ("supervisor", supervisor_email)):
            staff = db.session.scalar(db.select(Staff).filter_by(email=email))
            token, secrets[who] = ApiToken.issue(staff, "bench", can_write=True)
            token.requests_per_minute = 1_000_000
            db.session.add(token)
        db.session.commit()
    worker = {"headers": {"Authorization": f"Bearer {secrets['worker']}"}}
    supervisor = {"headers": {"Authorization": f"Bearer {secrets['supervisor']}"}}
    client = app.test_client()
    later, page_number = f"/api/v1/cases?queue_id={queue_id}&limit=50", 1
    while page_number < 20:
        following = client.get(later, **worker).get_json()["next"]
        if not following:
            break
        later, page_number = following.removeprefix("http://localhost"), page_number + 1
    return [
        ("API: largest queue, first 50", "get", f"/api/v1/cases?queue_id={queue_id}&limit=50", worker),
        (f"API: largest queue, page {page_number} by cursor", "get", later, worker),
        ("API: my queues, 100 due soonest", "get", "/api/v1/cases?limit=100", worker),
        ("API: filtered (unassigned, high, due this week)", "get",
         f"/api/v1/cases?queue_id={queue_id}&assignee=nobody&priority=high&due=week", worker),
        ("API: one service by priority", "get", f"/api/v1/cases?service={service_id}&sort=priority", worker),
        ("API: supervisor, every queue, 100", "get", "/api/v1/cases?limit=100", supervisor),
        ("API: one case", "get", f"/api/v1/cases/{case_id}", worker),
    ]


def supervision_pages(app):
    """The supervisor's board, backlog and suggested rebalance over the whole city, by page and by API."""
    with app.app_context():
        email = db.session.scalar(text("SELECT email FROM staff WHERE role = 'supervisor' ORDER BY id LIMIT 1"))
    client = app.test_client()
    signed_in = client.post("/staff/login", data={"email": email, "password": PASSWORD})
    assert signed_in.status_code in (302, 303), signed_in.status_code
    with app.app_context():
        from core.accounts.tokens import ApiToken

        token, secret = ApiToken.issue(db.session.scalar(db.select(Staff).filter_by(email=email)), "bench board",
                                       can_write=True)
        token.requests_per_minute = 1_000_000
        db.session.add(token)
        db.session.commit()
    bearer = {"headers": {"Authorization": f"Bearer {secret}"}}
    return [
        ("supervision: workload board (200 staff)", "get", "/supervision/", {"client": client}),
        ("supervision: backlog with 12-week trend", "get", "/supervision/backlog", {"client": client}),
        ("supervision: forecast, every queue", "get", "/supervision/forecast", {"client": client}),
        ("supervision: suggest a rebalance (POST, plans)", "post", "/supervision/rebalance", {"client": client}),
        ("API: GET /api/v1/workload", "get", "/api/v1/workload", bearer),
        ("API: GET /api/v1/backlog", "get", "/api/v1/backlog", bearer),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--load-only", action="store_true", help="fill the database and exit")
    parser.add_argument("--reuse", action="store_true", help="measure what is loaded, without loading")
    parser.add_argument("--only", default="", help="time only the pages whose label contains this, e.g. supervision")
    arguments = parser.parse_args()
    if not arguments.reuse:
        load(arguments.cases)
    if not arguments.load_only:
        measure(arguments.repeat, arguments.only)


if __name__ == "__main__":
    main()
