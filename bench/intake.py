"""Public submissions per second and their latency, through gunicorn, on PostgreSQL and Redis.

Usage (from the repository root, PostgreSQL and Redis running):

    .venv/bin/python bench/intake.py [--clients 1 8] [--seconds 15] [--web-workers 4]

Starts ``gunicorn wsgi:app`` on a free loopback port against its own database
(``tandem_bench_intake``, recreated) and Redis database 13, with the rate
limit raised out of the way. Each client is a thread with its own cookie
session that, in a loop, loads the form (GET /request, for the CSRF token
and submission key) and submits it (POST /request), as a browser would. For
each client count it prints completed submissions per second and the p50 /
p95 latency of the POST alone. No worker runs: this measures intake, and
triage is measured by bench/triage.py. Prints figures; asserts nothing.
"""
import argparse
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


from bench import common, cpu  # noqa: E402

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/tandem_bench_intake")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
KEY = re.compile(r'name="submission_key" value="([^"]+)"')


def prepare_database():
    common.recreate_database(DATABASE_URL)
    from core import create_app
    from core.extensions import db
    from core.queues import redis_connection
    app = create_app({"SQLALCHEMY_DATABASE_URI": DATABASE_URL, "REDIS_URL": REDIS_URL, "SECRET_KEY": "bench"})
    with app.app_context():
        db.create_all()
        common.pothole_city()
        redis_connection().flushdb()
        db.engine.dispose()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(port, workers):
    environment = {**os.environ, "DATABASE_URL": DATABASE_URL, "REDIS_URL": REDIS_URL, "SECRET_KEY": "bench",
                   "SUBMISSION_RATE_LIMIT": "1000000 per minute", "LOG_LEVEL": "WARNING",
                   "MAILBOX_DIR": "/tmp/tandem-bench-intake-mailbox"}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=environment,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.1)
    raise SystemExit("gunicorn did not start")


class Client(threading.Thread):
    """One citizen's browser: GET the form, POST it, again and again until told to stop."""

    def __init__(self, port, number, stop):
        super().__init__(daemon=True)
        self.port, self.number, self.stop = port, number, stop
        self.latencies, self.errors, self.cookie = [], 0, ""

    def request(self, connection, method, path, body=None):
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            if header.startswith("session="):
                self.cookie = header.split(";", 1)[0]
        return response.status, data

    def run(self):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        sent = 0
        while not self.stop.is_set():
            status, page = self.request(connection, "GET", "/request?service=pothole")
            form = {"csrf_token": TOKEN.search(page).group(1), "submission_key": KEY.search(page).group(1),
                    "service_code": "pothole", "description": f"Pothole {self.number}-{sent} in the bus lane",
                    "address": f"{sent} Bench Road", "contact_email": f"bench{self.number}@example.org"}
            started = time.perf_counter()
            status, _ = self.request(connection, "POST", "/request", urllib.parse.urlencode(form))
            elapsed = time.perf_counter() - started
            if status == 303:
                self.latencies.append(elapsed)
            else:
                self.errors += 1
            sent += 1


def measure(port, clients, seconds, report=True):
    stop = threading.Event()
    threads = [Client(port, number, stop) for number in range(clients)]
    before = cpu.sample()
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join(30)
    after = cpu.sample()
    if not report:
        return
    latencies = sorted(value for thread in threads for value in thread.latencies)
    errors = sum(thread.errors for thread in threads)
    p95 = latencies[max(int(len(latencies) * 0.95) - 1, 0)]
    print(f"{clients} client(s): {len(latencies) / seconds:.0f} submissions/s, POST p50 "
          f"{statistics.median(latencies) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, {errors} errors", flush=True)
    # the web workers show as "Python" (no process titles); the clients are this process
    print("  " + cpu.per_item(before, after, len(latencies), {"Python": "web", "bench": "clients"}), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--web-workers", type=int, default=4)
    arguments = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores; gunicorn with {arguments.web_workers} workers; "
          f"PostgreSQL {DATABASE_URL.rsplit('@', 1)[-1]}; Redis {REDIS_URL}", flush=True)
    prepare_database()
    port = free_port()
    server = start_gunicorn(port, arguments.web_workers)
    try:
        # each web worker compiles templates and loads translations on its first requests: not what we measure
        measure(port, max(arguments.clients), 3, report=False)
        for clients in arguments.clients:
            measure(port, clients, arguments.seconds)
    finally:
        server.terminate()
        server.wait(30)


if __name__ == "__main__":
    main()
