"""Personal data stays out of logs and URLs, and is removed once the retention period has passed."""
import logging
import re
from datetime import timedelta

import pytest

from casework.console import case_actions, citizen_input
from casework.models import Case
from casework.retention import anonymise_resolved_requests
from core.extensions import db
from core.logs import JsonFormatter, RequestIdFilter
from core.models import AuditEvent
from core.accounts.models import Staff
from core.personal_data import CITIZEN_COLUMNS, REMOVED
from core.timeutil import utcnow
from intake.models import ServiceRequest
from intake.survey import Feedback
from tests.conftest import case_form, csrf_token_from

CANARY = "Zqxcanary"


@pytest.fixture
def every_log_line(caplog):
    """Every record at DEBUG and above, formatted as production formats it."""
    caplog.set_level(logging.DEBUG)
    formatter, with_id = JsonFormatter(), RequestIdFilter()

    def lines():
        # the test's own SMTP server (aiosmtpd, logger "mail.log") logs what it receives; it is not Tandem
        for record in caplog.records:
            if record.name.startswith("mail.log"):
                continue
            with_id.filter(record)
            yield formatter.format(record)
    return lines


def test_a_canary_in_every_personal_field_never_reaches_a_log_line_or_a_url(
        app, client, city, run_worker, mail_server, login_as, every_log_line):
    form = client.get("/request?service=pothole")
    submitted = client.post("/request", data={
        "csrf_token": csrf_token_from(form.text),
        "submission_key": re.search(r'name="submission_key" value="([^"]+)"', form.text).group(1),
        "service_code": "pothole", "description": f"Pothole outside {CANARY} house",
        "address": f"12 {CANARY} Street", "contact_name": f"Ana {CANARY}",
        "contact_email": f"{CANARY.lower()}@example.org", "contact_phone": "+1 555 0199",
    }, follow_redirects=True)
    urls = [submitted.request.url]
    run_worker()
    login_as(city.caseworker)
    with app.app_context():
        case = db.session.scalar(db.select(Case))
        case_id, token = case.id, case.request.tracking_token
    case_page = client.get(f"/console/cases/{case_id}")
    urls += re.findall(r'(?:href|action)="([^"]+)"', case_page.text)
    client.post(f"/console/cases/{case_id}/contact", data={"csrf_token": csrf_token_from(case_page.text)})
    client.post(f"/console/cases/{case_id}/resolve", data=case_form(
        case_page.text, outcome="Fixed", public_note="Filled.", effort_minutes="10", confirm_unfinished="true"))
    run_worker()
    tracking = client.get(f"/track/{token}")
    urls += re.findall(r'(?:href|action)="([^"]+)"', tracking.text)

    lines = list(every_log_line())
    assert len(lines) > 10  # requests, jobs and deliveries were logged
    leaks = [line for line in lines if CANARY.lower() in line.lower() or "555 0199" in line]
    assert leaks == []
    assert not any(CANARY.lower() in url.lower() for url in urls)
    assert any('"route": "/track/<token>"' in line for line in lines)  # the pattern, not the token
    assert not any(token in line for line in lines)


def test_a_job_logs_under_the_request_id_of_the_submission_that_caused_it(app, client, city, run_worker, caplog):
    caplog.set_level(logging.INFO)
    form = client.get("/request?service=pothole")
    client.post("/request", headers={"X-Request-ID": "lb-0123456789abcdef"}, data={
        "csrf_token": csrf_token_from(form.text),
        "submission_key": re.search(r'name="submission_key" value="([^"]+)"', form.text).group(1),
        "service_code": "pothole", "description": "Pothole", "address": "1 Road", "contact_email": "a@example.org",
    })
    from core.queues import get_queue
    with app.app_context():
        jobs = get_queue("triage").get_jobs() + get_queue("notifications").get_jobs()
    assert jobs and all(job.meta.get("request_id") == "lb-0123456789abcdef" for job in jobs)


