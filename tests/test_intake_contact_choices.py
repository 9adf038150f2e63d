"""Citizens decide whether we may contact them, and some services need no contact details at all."""
import re

import pytest

from core.extensions import db
from intake.models import Service, ServiceRequest
from notifications.models import Notification
from tests.conftest import csrf_token_from
from tests.factories import make_city


@pytest.fixture
def city(app):
    with app.app_context():
        city = make_city()
        db.session.get(Service, city.graffiti.id).allows_anonymous = True
        db.session.commit()
        return city


def post(client, service, **fields):
    form = client.get(f"/request?service={service}")
    return form, client.post("/request", data={
        "csrf_token": csrf_token_from(form.text),
        "submission_key": re.search(r'name="submission_key" value="([^"]+)"', form.text).group(1),
        "service_code": service, "description": "Something to look at", "address": "Station wall",
        "consent_asked": "yes", **fields})


def stored(app):
    with app.app_context():
        request = db.session.scalar(db.select(ServiceRequest))
        messages = db.session.scalar(db.select(db.func.count(Notification.id)))
        return request, messages


def test_a_service_that_allows_it_takes_a_request_with_no_contact_details(app, client, city):
    form, response = post(client, "graffiti", consent="yes")
    assert "Optional for this service" in form.text
    assert response.status_code == 303
    request, messages = stored(app)
    assert request.contact_email is None and messages == 0
    assert "keep this page or the link below" in client.get(response.location).text


def test_other_services_still_need_a_way_to_reach_the_citizen(app, client, city):
    _form, response = post(client, "pothole", consent="yes")
    assert response.status_code == 400 and "Enter your email address" in response.text


def test_unticking_consent_means_no_messages_but_the_request_is_kept(app, client, city):
    form, response = post(client, "pothole", contact_email="ana@example.org")  # the box left unticked
    assert 'name="consent" type="checkbox" value="yes" checked' in form.text  # ticked until the citizen says no
    assert response.status_code == 303
    request, messages = stored(app)
    assert request.consent_to_contact is False and messages == 0


def test_the_check_page_does_not_promise_messages_to_a_citizen_who_declined_them(client, city):
    from tests.submissions import filled_form
    fields = filled_form(client, consent_asked="yes")  # the box left unticked
    check = client.post("/request", data={**fields, "step": "check"})
    assert "We will not send you messages about this request" in check.text
    assert "you agree that the team may contact you" not in check.text
    agreed = client.post("/request", data={**filled_form(client, consent_asked="yes", consent="yes"), "step": "check"})
    assert "you agree that the team may contact you" in agreed.text
