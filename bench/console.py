"""The caseworker console at scale: bulk-load a city of N cases, then time its pages.

Usage (from the repository root, PostgreSQL running):

    .venv/bin/python bench/console.py [--cases 1000000] [--repeat 40]
    .venv/bin/python bench/console.py --load-only --cases 1000000   # fill DATABASE_URL and exit
    .venv/bin/python bench/console.py --reuse                       # time against what is loaded

1. Load: the benchmarks' city of N cases (``bench/city.py``) in the database
   named by ``DATABASE_URL`` (default ``tandem_console_bench``).
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
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402

from bench.city import PASSWORD, build_app, load, say  # noqa: E402
from bench.common import percentile, timed  # noqa: E402
from core.extensions import db  # noqa: E402
from core.accounts.models import Staff  # noqa: E402




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
