"""The service blueprint at scale: one service with a million cases, measured by the worker's rollup, then timed.

Usage (from the repository root, PostgreSQL running):

    .venv/bin/python bench/blueprint.py [--cases 1000000] [--repeat 20]
    .venv/bin/python bench/blueprint.py --reuse      # time against what is loaded and measured
    .venv/bin/python bench/blueprint.py --remeasure  # measure what is loaded again (as an upgrade does), time

1. Load: the console bench's loader (bench/city.py: COPY of requests, cases,
   3 steps and 5 events a case over two years, ~96% resolved) into
   ``DATABASE_URL`` (default ``tandem_blueprint_bench``), with a city whose one
   service takes every case (30 queues, 200 staff); 15% of resolved requests
   answer the survey.
2. Measure: ``casework.insight.rollup.measure_pending`` over every case, as the
   worker (or ``flask insight measure``) would, printing its rate.
3. Time: as a supervisor, the blueprint page over the last 90 days, a year and
   two years; its JSON and CSV; the print view; the API; and the page with a
   marked process change (before/after, 90 days a side): p50/p95 in ms.

Prints figures; asserts nothing.
"""
import argparse
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/tandem_blueprint_bench")

from bench import city, common  # noqa: E402
from casework.insight import rollup  # noqa: E402
from casework.insight.models import ProcessChange  # noqa: E402
from casework.models import Queue, StepType, queue_member  # noqa: E402
from core.extensions import db  # noqa: E402
from core.accounts.models import Staff  # noqa: E402
from intake.models import Department, Service  # noqa: E402

say = city.say


def one_service_city():
    """One department, 30 queues, one service with three step types, 200 staff (one a supervisor)."""
    rng = random.Random(7)
    department = Department(code="streets", name="Streets")
    service = Service(code="pothole", name="Pothole", group="Streets", department=department,
                      first_response_hours=24, resolution_hours=120)
    queues = [Queue(name=f"Streets queue {k}", department=department, is_department_default=k == 0)
              for k in range(30)]
    db.session.add_all([department, service, *queues])
    db.session.add_all([StepType(service=service, name=name, position=s, standard_minutes=10 + 5 * s)
                        for s, name in enumerate(("Inspect the site", "Make it safe", "Schedule the repair"), start=1)])
    db.session.flush()
    staff = [Staff(name=f"Caseworker {n:03d}", email=f"worker{n:03d}@bench.example", role="caseworker",
                   languages="en") for n in range(200)]
    staff[1].role = "supervisor"
    staff[0].set_password(city.PASSWORD)
    for person in staff[1:]:
        person.password_hash = staff[0].password_hash
    db.session.add_all(staff)
    db.session.flush()
    for index, person in enumerate(staff):
        for queue in {queues[index % 30], *rng.sample(queues, 2)}:
            db.session.execute(queue_member.insert().values(queue_id=queue.id, staff_id=person.id))
    db.session.commit()
    members = {}
    for queue_id, staff_id in db.session.execute(db.select(queue_member.c.queue_id, queue_member.c.staff_id)):
        members.setdefault(queue_id, []).append(staff_id)
    steps = db.session.scalars(db.select(StepType.id).order_by(StepType.position)).all()
    return {"queues": [(queue.id, queue.department_id) for queue in queues],
            "services": [(service.id, department.id)], "members": members, "step_types": {service.id: steps}}


def answer_surveys(app, share=0.15):
    """About ``share`` of resolved requests answer the A-11 survey (the voice beside the blueprint reads them)."""
    with app.app_context():
        scale = "1 + floor(random() * 5)::int"
        db.session.execute(db.text(
            "INSERT INTO feedback (request_id, resolution, fixed, satisfaction, trust, ease, efficiency, equity, "
            f"helpfulness, language, submitted_at) SELECT request_id, 1, random() < 0.8, {scale}, {scale}, {scale}, "
            f"{scale}, {scale}, {scale}, 'en', closed_at + interval '1 day' FROM \"case\" "
            "WHERE closed_at IS NOT NULL AND random() < :share"), {"share": share})
        db.session.commit()
        say(f"{db.session.scalar(db.text('SELECT count(*) FROM feedback')):,} survey answers")


def forget_measures(app):
    """Drop every measure and the rollup, as the upgrade to the daily rollup does, so all is measured again."""
    with app.app_context():
        # (made again as the models say: the database may have been loaded by an earlier version)
        for table in ("stage_rollup", "stage_measure", "case_measure"):
            db.session.execute(db.text(f"DROP TABLE IF EXISTS {table} CASCADE"))
        db.session.execute(db.text('UPDATE "case" SET measured_at = NULL WHERE measured_at IS NOT NULL'))
        db.session.commit()
        db.create_all()


