"""Keyboard only: a citizen reports a problem (in English and in Spanish) and a caseworker resolves it."""
import re

import pytest

from casework.triage.engine import triage
from core.extensions import db
from intake.models import ServiceRequest
from tests.browser.conftest import focus_is_visible, tab_to, tab_to_text
from tests.factories import PASSWORD, make_city

pytestmark = pytest.mark.browser


@pytest.fixture
def city(app):
    with app.app_context():
        return make_city()


def report_a_pothole_by_keyboard(page, start, choose, carry_on, send, confirmed, follow):
    """From ``start``, reach the pothole form and send it with Tab, typing, Enter and Space only."""
    page.goto(start)
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.className") == "skip-link"
    assert focus_is_visible(page)
    tab_to_text(page, choose)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/request\?service=pothole"))
    tab_to(page, "description")
    assert focus_is_visible(page)
    page.keyboard.type("Deep pothole in front of number 12")
    tab_to(page, "address")
    page.keyboard.type("12 High Street")
    tab_to(page, "contact_email")
    page.keyboard.type("ana@example.org")
    tab_to_text(page, carry_on)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "12 High Street" in page.inner_text("main")  # the check-your-answers page
    tab_to_text(page, send)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/submitted$"))
    assert confirmed in page.inner_text("h1")
    reference = re.search(r"R-[0-9A-Z]{4}-[0-9A-Z]{4}", page.inner_text("main")).group()
    tab_to_text(page, "/track/")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/track/[A-Za-z0-9_-]+$"))
    assert follow in page.inner_text("main")
    return reference


def test_a_citizen_reports_a_problem_with_the_keyboard_alone(page, app, city):
    reference = report_a_pothole_by_keyboard(page, "/", "Pothole", "Continue", "Send request", "Request received",
                                             "What has happened")
    with app.app_context():
        stored = db.session.scalar(db.select(ServiceRequest).filter_by(reference=reference))
        assert stored.address == "12 High Street" and stored.language == "en"


def test_a_citizen_reports_a_problem_in_spanish_with_the_keyboard_alone(page, app, city):
    reference = report_a_pothole_by_keyboard(page, "/?lang=es", "Pothole", "Continuar", "Enviar solicitud", "Solicitud recibida",
                                             "Qué ha pasado")
    with app.app_context():
        assert db.session.scalar(db.select(ServiceRequest.language).filter_by(reference=reference)) == "es"


def test_the_error_summary_is_reachable_and_links_to_the_field(page, city):
    page.goto("/request?service=pothole")
    tab_to_text(page, "Continue")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.title().startswith("Error:")
    tab_to_text(page, "Enter a description of the problem")
    page.keyboard.press("Enter")
    assert page.evaluate("() => location.hash") == "#description"


def sign_in_by_keyboard(page, email):
    """Sign in at the staff login page with Tab, typing and Enter; wait for the console."""
    page.goto("/staff/login")
    tab_to(page, "email")
    page.keyboard.type(email)
    tab_to(page, "password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/console/$"))


def follow(page, text, address):
    """Tab to the link or button saying ``text``, press Enter, and wait to arrive at ``address`` (a pattern)."""
    tab_to_text(page, text)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(address))


def test_a_caseworker_signs_in_and_resolves_a_case_with_the_keyboard_alone(page, app, city):
    with app.app_context():
        request = ServiceRequest(service_id=city.pothole.id, description="Pothole by the school",
                                 address="School Lane", contact_email="ana@example.org")
        db.session.add(request)
        db.session.commit()
        reference = request.reference
        triage(request.id)
    sign_in_by_keyboard(page, city.caseworker.email)
    follow(page, "Road repairs", r".*/console/queues/\d+$")
    follow(page, reference, r".*/console/cases/\d+$")
    tab_to(page, "resolve-public_note")
    page.keyboard.type("Filled it this morning.")
    tab_to(page, "resolve-effort_minutes")
    page.keyboard.type("25")
    tab_to_text(page, "Resolve case")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert "state\nresolved" in page.inner_text("main").lower()
    with app.app_context():
        from casework.models import Case
        case = db.session.scalar(db.select(Case))
        assert case.state == "resolved" and case.resolution_note == "Filled it this morning."


def test_an_admin_adds_a_question_to_a_service_with_the_keyboard_alone(page, app, city):
    sign_in_by_keyboard(page, city.admin.email)
    follow(page, "Admin", r".*/admin/$")
    follow(page, "Service catalogue", r".*/admin/catalogue/$")
    follow(page, "Pothole", r".*/services/pothole$")
    follow(page, "Add a question", r".*/questions/new$")
    tab_to(page, "code")
    page.keyboard.type("lanes")
    tab_to(page, "prompt")
    assert focus_is_visible(page)
    page.keyboard.type("Which lanes are blocked?")
    tab_to(page, "datatype")
    page.keyboard.press("End")  # the last kind: several choices from a list
    tab_to(page, "values")
    page.keyboard.type("north: Northbound")
    page.keyboard.press("Enter")
    page.keyboard.type("south: Southbound")
    tab_to_text(page, "Add question")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/services/pothole#questions$"))
    assert "Which lanes are blocked?" in page.inner_text("#questions ~ table")
    with app.app_context():
        from intake.models import ServiceQuestion
        question = db.session.scalar(db.select(ServiceQuestion).filter_by(code="lanes"))
        assert question.datatype == "multivaluelist" and [v["key"] for v in question.values] == ["north", "south"]
