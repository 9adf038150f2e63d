"""Keyboard only: a citizen reports a problem (in English and in Spanish) and a caseworker resolves it."""
import re

import pytest

from casework.triage.engine import triage
from core.extensions import db
from intake.models import ServiceRequest
from tests.browser.conftest import axe_violations, focus_is_visible, sign_in_by_keyboard, tab_to, tab_to_text

pytestmark = pytest.mark.browser


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
    page.wait_for_url(re.compile(r".*/track/[A-Za-z0-9_-]+\?lang=[a-z]{2}$"))
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
    resolve_by_keyboard(page, "Filled it this morning.", "25")
    assert "resolved" in page.inner_text(".case-facts").lower()
    with app.app_context():
        from casework.models import Case
        case = db.session.scalar(db.select(Case))
        assert case.state == "resolved" and case.resolution_note == "Filled it this morning."
        assert case.outcome.code == "fixed"


def resolve_by_keyboard(page, note, minutes):
    if not page.evaluate("() => document.getElementById('resolve-panel').open"):
        # the resolve panel is folded while workflow steps remain: open it from its heading
        tab_to_text(page, "Resolve", presses=200)
        page.keyboard.press("Enter")
    tab_to(page, "resolve-outcome_id", presses=200)
    page.keyboard.type("Fixed")  # a focused select picks the option whose label is typed
    tab_to(page, "resolve-public_note")
    page.keyboard.type(note)
    tab_to(page, "resolve-effort_minutes")
    page.keyboard.type(minutes)
    if page.query_selector("#resolve-confirm_unfinished"):
        # steps of the workflow are not done: the caseworker says to resolve anyway
        tab_to(page, "resolve-confirm_unfinished")
        page.keyboard.press("Space")
    tab_to_text(page, "Resolve case")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_a_caseworkers_day_with_the_keyboard_alone(page, app, city):
    """Take next (t), start a step, let the timer run, save it, reply (r), resolve, take the next (t)."""
    with app.app_context():
        from datetime import timedelta

        from casework.models import Priority
        from core.timeutil import utcnow
        from tests.console_cases import open_cases
        first, second = (open_cases(city.roads_queue, city.pothole, 1, priority=priority,
                                    start=utcnow() + timedelta(hours=hours))[0]
                         for priority, hours in ((Priority.URGENT, 30), (Priority.NORMAL, 2)))
    sign_in_by_keyboard(page, city.caseworker.email)
    page.keyboard.press("t")
    page.wait_for_url(re.compile(rf".*/console/cases/{first}$"))
    tab_to_text(page, "Start step", presses=200)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Inspect the site: under way" in page.inner_text("main")
    page.wait_for_function("() => document.querySelector('[data-timer-display]').textContent.startsWith('Timer:')")
    assert page.input_value("#complete-effort_minutes") == "1"  # the timer's first minute
    tab_to(page, "complete-effort_minutes", presses=200)
    page.keyboard.press("Control+A")
    page.keyboard.type("12")
    tab_to(page, "complete-friction-1")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")  # within a radio group the arrows move and choose
    tab_to_text(page, "Save step")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Step saved." in page.inner_text("body")
    page.keyboard.press("r")
    assert page.evaluate("() => document.activeElement.id") == "reply-message"
    page.keyboard.type("A crew is booked for Tuesday.")
    tab_to(page, "reply-effort_minutes")
    page.keyboard.type("2")
    tab_to_text(page, "Send update")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Update posted" in page.inner_text("body")
    resolve_by_keyboard(page, "Filled on Tuesday.", "20")
    assert "Case resolved" in page.inner_text("body")
    page.keyboard.press("t")
    page.wait_for_url(re.compile(rf".*/console/cases/{second}$"))
    with app.app_context():
        from casework.models import Case
        done = db.session.get(Case, first)
        assert done.state == "resolved" and done.outcome.code == "fixed"
        step = next(step for step in done.steps if step.step_type_id)
        assert (step.effort_minutes, step.friction) == (12, 2) and step.active_minutes is not None
        assert db.session.get(Case, second).assignee_id == city.caseworker.id


def test_single_key_shortcuts_can_be_turned_off(page, app, city):
    sign_in_by_keyboard(page, city.caseworker.email)
    page.keyboard.press("?")
    assert page.is_visible("#shortcuts")
    tab_to(page, "shortcuts-on")
    page.keyboard.press("Space")
    page.keyboard.press("Escape")
    page.keyboard.press("t")
    page.wait_for_timeout(300)
    assert page.url.endswith("/console/")
    page.reload()
    page.keyboard.press("t")
    page.wait_for_timeout(300)
    assert page.url.endswith("/console/"), "the choice is remembered"


def test_a_draft_survives_a_reload_and_signing_in_again(page, app, city):
    with app.app_context():
        from tests.console_cases import open_cases
        [case_id] = open_cases(city.roads_queue, city.pothole, 1)
    sign_in_by_keyboard(page, city.caseworker.email)
    page.goto(f"/console/cases/{case_id}")
    page.keyboard.press("r")
    page.keyboard.type("We will send a crew once the rain")
    page.wait_for_function("() => (document.querySelector('#reply-message').closest('.form-group')"
                           ".querySelector('[data-draft-status]').textContent || '').includes('saved')")
    page.reload()
    assert page.input_value("#reply-message") == "We will send a crew once the rain"
    page.context.clear_cookies()  # the session ends, as when it expires
    sign_in_by_keyboard(page, city.caseworker.email)
    page.goto(f"/console/cases/{case_id}")
    assert page.input_value("#reply-message") == "We will send a crew once the rain"


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


def test_an_agent_takes_a_call_with_the_keyboard_alone(page, app, city):
    """c opens the desk; look the caller up, choose the service, describe it, save, read the reference back."""
    sign_in_by_keyboard(page, city.caseworker.email)
    page.keyboard.press("c")
    page.wait_for_url(re.compile(r".*/console/desk/$"))
    tab_to(page, "caller_phone", presses=120)
    page.keyboard.type("(202) 555-0143")
    tab_to(page, "caller_email")
    page.keyboard.type("rosa@example.org")
    tab_to_text(page, "Look up this caller")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "No open or recent request from this caller." in page.inner_text("#caller-requests")
    assert page.input_value("#caller_phone") == "(202) 555-0143"  # kept across the lookup
    tab_to(page, "service_code", presses=120)
    page.keyboard.type("Streets: Pothole")  # a focused select picks the option whose label is typed
    tab_to(page, "description")
    page.keyboard.type("A deep pothole by the bus stop, a cyclist fell")
    tab_to(page, "address")
    page.keyboard.type("Bus stop 4, High Street")
    tab_to_text(page, "Save the request")
    assert focus_is_visible(page)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    with app.app_context():
        reference = db.session.scalar(db.select(ServiceRequest.reference))
    assert reference in page.inner_text(".reference")
    assert not axe_violations(page), "the saved call's page must pass the scan"
