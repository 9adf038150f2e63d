"""Citizens choose email or text messages on the form; each message goes by the channel they chose."""
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from core.extensions import db
from intake.models import ServiceRequest
from tests.conftest import csrf_token_from


class SmsProvider(BaseHTTPRequestHandler):
    """A provider's webhook on loopback, keeping what it was sent."""

    received = []

    def do_POST(self):
        SmsProvider.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(202)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def sms_provider(app):
    server = HTTPServer(("127.0.0.1", 0), SmsProvider)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    SmsProvider.received = []
    app.config.update(SMS_WEBHOOK_URL=f"http://127.0.0.1:{server.server_port}/sms", SMS_WEBHOOK_SECRET="k")
    yield SmsProvider.received
    server.shutdown()


def post_form(client, **fields):
    form = client.get("/request?service=pothole")
    return form, client.post("/request", data={
        "csrf_token": csrf_token_from(form.text),
        "submission_key": re.search(r'name="submission_key" value="([^"]+)"', form.text).group(1),
        "service_code": "pothole", "description": "Pothole by the bus stop", "address": "Bus stop 4", **fields,
    })


def count_requests(app):
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(ServiceRequest.id)))


def test_a_citizen_who_chooses_text_messages_gets_every_update_by_text_and_no_email(
        app, client, city, sms_provider, run_worker, mail_server):
    form, response = post_form(client, notify_by="sms", contact_phone="+1 555 0100")
    assert 'name="notify_by"' in form.text and "Text message" in form.text
    assert response.status_code == 303
    tracking_path = response.location.replace("/submitted", "")
    run_worker()
    with app.app_context():
        reference = db.session.scalar(db.select(ServiceRequest.reference))
    received, routed = sms_provider
    assert received["to"] == "+1 555 0100" and received["channel"] == "sms"
    assert received["text"].startswith(f"We have your request {reference}")
    assert f"http://tandem.test{tracking_path}" in received["text"]
    assert "/messages/stop/" in received["text"]  # one link stops them
    assert "is with the Roads and Streets team" in routed["text"]
    assert len(received["text"]) < 400  # short, unlike the email body
    assert mail_server.messages == []


def test_text_messages_need_a_phone_number_and_nothing_is_created_without_one(app, client, city, sms_provider):
    _form, response = post_form(client, notify_by="sms", contact_email="ana@example.org")
    assert response.status_code == 400
    assert "Enter a mobile number for text messages" in response.text
    assert count_requests(app) == 0


def test_email_is_the_default_and_needs_an_address(app, client, city, sms_provider):
    _form, response = post_form(client, contact_phone="+1 555 0100")
    assert response.status_code == 400 and "Enter your email address" in response.text
    assert count_requests(app) == 0


def test_without_an_sms_provider_the_choice_is_not_offered_and_cannot_be_forced(app, client, city):
    form, response = post_form(client, notify_by="sms", contact_phone="+1 555 0100")
    assert 'name="notify_by"' not in form.text
    assert response.status_code == 400 and "Text messages are not available" in response.text
    assert count_requests(app) == 0