def measure_everything(app):
    with app.app_context():
        waiting = rollup.pending_count()
        say(f"measuring {waiting:,} cases (the worker's rollup)")
        started = time.perf_counter()
        last = [0]

        def progress(done):
            if done - last[0] >= 50_000:
                last[0] = done
                say(f"  {done:>9,} measured ({done / (time.perf_counter() - started):,.0f} cases/s)")

        done = rollup.measure_pending(batch=2000, run_seconds=float("inf"), progress=progress)
        seconds = time.perf_counter() - started
        say(f"measured {done:,} cases in {seconds:.1f} s ({done / seconds:,.0f} cases/s)")


def time_pages(app, repeat):
    with app.app_context():
        from core.accounts.tokens import ApiToken

        supervisor = db.session.scalar(db.select(Staff).filter_by(role="supervisor"))
        service = db.session.scalar(db.select(Service).filter_by(code="pothole"))
        token, secret = ApiToken.issue(supervisor, "bench blueprint", can_write=False)
        token.requests_per_minute = 1_000_000
        db.session.add(token)
        # a change 60 days ago: the page compares 60 days either side
        if db.session.scalar(db.select(ProcessChange.id)) is None:
            db.session.add(ProcessChange(service_id=service.id, made_on=city.NOW.date() - timedelta(days=60),
                                         title="Photo made required", marked_by_id=supervisor.id))
        db.session.commit()
        email = supervisor.email
        today = city.NOW.date()
        resolved = db.session.scalar(db.text("SELECT count(*) FROM case_measure"))
    client = app.test_client()
    assert client.post("/staff/login", data={"email": email, "password": city.PASSWORD}).status_code in (302, 303)
    year = f"from={today.replace(year=today.year - 1).isoformat()}&to={today.isoformat()}"
    two = f"from={today.replace(year=today.year - 2).isoformat()}&to={today.isoformat()}"
    tomorrow = today + timedelta(days=1)
    week = f"from={(tomorrow - timedelta(days=7)).isoformat()}&to={tomorrow.isoformat()}"
    bearer = {"Authorization": f"Bearer {secret}"}
    # (the long periods take seconds each: timed fewer times)
    pages = [
        ("blueprint page, last 90 days, with before/after", "/insight/blueprint?service=pothole", {}, repeat),
        ("blueprint JSON, last 90 days", "/insight/blueprint.json?service=pothole", {}, repeat),
        ("print view, last 90 days", "/insight/blueprint/print?service=pothole", {}, repeat),
        ("every service, last 90 days", "/insight/blueprint", {}, repeat),
        ("API: GET /api/v1/services/pothole/blueprint", "/api/v1/services/pothole/blueprint", {"headers": bearer},
         repeat),
        ("blueprint page, last 7 days (read case by case)", f"/insight/blueprint?service=pothole&{week}", {},
         repeat),
        ("blueprint page, last year", f"/insight/blueprint?service=pothole&{year}", {}, 5),
        ("blueprint CSV, last year", f"/insight/blueprint.csv?service=pothole&{year}", {}, 5),
        ("blueprint page, two years", f"/insight/blueprint?service=pothole&{two}", {}, 3),
    ]
    say(f"\n{resolved:,} resolved cases measured (server time in this process, ms)")
    say(f"{'page':<52} {'runs':>4} {'p50':>7} {'p95':>7} {'KB':>6}")
    for label, url, kwargs, runs in pages:
        times, size, status = common.timed(client, "get", url, runs, **kwargs)
        assert status == 200, (label, status)
        say(f"{label:<52} {runs:>4} {common.percentile(times, 0.5):>7.1f} {common.percentile(times, 0.95):>7.1f} "
            f"{size / 1024:>6.1f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--reuse", action="store_true", help="time what is loaded and measured")
    parser.add_argument("--remeasure", action="store_true", help="measure what is loaded again, then time")
    arguments = parser.parse_args()
    city.build_city = one_service_city
    app = city.build_app()
    if arguments.remeasure:
        forget_measures(app)
        measure_everything(app)
    elif not arguments.reuse:
        city.load(arguments.cases)
        app = city.build_app()
        answer_surveys(app)
        measure_everything(app)
    time_pages(app, arguments.repeat)


if __name__ == "__main__":
    main()
