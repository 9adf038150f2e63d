"""Fixtures: a Tandem app on the real PostgreSQL and Redis, a worker, a browser-like client."""
import copy
import os
import re

import pytest
from sqlalchemy import create_engine, make_url
from rq import SimpleWorker
from sqlalchemy import text

from casework.agency_setup import Outcome, standard_outcome_rows
import core
from core.extensions import db
from core.queues import QUEUE_NAMES, get_queue, redis_connection
from tests.factories import PASSWORD, make_city

# the tests that start the Procfile's processes and break them (and measure how fast they recover) run after the
# rest (bin/test), two at a time: each has its own PostgreSQL cluster, Redis and processes, and mostly waits on
# them, but none runs beside the CPU-bound rest of the suite, which would slow its recovery
SERIAL_MODULES = ("test_recovery_", "test_casework_triage_faults")


def worker_urls(database_url, redis_url, number):
    """The database (created when missing) and Redis database of xdist worker ``number``; worker 0 keeps the given."""
    if number == 0:
        return database_url, redis_url
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        url = url.set(database=f"{url.database}_{number}")
        server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with server.connect() as connection:
            if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database}):
                connection.execute(text(f'CREATE DATABASE "{url.database}"'))
        server.dispose()
    address, _, base = redis_url.rpartition("/")
    redis_url = f"{address}/{(int(base or 0) - number) % 16}"
    return url.render_as_string(hide_password=False), redis_url


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.module.__name__.rsplit(".", 1)[-1].startswith(SERIAL_MODULES):
            item.add_marker(pytest.mark.serial)
    # the modules that drive browsers or start processes (seconds a test) first, each module's tests kept together:
    # the workers then end on short tests together, not one waiting while the other finishes a long one
    items.sort(key=lambda item: 0 if item.get_closest_marker("browser") or item.get_closest_marker("slow") else 1)


