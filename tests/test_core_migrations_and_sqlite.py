"""Migrations build the schema the models describe, on PostgreSQL and on the SQLite default."""
import re

import pytest
from rq import SimpleWorker
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from casework.models import Case, CaseState
from core import create_app
from core.extensions import db
from core.queues import QUEUE_NAMES, get_queue, redis_connection
from tests.conftest import DATABASE_URL, case_form, csrf_token_from, test_config
from tests.factories import PASSWORD, make_city


@pytest.fixture
def fresh_postgres_url():
    """An empty PostgreSQL database of its own, dropped afterwards."""
    url = make_url(DATABASE_URL)
    name = f"{url.database}_migrations"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def upgrade_and_check(app):
    runner = app.test_cli_runner()
    upgraded = runner.invoke(args=["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    # "check" fails when the models hold a change no migration describes
    checked = runner.invoke(args=["db", "check"])
    assert checked.exit_code == 0, checked.output


def test_migrations_build_the_model_schema_on_postgresql(tmp_path, fresh_postgres_url):
    app = create_app(test_config(tmp_path, SQLALCHEMY_DATABASE_URI=fresh_postgres_url))
    upgrade_and_check(app)
    with app.app_context():
        db.engine.dispose()


def test_the_zero_config_sqlite_database_carries_a_request_to_resolution(tmp_path):
    app = create_app(test_config(tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'tandem.sqlite'}"))
    upgrade_and_check(app)
    with app.app_context():
        redis_connection().flushdb()
        city = make_city()
    client = app.test_client()

    form = client.get("/request?service=pothole")
    submitted = client.post("/request", data={
        "csrf_token": csrf_token_from(form.text),
        "submission_key": re.search(r'name="submission_key" value="([^"]+)"', form.text).group(1),
        "service_code": "pothole", "description": "Pothole outside the library",
        "address": "Library Road", "contact_email": "ana@example.org",
    })
    assert submitted.status_code == 303
    with app.app_context():
        SimpleWorker([get_queue(name) for name in QUEUE_NAMES], connection=redis_connection()).work(burst=True)
        case = db.session.scalar(db.select(Case))
        assert case.queue.name == "Road repairs"
        # SQLite keeps no zone; the column type must give it back as UTC
        assert case.opened_at.utcoffset().total_seconds() == 0
        case_id = case.id

    login = client.get("/staff/login")
    client.post("/staff/login", data={"email": city.caseworker.email, "password": PASSWORD,
                                      "csrf_token": csrf_token_from(login.text)})
    page = client.get(f"/console/cases/{case_id}")
    resolved = client.post(f"/console/cases/{case_id}/resolve", data=case_form(
        page.text, outcome="Fixed", public_note="Filled in.", effort_minutes="20", confirm_unfinished="true"))
    assert resolved.status_code == 303
    with app.app_context():
        assert db.session.get(Case, case_id).state == CaseState.RESOLVED
    assert len(list((tmp_path / "mailbox").glob("*.eml"))) == 2  # received and routed; resolution not yet delivered


INITIAL_REVISION = "4783a27f9bc5"


def test_upgrading_a_database_that_holds_data_keeps_it(tmp_path, fresh_postgres_url):
    """A city upgrading in place: rows written under the first schema survive every later migration."""
    app = create_app(test_config(tmp_path, SQLALCHEMY_DATABASE_URI=fresh_postgres_url))
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", INITIAL_REVISION]).exit_code == 0
    with app.app_context():
        db.session.execute(text("""
            INSERT INTO department (id, code, name) VALUES (1, 'roads', 'Roads');
            INSERT INTO service (id, code, name, "group", description, keywords, department_id, active,
                                 first_response_hours, resolution_hours, cost_per_minute)
                VALUES (1, 'pothole', 'Pothole', 'Streets', '', '', 1, true, 24, 72, 0.75);
            INSERT INTO queue (id, name, department_id, is_department_default) VALUES (1, 'Road repairs', 1, true);
            INSERT INTO routing_rule (id, name, position, active, service_id, keywords, queue_id, priority)
                VALUES (1, 'All potholes', 1, true, 1, '', 1, 'normal');
            INSERT INTO service_request (id, reference, tracking_token, service_id, description, answers, language,
                                         consent_to_contact, channel, submitted_at, triage_state, triage_attempts)
                VALUES (1, 'R-AAAA-BBBB', 'token-token-token', 1, 'Old pothole', '{}', 'en', true, 'web', now(),
                        'done', 1);
            INSERT INTO "case" (id, request_id, queue_id, state, priority, opened_at, estimated_minutes,
                                triage_explanation)
                VALUES (1, 1, 1, 'triaged', 'normal', now(), 30, '["Rule matched"]');
            INSERT INTO notification (id, dedupe_key, channel, recipient, template, language, payload, status,
                                      attempts, created_at)
                VALUES (1, 'k', 'email', 'a@example.org', 'request_received', 'en', '{}', 'sent', 1, now());
        """))
        db.session.commit()
    upgrade_and_check(app)
    with app.app_context():
        case = db.session.get(Case, 1)
        assert case.request.reference == "R-AAAA-BBBB" and case.tags == [] and case.triage_explanation == ["Rule matched"]
        assert db.session.execute(text("SELECT tags FROM routing_rule WHERE id = 1")).scalar() == ""
        db.engine.dispose()


def test_numbers_typed_before_the_desk_are_found_after_the_upgrade(tmp_path, fresh_postgres_url):
    """Numbers stored as typed ("(202) 555-0143") are stored again as E.164, so the desk's lookup finds
    them; one that cannot be read stays as it was."""
    app = create_app(test_config(tmp_path, SQLALCHEMY_DATABASE_URI=fresh_postgres_url))
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", "d5f7a9b1c3e4"]).exit_code == 0
    with app.app_context():
        db.session.execute(text("""
            INSERT INTO department (id, code, name) VALUES (1, 'roads', 'Roads');
            INSERT INTO service (id, code, name, "group", description, keywords, department_id, active,
                                 first_response_hours, resolution_hours, cost_per_minute)
                VALUES (1, 'pothole', 'Pothole', 'Streets', '', '', 1, true, 24, 72, 0.75);
        """))
        for number, phone in enumerate(["(202) 555-0143", "call me at work", "+442079460958"], start=1):
            db.session.execute(text("""
                INSERT INTO service_request (id, reference, tracking_token, service_id, description, answers,
                                             language, consent_to_contact, channel, submitted_at, triage_state,
                                             triage_attempts, contact_phone, notify_by)
                    VALUES (:id, :reference, :token, 1, 'Old pothole', '{}', 'en', true, 'web', now(), 'done', 1,
                            :phone, 'email')"""), {"id": number, "reference": f"R-AAAA-BBB{number}",
                                                   "token": f"token-{number}", "phone": phone})
        db.session.commit()
    upgrade_and_check(app)
    with app.app_context():
        stored = db.session.execute(text("SELECT contact_phone FROM service_request ORDER BY id")).scalars().all()
        assert stored == ["+12025550143", "call me at work", "+442079460958"]
        db.engine.dispose()
