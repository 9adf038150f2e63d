"""Citizens and staff hear about each change, in their language, once, over a real SMTP server."""
import hashlib
import hmac
import json
import re
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from casework.console import assignment, case_actions, citizen_input
from casework.models import Case
from core import create_app
from core.extensions import db
from core.accounts.models import Staff
from core.timeutil import utcnow
from intake.models import ServiceRequest
from notifications import services as outbox
from notifications.models import DeliveryStatus, MessageTemplate, Notification
from tests.conftest import csrf_token_from, test_config
from bench.harness.mailserver import body_of


def submit(client, language=None, email="ana@example.org", description="Pothole by the bus stop"):
    form = client.get("/request?service=pothole")
    response = client.post("/request", data={
        "csrf_token": csrf_token_from(form.text),
        "submission_key": re.search(r'name="submission_key" value="([^"]+)"', form.text).group(1),
        "service_code": "pothole", "description": description, "address": "Bus stop 4", "contact_email": email,
    })
    assert response.status_code == 303
    return response.location.replace("/submitted", "")


def only_case():
    return db.session.scalar(db.select(Case))


def set_language(app, language):
    with app.app_context():
        for service_request in db.session.scalars(db.select(ServiceRequest)):
            service_request.language = language
        db.session.commit()


def test_the_acknowledgement_is_in_the_outbox_with_the_request_and_goes_before_triage(
        app, client, city, run_worker, mail_server):
    tracking_path = submit(client)
    with app.app_context():
        [queued] = db.session.scalars(db.select(Notification)).all()
        reference = db.session.scalar(db.select(ServiceRequest.reference))
    assert queued.template == "request_received"
    run_worker(["notifications"])  # delivery alone, triage not yet run
    [message] = mail_server.messages
    assert message["Subject"] == f"We have your request {reference}: Pothole"
    assert f"http://tandem.test{tracking_path}" in body_of(message)
    assert re.search(r"http://tandem\.test/messages/stop/\S+", body_of(message))


def test_an_acknowledgement_queued_while_redis_was_down_is_sent_once_by_the_sweep(
        tmp_path, app, client, city, run_worker, mail_server):
    offline = create_app(test_config(tmp_path, REDIS_URL="redis://127.0.0.1:1/0"))
    submit(offline.test_client())
    run_worker()
    assert mail_server.messages == []  # nothing was enqueued: Redis was down
    with app.app_context():
        for notification in db.session.scalars(db.select(Notification)):
            notification.created_at -= timedelta(hours=1)
        db.session.commit()
        outbox.sweep_unsent()
    run_worker(["notifications"])
    run_worker(["notifications"])
    [message] = mail_server.messages
    assert message["Subject"].startswith("We have your request")


def test_routing_message_tells_the_team_date_and_link_and_how_to_stop(app, client, city, run_worker, mail_server):
    tracking_path = submit(client)
    run_worker()
    _received, message = mail_server.messages
    assert message["To"] == "ana@example.org"
    assert "is with the Roads and Streets team" in message["Subject"]
    text = body_of(message)
    assert f"http://tandem.test{tracking_path}" in text
    assert "We expect to resolve it by" in text
    html = message.get_body(preferencelist=("html",)).get_content()
    # the link carries the citizen's language, so it opens in it whatever the browser prefers
    assert f'<a href="http://tandem.test{tracking_path}?lang=en">' in html
    assert re.search(r"http://tandem\.test/messages/stop/\S+", text)


@pytest.mark.parametrize("language, subject_words", [
    ("es", "está con el equipo de Roads and Streets"),
    ("pt", "está com a equipa de Roads and Streets"),
])
def test_citizens_are_written_to_in_their_language(app, client, city, run_worker, mail_server, language, subject_words):
    submit(client)
    set_language(app, language)
    run_worker()
    message = mail_server.messages[-1]  # routed after the language was set
    assert subject_words in message["Subject"]
    assert f'<html lang="{language}">' in message.get_body(preferencelist=("html",)).get_content()


def test_a_language_without_wording_falls_back_to_english(app, client, city, run_worker, mail_server):
    submit(client)
    set_language(app, "fr")
    run_worker()
    assert "is with the Roads and Streets team" in mail_server.messages[-1]["Subject"]


