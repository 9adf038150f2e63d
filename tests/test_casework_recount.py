"""`flask casework recount`: after rows are written around Tandem (a bulk load, raw SQL), every maintained number
(queue counters, each case's effort, the blueprint's measures and rollup, the arrivals) equals a fresh count."""
from datetime import timedelta

from casework import counts
from casework.insight.models import CaseMeasure, StageRollup
from casework.insight.rollup import measure_pending
from casework.models import Case
from casework.public.models import ArrivalDay
from core.extensions import db
from core.timeutil import utcnow
from tests.insight_cases import history, insight_city


def test_recount_brings_every_number_back_in_line_after_a_raw_sql_load(app, runner):
    with app.app_context():
        city = insight_city()
        now = utcnow()
        for index in range(3):
            history(city, now - timedelta(days=5 + index), inspect=(2, 10), resolved_after=24)
        measure_pending()
        # a bulk load written around the session: two requests and their cases (one resolved, with a step)
        for number, closed in ((1, True), (2, False)):
            db.session.execute(db.text(
                "INSERT INTO service_request (reference, tracking_token, service_id, description, answers, language, "
                "consent_to_contact, notify_by, channel, submitted_at, triage_state, triage_attempts, "
                "triage_wake_missed) VALUES (:reference, :token, :service, 'Pothole', '{}', 'en', true, 'email', "
                "'phone', :at, 'done', 0, false)"),
                {"reference": f"R-LOAD-000{number}", "token": f"token-{number}", "service": city.pothole.id,
                 "at": now - timedelta(days=3)})
            db.session.execute(db.text(
                'INSERT INTO "case" (request_id, queue_id, state, priority, priority_rank, version, service_id, '
                "opened_at, resolution_due_at, resolved_at, closed_at, estimated_minutes, spent_minutes, "
                "triage_explanation, tags, pinned, measured_at) SELECT id, :queue, :state, 'normal', 2, 1, "
                "service_id, submitted_at, submitted_at + interval '3 days', :closed, :closed, 0, 0, '[]', '[]', "
                "false, now() FROM service_request WHERE reference = :reference"),
                {"queue": city.roads_queue.id, "state": "resolved" if closed else "triaged",
                 "closed": now - timedelta(days=1) if closed else None, "reference": f"R-LOAD-000{number}"})
        loaded = db.session.scalar(db.text("SELECT c.id FROM \"case\" c JOIN service_request r ON r.id = c.request_id "
                                           "WHERE r.reference = 'R-LOAD-0001'"))
        db.session.execute(db.text(
            "INSERT INTO step (case_id, staff_id, started_at, ended_at, effort_minutes) "
            "VALUES (:case, :staff, :at, :at, 25)"), {"case": loaded, "staff": city.caseworker.id,
                                                      "at": now - timedelta(days=2)})
        db.session.commit()
        # the maintained numbers do not know of the load
        assert counts.kept_counts() != {key: n for key, n in counts.fresh_counts().items() if n}
        assert db.session.get(Case, loaded).spent_minutes == 0
        assert db.session.scalar(db.select(db.func.count()).select_from(CaseMeasure)) == 3

    result = runner.invoke(args=["casework", "recount"])
    assert result.exit_code == 0, result.output
    assert "4 cases measured" in result.output and "counting arrivals" in result.output

    with app.app_context():
        assert counts.kept_counts() == {key: n for key, n in counts.fresh_counts().items() if n}
        assert db.session.get(Case, loaded).spent_minutes == 25
        assert db.session.scalar(db.select(db.func.count()).select_from(CaseMeasure)) == 4
        whole = db.session.scalar(db.select(StageRollup.cases).where(StageRollup.grain == "all",
                                                                      StageRollup.key == "case")
                                  .order_by(StageRollup.resolved_on.desc()).limit(1))
        assert whole == 1  # the loaded case, resolved yesterday, counts in the rollup of its day
        received = dict(db.session.execute(db.select(ArrivalDay.channel, db.func.sum(ArrivalDay.received))
                                           .group_by(ArrivalDay.channel)).all())
        assert received == {"web": 3, "phone": 2}