def pytest_xdist_make_scheduler(config, log):
    """Under ``--dist loadfile`` (bin/test's fault tests), hand a test process its next module only when it is on
    the last test of the one it has.

    xdist gives another module as soon as two tests are left, so the three scenarios sharing a deployment
    took the Redis outage tests behind them while the other process sat idle (2 min 18 s against 1 min 39 s).
    A process still gets its next module before its last test runs, as a test's teardown needs to know
    what follows it.
    """
    if config.getoption("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class ModuleAtATime(LoadFileScheduling):
        def _reschedule(self, node):
            if node.shutting_down:
                return
            if not self.workqueue:
                node.shutdown()
                return
            if self._pending_of(self.assigned_work[node]) <= 1:
                self._assign_work_unit(node)

    return ModuleAtATime(config, log)


DATABASE_URL = os.environ.get("TANDEM_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/tandem_test")
REDIS_URL = os.environ.get("TANDEM_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
# under pytest-xdist (bin/test runs two workers) each worker has its own database and Redis database
WORKER = os.environ.get("PYTEST_XDIST_WORKER")
if WORKER:
    DATABASE_URL, REDIS_URL = worker_urls(DATABASE_URL, REDIS_URL, int(WORKER.removeprefix("gw")))


def test_config(tmp_path, **overrides):
    """Settings for a test app: the test database and Redis, mail into ``tmp_path``."""
    settings = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "SMTP_URL": None,
        "MAILBOX_DIR": str(tmp_path / "mailbox"),
        "PARKED_PHOTOS_DIR": str(tmp_path / "parked-photos"),
        "PUBLIC_URL": "http://tandem.test",
        # tests submit many requests from one address; the rate-limit tests lower this again
        "SUBMISSION_RATE_LIMIT": "10000 per minute",
        "API_ANONYMOUS_PER_MINUTE": 10000,
        # due dates in wall-clock hours; the calendar tests set opening hours of their own
        "AGENCY_HOURS": "always",
    }
    settings.update(overrides)
    return settings


test_config.__test__ = False  # a helper, not a test, wherever it is imported


def empty_tables():
    """Remove every row, quickly, keeping the schema; ids start again from 1.

    A test leaves a few rows in a few tables: deleting them and setting the
    sequences back takes a tenth of what TRUNCATE (which rewrites every table)
    takes, and the suite does it before every test. On PostgreSQL it is one
    script, sent in one round trip (the sequences' names read once per run).
    """
    deletes = [f'DELETE FROM "{table.name}"' for table in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name != "postgresql":
        for statement in deletes:
            db.session.execute(text(statement))
        db.session.commit()
        return
    script = _emptying.get(str(db.engine.url))
    if script is None:
        sequences = db.session.scalars(text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")).all()
        resets = ["SELECT " + ", ".join(f"setval('\"{name}\"', 1, false)" for name in sequences)] if sequences else []
        script = _emptying[str(db.engine.url)] = "; ".join(deletes + resets)
    db.session.connection().exec_driver_sql(script)
    db.session.commit()


_emptying = {}  # the script of each database, by its address


# the schema is built once per run; each test then starts from empty tables
_schema_ready = set()


def reset_data(app):
    """Empty the tables (keeping the schema, built once per run) and the Redis database, as a new install."""
    with app.app_context():
        if DATABASE_URL not in _schema_ready:
            db.drop_all()
            db.create_all()
            _schema_ready.add(DATABASE_URL)
        empty_tables()
        # what the migrations write into a new database
        db.session.execute(Outcome.__table__.insert(), standard_outcome_rows())
        db.session.commit()
        redis_connection().flushdb()


def fresh_app(tmp_path, **overrides):
    """A new app on the test database with empty tables and an empty Redis database."""
    app = create_app(test_config(tmp_path, **overrides))
    reset_data(app)
    return app


# one app per test process: building one (165 routes, the API document) takes a quarter of a second, more than
# most tests; each test gets it back with the settings it was made with and empty tables, as a fresh one. Some
# extensions keep the settings of the last app set up with them (flask-limiter keeps one storage, at that app's
# Redis), so once a test has made an app of its own the next test gets a new shared app.
_shared = {}
APPS_MADE = {"count": 0}
_create_app = core.create_app


def create_app(settings=None):
    """``core.create_app``, counted: every test module's ``from core import create_app`` gets this one."""
    APPS_MADE["count"] += 1
    return _create_app(settings)


core.create_app = create_app


def shared_app(tmp_path):
    """The process's app, its settings restored (mail and parked photos in ``tmp_path``) and its data emptied."""
    if _shared.get("made") != APPS_MADE["count"]:
        _shared["app"] = create_app(test_config(tmp_path))
        _shared["settings"] = copy.deepcopy(dict(_shared["app"].config))
        _shared["made"] = APPS_MADE["count"]
    app = _shared["app"]
    app.config.clear()
    app.config.update(copy.deepcopy(_shared["settings"]))
    app.config.update(MAILBOX_DIR=str(tmp_path / "mailbox"), PARKED_PHOTOS_DIR=str(tmp_path / "parked-photos"))
    reset_data(app)
    return app


@pytest.fixture
def app(request, tmp_path):
    """The app on empty tables and an empty Redis database, with the settings a new one has.

    A test marked ``own_app`` (it adds a route, so changes how the app is put together) gets a new app of its own.
    """
    if request.node.get_closest_marker("own_app"):
        app = fresh_app(tmp_path)
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        return
    app = shared_app(tmp_path)
    yield app
    with app.app_context():
        db.session.remove()


@pytest.fixture
def city(app):
    """The test city (``tests.factories.make_city``): a department, queues, services and staff of each role.

    A module that needs more of a city defines its own ``city``, which takes the place of this one there.
    """
    with app.app_context():
        return make_city()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def run_worker(app):
    """Return a function that runs a real RQ worker until the queues are empty; returns jobs run."""
    def run(queue_names=QUEUE_NAMES):
        with app.app_context():
            worker = SimpleWorker([get_queue(name) for name in queue_names], connection=redis_connection())
            worker.work(burst=True)
            return worker.successful_job_count + worker.failed_job_count
    return run


CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token_from(page_text):
    match = CSRF_FIELD.search(page_text)
    assert match, "the page has no CSRF token field"
    return match.group(1)


def sign_out(client):
    """Sign the staff member out as the header's button does (a POST with the page's CSRF token)."""
    answer = client.post("/staff/logout", data={"csrf_token": csrf_token_from(client.get("/staff/password").text)})
    assert answer.status_code == 302, answer.status_code


def case_form(page_text, outcome=None, **fields):
    """A case page's form as a browser sends it: the CSRF token, the case's version and the last event shown.

    ``outcome`` names the resolution outcome to choose by its label ("Fixed").
    """
    sent = {"csrf_token": csrf_token_from(page_text),
            "version": re.search(r'name="version" value="(\d+)"', page_text).group(1),
            "seen": re.search(r'name="seen" value="(\d+)"', page_text).group(1)}
    if outcome:
        sent["outcome_id"] = re.search(rf'<option value="(\d+)"[^>]*>{outcome}</option>', page_text).group(1)
    return {**sent, **fields}


@pytest.fixture
def login_as(client):
    """Sign ``staff`` in through the real login form; returns the response."""
    def login(staff, password=PASSWORD):
        page = client.get("/staff/login")
        return client.post("/staff/login", data={
            "email": staff.email, "password": password, "csrf_token": csrf_token_from(page.text),
        })
    return login


@pytest.fixture
def mail_server(app):
    """A real SMTP server on loopback; the app sends its email there."""
    from bench.harness.mailserver import MailServer

    server = MailServer().start()
    app.config["SMTP_URL"] = server.url
    yield server
    server.stop()


@pytest.fixture
def redis_server():
    """A redis-server of the test's own, so stopping it disturbs nobody else."""
    from bench.harness.processes import RedisServer

    server = RedisServer().start()
    yield server
    server.stop()