def test_every_case_change_reaches_the_citizen_once(app, client, city, run_worker, mail_server):
    submit(client)
    run_worker()
    with app.app_context():
        case, worker = only_case(), db.session.get(Staff, city.caseworker.id)
        case_actions.request_information(case, by=worker, question="Which side of the road is it on?", effort_minutes=2)
        citizen_input.record_citizen_answer(case.request_id, "The north side, by the bakery.")
        case_actions.reply_to_citizen(case, by=worker, message="A crew is booked for Tuesday.", effort_minutes=3)
        case_actions.resolve_case(case, by=worker, public_note="Filled on Tuesday.", effort_minutes=30)
        case_actions.reopen_case(case, by=worker, reason="The patch sank again; we will redo it.")
    run_worker()
    run_worker()  # a second pass finds nothing more to send
    subjects = [message["Subject"] for message in mail_server.messages_to("ana@example.org")]
    assert len(subjects) == 6
    assert subjects[0].startswith("We have your request")
    assert any("need more information" in subject for subject in subjects)
    assert any(subject.startswith("Update on your request") for subject in subjects)
    assert any("has been resolved" in subject for subject in subjects)
    assert any("has been reopened" in subject for subject in subjects)
    answered = mail_server.messages_to(city.caseworker.email)
    assert len(answered) == 1 and "The north side, by the bakery." in body_of(answered[0])
    assert "/console/cases/" in body_of(answered[0])


def test_a_supervisor_assigning_a_case_tells_the_caseworker_but_taking_it_yourself_does_not(
        app, client, city, run_worker, mail_server):
    submit(client)
    run_worker()
    mail_server.messages.clear()
    with app.app_context():
        caseworker = db.session.get(Staff, city.caseworker.id)
        assignment.assign_case(only_case(), caseworker, by=caseworker)
    run_worker()
    assert mail_server.messages == []
    with app.app_context():
        supervisor = db.session.get(Staff, city.supervisor.id)
        assignment.assign_case(only_case(), supervisor, by=supervisor)
        assignment.assign_case(only_case(), db.session.get(Staff, city.caseworker.id), by=supervisor)
    run_worker()
    [message] = mail_server.messages
    assert message["To"] == city.caseworker.email and "assigned to you" in message["Subject"]


def test_the_stop_link_needs_a_confirming_press_and_then_stops_messages(app, client, city, run_worker, mail_server):
    submit(client)
    run_worker()
    stop_link = re.search(r"http://tandem\.test(/messages/stop/\S+)", body_of(mail_server.messages[0])).group(1)
    confirm = client.get(stop_link)
    assert confirm.status_code == 200 and "Stop messages" in confirm.text
    with app.app_context():
        case = only_case()
        case_actions.reply_to_citizen(case, by=case.queue.members[0], message="Booked.", effort_minutes=1)
    client.post(stop_link, data={"csrf_token": csrf_token_from(confirm.text)})
    run_worker()
    assert len(mail_server.messages) == 2  # received and routed, before the stop
    with app.app_context():
        statuses = db.session.scalars(db.select(Notification.status).order_by(Notification.id)).all()
    assert statuses == [DeliveryStatus.SENT, DeliveryStatus.SENT, DeliveryStatus.STOPPED]
    assert client.get("/messages/stop/forged-token").status_code == 404


def test_an_admins_wording_replaces_the_built_in_one_and_cannot_reach_python(app, client, city, run_worker, mail_server):
    with app.app_context():
        db.session.add(MessageTemplate(event="request_routed", language="en",
                                       subject="Ref {{ reference }} received",
                                       body="Hello! {{ team }} has it. {{ ''.__class__.__mro__ }}"))
        db.session.commit()
    submit(client)
    run_worker()
    with app.app_context():
        notification = db.session.scalar(db.select(Notification).filter_by(template="request_routed"))
        # the sandbox refuses the attribute walk: the message fails visibly instead of leaking internals
        assert notification.status == DeliveryStatus.FAILED
        assert "cannot be used" in notification.last_error or "unsafe" in notification.last_error
    assert [message["Subject"].split(" R-")[0] for message in mail_server.messages] == ["We have your request"]


def test_a_server_that_keeps_refusing_temporarily_leads_to_retries_then_a_visible_failure(app, client, city, run_worker):
    app.config["SMTP_URL"] = "smtp://127.0.0.1:1"  # nothing listens: connection refused, a temporary failure
    submit(client)
    run_worker(["triage"])
    with app.app_context():
        notification_id = db.session.scalar(db.select(Notification.id))
        for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
            try:
                outbox.deliver(notification_id)
            except OSError:
                pass
            notification = db.session.get(Notification, notification_id)
            db.session.refresh(notification)
            assert notification.attempts == attempt
        assert notification.status == DeliveryStatus.FAILED
        assert "ConnectionRefused" in notification.last_error
        case_id = only_case().id
    client_page_staff = city.caseworker
    from tests.conftest import PASSWORD
    login = client.get("/staff/login")
    client.post("/staff/login", data={"email": client_page_staff.email, "password": PASSWORD,
                                      "csrf_token": csrf_token_from(login.text)})
    page = client.get(f"/console/cases/{case_id}")
    assert "Messages that could not be delivered" in page.text and "ConnectionRefused" in page.text
    timeline = page.text.split("<h2>Timeline</h2>")[1]
    assert "Message failed" in timeline and "could not be delivered: ConnectionRefused" in timeline


