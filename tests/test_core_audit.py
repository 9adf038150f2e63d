"""The audit trail records sign-ins, refusals and views of personal data, and cannot be rewritten."""
import pytest

from casework.models import CaseEvent
from core.audit import AppendOnlyViolation
from core.extensions import db
from core.models import AuditEvent
from tests.conftest import csrf_token_from
from tests.factories import make_city


def actions():
    return [(row.action, row.actor_id) for row in db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id))]


def test_sign_ins_failures_and_refusals_are_recorded_without_the_typed_address(app, client, login_as):
    with app.app_context():
        city = make_city()
    page = client.get("/staff/login")
    client.post("/staff/login", data={"email": city.caseworker.email, "password": "wrong password",
                                      "csrf_token": csrf_token_from(page.text)})
    login_as(city.caseworker)
    assert client.get("/admin/").status_code == 403
    with app.app_context():
        recorded = actions()
        assert recorded == [
            ("sign_in_failed", None), ("signed_in", city.caseworker.id), ("access_refused", city.caseworker.id),
        ]
        failed = db.session.scalar(db.select(AuditEvent).filter_by(action="sign_in_failed"))
        assert failed.target_id == str(city.caseworker.id)
        assert city.caseworker.email not in str(failed.details)
        refused = db.session.scalar(db.select(AuditEvent).filter_by(action="access_refused"))
        assert refused.details == {"what": "GET /admin/", "needs": "admin"}


def test_audit_rows_and_case_events_cannot_be_changed_or_deleted_by_the_application(app):
    with app.app_context():
        make_city()
        db.session.add(AuditEvent(action="signed_in"))
        db.session.commit()
        row = db.session.scalar(db.select(AuditEvent))
        row.action = "nothing happened"
        with pytest.raises(AppendOnlyViolation):
            db.session.commit()
        db.session.rollback()
        db.session.delete(db.session.scalar(db.select(AuditEvent)))
        with pytest.raises(AppendOnlyViolation):
            db.session.commit()
        db.session.rollback()
        assert db.session.scalar(db.select(AuditEvent)).action == "signed_in"


def test_case_events_are_append_only(app, client, run_worker):
    from tests.submissions import submit_pothole

    with app.app_context():
        make_city()
    submit_pothole(client)
    run_worker()
    with app.app_context():
        event = db.session.scalar(db.select(CaseEvent))
        event.message = "rewritten"
        with pytest.raises(AppendOnlyViolation):
            db.session.commit()
