"""What the public sees at scale: the performance page over a million cases, cold and cached.

Usage (from the repository root, PostgreSQL running):

    .venv/bin/python bench/published.py [--cases 1000000] [--repeat 20]
    .venv/bin/python bench/published.py --reuse      # time against what is loaded, measured and counted

1. Load: the console bench's loader (bench/console.py: 12 services in 6
   departments, 30 queues, 200 staff, requests over two years, ~96% resolved)
   into ``DATABASE_URL`` (default ``tandem_public_bench``); the cases spread
   over three districts; 15% of resolved requests answer the survey.
2. Measure every case as the worker does (``rollup.measure_pending``), then
   count every day's arrivals (``arrivals.recount``), printing their rates.
3. Time, as an anonymous resident: ``/performance`` for each period on offer
   (30 and 90 days, the four quarters, 12 months), each with the trend of every
   service and of one service: cold (the process's cache emptied before each
   request) and warm (as the next reader within 30 seconds): p50/p95 in ms.
4. Stream the open data: every request as CSV, and as JSON, read chunk by
   chunk as a client downloading it would: rows a second, and how much the
   process's resident memory grew above where it started (sampled each chunk).

Prints figures; asserts nothing.
"""
import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/tandem_public_bench")

from bench import blueprint, console  # noqa: E402
from casework.public import arrivals, figures, periods  # noqa: E402
from core.extensions import db  # noqa: E402

say = console.say
DISTRICTS = ("North", "Centre", "South")


def spread_over_districts(app):
    """Three districts, each case in one of them (by its id), as triage would have placed them."""
    with app.app_context():
        for name in DISTRICTS:
            db.session.execute(db.text("INSERT INTO district (name, postcodes, polygon) VALUES (:name, '', '[]')"),
                               {"name": name})
        db.session.execute(db.text(
            'UPDATE "case" SET district_id = (SELECT min(id) FROM district) + id % 3'))
        db.session.commit()
        say(f"cases spread over {len(DISTRICTS)} districts")


def count_arrivals(app):
    with app.app_context():
        started = time.perf_counter()
        last = [started]

        def progress(done, days):
            if time.perf_counter() - last[0] > 5:
                last[0] = time.perf_counter()
                say(f"  {done:>4} of {days} days counted")

        written = arrivals.recount(progress)
        requests = db.session.scalar(db.text("SELECT count(*) FROM service_request"))
        seconds = time.perf_counter() - started
        say(f"arrivals of {requests:,} requests counted in {seconds:.1f} s ({requests / seconds:,.0f} requests/s, "
            f"{written:,} rows)")


def time_page(app, repeat):
    with app.app_context():
        today = console.NOW.date()
        codes = [choice.code for choice in periods.choices(today)]
        service = db.session.scalar(db.text("SELECT code FROM service ORDER BY id LIMIT 1"))
        resolved = db.session.scalar(db.text("SELECT count(*) FROM case_measure"))
    client = app.test_client()
    say(f"\n{resolved:,} resolved cases measured; /performance as a resident (server time in this process, ms)")
    say(f"{'period':<10} {'trend':<12} {'cache':<6} {'runs':>4} {'p50':>7} {'p95':>7} {'KB':>6}")
    everything = {"cold": [], "warm": []}
    for code in codes:
        for trend in ("", service):
            url = f"/performance?period={code}&trend={trend}"
            for cache in ("cold", "warm"):
                times = []
                for _ in range(repeat):
                    if cache == "cold":
                        figures.forget()
                    started = time.perf_counter()
                    answer = client.get(url)
                    times.append((time.perf_counter() - started) * 1000)
                    assert answer.status_code == 200, (url, answer.status_code)
                everything[cache] += times
                say(f"{code:<10} {trend or 'all':<12} {cache:<6} {repeat:>4} {console.percentile(times, 0.5):>7.1f} "
                    f"{console.percentile(times, 0.95):>7.1f} {len(answer.data) / 1024:>6.1f}")
    for cache, times in everything.items():
        say(f"every period, {cache}: {len(times)} requests, p50 {console.percentile(times, 0.5):.1f} ms, "
            f"p95 {console.percentile(times, 0.95):.1f} ms")


def resident_mb():
    """This process's resident memory now (Linux), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def stream_open_data(app):
    say("\nopen data, streamed as a client downloads it")
    client = app.test_client()
    for url in ("/open-data/requests.csv", "/open-data/requests.json"):
        before = resident_mb()
        peak, size, chunks = before, 0, 0
        started = time.perf_counter()
        answer = client.get(url, buffered=False)
        assert answer.status_code == 200, (url, answer.status_code)
        for chunk in answer.response:
            size += len(chunk)
            chunks += 1
            if chunks % 20 == 0:
                peak = max(peak, resident_mb())
        answer.close()
        seconds = time.perf_counter() - started
        with app.app_context():
            rows = db.session.scalar(db.text("SELECT count(*) FROM service_request WHERE NOT keep_private"))
        say(f"{url:<28} {rows:,} rows, {size / 1e6:,.0f} MB in {seconds:.1f} s: {rows / seconds:,.0f} rows/s; "
            f"resident memory {before:,.0f} MB before, {peak:,.0f} MB at most (+{peak - before:,.0f} MB)")


def build_app():
    app = console.build_app()
    # one reader asking many times: the address limit that stops a scraper would stop the bench
    app.config["PUBLIC_DATA_RATE_LIMIT"] = "1000000 per minute"
    return app


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--reuse", action="store_true", help="time what is loaded, measured and counted")
    arguments = parser.parse_args()
    app = build_app()
    if not arguments.reuse:
        console.load(arguments.cases)
        app = build_app()
        spread_over_districts(app)
        blueprint.answer_surveys(app)
        blueprint.measure_everything(app)
        count_arrivals(app)
    time_page(app, arguments.repeat)
    stream_open_data(app)


if __name__ == "__main__":
    main()
