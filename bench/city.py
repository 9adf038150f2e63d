"""The benchmarks' city of N cases, loaded in bulk: the console, desk, inbox, voice and blueprint benches measure it.

``load(total)`` recreates the database named by ``DATABASE_URL`` (default
``tandem_console_bench``), builds the schema, a city of 6 departments, 30
queues, 12 services and 200 staff, then COPYs (psycopg, not the ORM) ``total``
requests and cases (about 8% open, skewed towards a few big queues), 3 steps
and 5 timeline events per case; rebuilds the indexes, the per-queue counters
(aggregates included) and the planner's statistics. Every staff member signs
in with ``PASSWORD``.
"""
import io
import os
import random
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