def test_retention_removes_personal_data_of_long_resolved_requests_and_keeps_the_measures(app, city, run_worker):
    app.config["RETENTION_DAYS"] = 365
    with app.app_context():
        worker = db.session.get(Staff, city.caseworker.id)
        cases = []
        for name in ("Old Ana", "Recent Ben"):
            request = ServiceRequest(service_id=city.pothole.id, description=f"Pothole near {name}",
                                     address="12 High Street", lat=51.5, long=-0.1, contact_name=name,
                                     contact_email="x@example.org", contact_phone="+1 555 0100",
                                     answers={"where": "road"})
            db.session.add(request)
            db.session.commit()
            from casework.triage.engine import triage
            case = triage(request.id)
            case_actions.request_information(case, by=worker, question="Which side?", effort_minutes=2)
            citizen_input.record_citizen_answer(request.id, f"North side, ask {name}")
            case_actions.resolve_case(case, by=worker, public_note="Filled.", effort_minutes=25)
            db.session.add(Feedback(request_id=request.id, resolution=1, fixed=True, satisfaction=4,
                                    comment=f"Thanks from {name}"))
            db.session.commit()
            cases.append(case.id)
        old = db.session.get(Case, cases[0])
        old.resolved_at = utcnow() - timedelta(days=400)
        db.session.commit()

        assert anonymise_resolved_requests() == 1
        assert anonymise_resolved_requests() == 0  # done once

        old, recent = db.session.get(Case, cases[0]), db.session.get(Case, cases[1])
        gone = old.request
        for column in CITIZEN_COLUMNS["service_request"]:
            assert getattr(gone, column) in (None, {}, REMOVED), column
        assert gone.anonymised_at is not None
        assert "Old Ana" not in " ".join(e.message for e in old.events)
        assert db.session.scalar(db.select(Feedback.comment).filter_by(request_id=gone.id)) is None
        # the measures stay: effort, dates, scores
        assert sum(step.effort_minutes for step in old.steps) == 27 and old.resolved_at is not None
        assert db.session.scalar(db.select(Feedback.satisfaction).filter_by(request_id=gone.id)) == 4
        # the recent one is untouched
        assert recent.request.contact_name == "Recent Ben"
        assert any("Recent Ben" in e.message for e in recent.events if e.kind == "citizen_answered")
        assert db.session.scalar(db.select(AuditEvent).filter_by(action="retention_anonymised")).details["count"] == 1


def test_retention_empties_the_emails_of_old_requests_and_old_mail_that_reached_none(app, city):
    from intake.mail.models import InboundMail, MailOutcome
    from casework.retention import forget_old_mail

    app.config["RETENTION_DAYS"] = 365
    with app.app_context():
        worker = db.session.get(Staff, city.caseworker.id)
        request = ServiceRequest(service_id=city.pothole.id, description="Pothole", contact_email="ana@example.org")
        db.session.add(request)
        db.session.commit()
        from casework.triage.engine import triage
        case = triage(request.id)
        long_ago = utcnow() - timedelta(days=400)
        db.session.add_all([
            InboundMail(message_key="<on-case@x>", sender="ana@example.org", subject="Re: Ana's hole", raw=b"Ana",
                        text="Ana writes", outcome=MailOutcome.REPLY, request_id=request.id),
            InboundMail(message_key="<away@x>", sender="ben@example.org", subject="Away", raw=b"Ben",
                        outcome=MailOutcome.IGNORED, received_at=long_ago),
            InboundMail(message_key="<recent@x>", sender="cy@example.org", subject="Hello", raw=b"Cy",
                        outcome=MailOutcome.POINTED_TO_FORM),
        ])
        case_actions.resolve_case(case, by=worker, public_note="Filled.", effort_minutes=5)
        db.session.get(Case, case.id).resolved_at = long_ago
        db.session.commit()
        assert anonymise_resolved_requests() == 1 and forget_old_mail() == 1 and forget_old_mail() == 0
        mails = {mail.message_key: mail for mail in db.session.scalars(db.select(InboundMail))}
        for key in ("<on-case@x>", "<away@x>"):
            for column in CITIZEN_COLUMNS["inbound_mail"]:
                assert getattr(mails[key], column) in (None, b""), (key, column)
        # the recent one stays, and every record stays so no message is taken twice
        assert mails["<recent@x>"].sender == "cy@example.org" and len(mails) == 3