class WebhookReceiver(BaseHTTPRequestHandler):
    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        WebhookReceiver.received.append((dict(self.headers), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_sms_goes_through_the_signed_webhook_channel(app, city):
    server = HTTPServer(("127.0.0.1", 0), WebhookReceiver)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    WebhookReceiver.received.clear()
    app.config.update(SMS_WEBHOOK_URL=f"http://127.0.0.1:{server.server_port}/sms", SMS_WEBHOOK_SECRET="s3cret")
    try:
        with app.app_context():
            notification = outbox.queue_message(
                dedupe_key="test-sms", recipient="+15550100", template="update_posted", language="en",
                payload={"reference": "R-TEST-0001", "message": "Crew on the way", "tracking_url": "http://t"},
                channel="sms",
            )
            db.session.commit()
            outbox.deliver(notification.id)
            assert db.session.get(Notification, notification.id).status == DeliveryStatus.SENT
    finally:
        server.shutdown()
    [(headers, body)] = WebhookReceiver.received
    expected = hmac.new(b"s3cret", headers["X-Tandem-Timestamp"].encode() + b"." + body, hashlib.sha256).hexdigest()
    assert headers["X-Tandem-Signature"] == f"sha256={expected}"
    sent = json.loads(body)
    assert sent["to"] == "+15550100" and "Crew on the way" in sent["text"]


def test_a_claimed_message_that_left_is_recorded_not_sent_again_and_a_stale_claim_is_shown_as_failed(
        app, mail_server):
    """The claim is committed before the message leaves, and its leaving noted in Redis before the database."""
    from core.queues import redis_connection
    with app.app_context():
        notification = outbox.queue_message("claim-test-1", "ana@example.org", "request_received", "en",
                                            {"reference": "R-0000-0001", "service_name": "Pothole"})
        db.session.commit()
        # as a run leaves it when the database went away after the send, before it could record it
        notification.status, notification.claimed_at = DeliveryStatus.SENDING, utcnow()
        db.session.commit()
        redis_connection().set(outbox.left_key(notification.id), "1")
        outbox.deliver(notification.id)
        assert mail_server.messages == []
        assert db.session.get(Notification, notification.id).status == DeliveryStatus.SENT

        stale = outbox.queue_message("claim-test-4", "dee@example.org", "request_received", "en",
                                     {"reference": "R-0000-0004", "service_name": "Pothole"})
        db.session.commit()
        # a claim nobody settled for ten minutes (Redis could not say whether it left): shown, not resent
        stale.status, stale.claimed_at = DeliveryStatus.SENDING, utcnow() - timedelta(minutes=11)
        db.session.commit()
        outbox.sweep_unsent()
        settled = db.session.get(Notification, stale.id)
        assert settled.status == DeliveryStatus.FAILED and "may or may not have been delivered" in settled.last_error
        assert mail_server.messages == []


def test_a_delivered_message_went_through_its_claim(app, mail_server):
    with app.app_context():
        notification = outbox.queue_message("claim-test-2", "ben@example.org", "request_received", "en",
                                            {"reference": "R-0000-0002", "service_name": "Pothole"})
        db.session.commit()
        outbox.deliver(notification.id)
        sent = db.session.get(Notification, notification.id)
        assert sent.status == DeliveryStatus.SENT and sent.claimed_at is not None and sent.attempts == 1
        assert len(mail_server.messages_to("ben@example.org")) == 1
        outbox.deliver(notification.id)
        assert len(mail_server.messages_to("ben@example.org")) == 1


def test_a_claim_that_never_left_is_sent_when_the_job_is_retried(app, mail_server):
    """A mailer killed before the message left leaves its claim; RQ retries the abandoned job, which sends it."""
    with app.app_context():
        notification = outbox.queue_message("claim-test-3", "cy@example.org", "request_received", "en",
                                            {"reference": "R-0000-0003", "service_name": "Pothole"})
        db.session.commit()
        notification.status, notification.claimed_at = DeliveryStatus.SENDING, utcnow() - timedelta(minutes=2)
        notification.attempts = 1
        db.session.commit()
        outbox.deliver(notification.id)
        assert db.session.get(Notification, notification.id).status == DeliveryStatus.SENT
        assert len(mail_server.messages_to("cy@example.org")) == 1
