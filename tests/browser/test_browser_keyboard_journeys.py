"""Keyboard only: a citizen reports a problem (in English and in Spanish) and a caseworker resolves it."""
import re
from types import SimpleNamespace

import pytest

from casework.triage.engine import triage
from core.accounts import sessions
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


def test_a_citizen_whose_session_ended_gets_the_form_back_as_typed_and_sends_it(page, app, city):
    """The browser lost its session (restarted, cookies cleared) while the form was open: sending it once was
    refused and the advice was to reload, which emptied it. Now the words and the choices come back."""
    page.goto("/request?service=pothole")
    page.get_by_label("Describe the problem").fill("A long description typed over twenty minutes")
    page.get_by_label("Address or place").fill("Library Road")
    page.get_by_label("Email address").fill("ana@example.org")
    page.context.clear_cookies()
    tab_to_text(page, "Continue")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "This form had expired, so nothing was sent" in page.inner_text(".notice-error")
    assert page.get_by_label("Describe the problem").input_value() == "A long description typed over twenty minutes"
    assert page.get_by_label("Address or place").input_value() == "Library Road"
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ServiceRequest.id))) == 0
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Send request").click()
    assert "Request received" in page.inner_text("h1")
    with app.app_context():
        assert db.session.scalar(db.select(ServiceRequest.description)) == "A long description typed over twenty minutes"


def test_a_citizen_who_switches_to_spanish_mid_form_keeps_what_they_typed_and_sends_it_in_spanish(page, app, city):
    page.goto("/request?service=pothole")
    page.get_by_label("Describe the problem").fill("Bache enorme delante del colegio")
    page.get_by_label("Address or place").fill("Calle Mayor 3")
    page.get_by_role("link", name="Español").click()
    page.wait_for_url(re.compile(r".*/request\?lang=es$"))
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.get_by_label("Describa el problema").input_value() == "Bache enorme delante del colegio"
    assert page.get_by_label("Dirección o lugar").input_value() == "Calle Mayor 3"
    assert not page.locator(".error-summary").count()
    assert page.get_by_role("radio", name="Español").is_checked()  # our messages' language followed the page
    page.get_by_label("Correo electrónico").fill("ana@example.org")
    no = page.get_by_role("radio", name="No", exact=True)
    if no.count():
        no.check()
    page.get_by_role("button", name="Continuar").click()
    page.get_by_role("button", name="Enviar solicitud").click()
    assert "Solicitud recibida" in page.inner_text("h1")
    with app.app_context():
        assert db.session.scalar(db.select(ServiceRequest.language)) == "es"


def test_the_idle_sign_out_is_told_two_minutes_ahead_and_staying_by_keyboard_keeps_the_typed_call(
        page, city, monkeypatch):
    """WCAG 2.2.1: a caller's request typed into the desk's form sends nothing, so after 30 minutes the server
    would sign the agent out and the form would be lost, unwarned. The warning comes two minutes ahead; Enter on
    its button keeps the session (checked on the server's clock) and the words; left alone, it says so."""
    page.clock.install()
    sign_in_by_keyboard(page, city.caseworker.email)
    page.goto("/console/desk/")
    page.get_by_label("The problem, in the caller's words").fill("A tree down across Mill Lane, blocking the buses")
    warning = page.locator("#still-there")
    assert not warning.is_visible()

    real_time, offset = sessions.time.time, {"minutes": 0}
    monkeypatch.setattr(sessions, "time", SimpleNamespace(time=lambda: real_time() + offset["minutes"] * 60))
    page.clock.fast_forward("28:30")
    offset["minutes"] = 28.5
    assert warning.is_visible() and "Do you need more time?" in warning.inner_text()
    assert "you will be signed out at" in warning.inner_text()
    assert page.evaluate("() => document.activeElement.textContent") == "Stay signed in"
    assert axe_violations(page) == []
    page.keyboard.press("Enter")
    warning.wait_for(state="hidden")
    assert page.get_by_label("The problem, in the caller's words").input_value().startswith("A tree down")

    offset["minutes"] = 57  # 28.5 after staying: within the 30 minutes; without it, signed out 27 minutes ago
    page.goto("/console/")
    assert "/staff/login" not in page.url and page.get_by_role("button", name="Sign out").is_visible(), page.url

    page.clock.fast_forward("30:30")
    assert "You have been signed out" in warning.inner_text()
    assert "close this message to copy it, then sign in again" in warning.inner_text()
    page.goto("/console/desk/")  # a call typed again, then left for 30 minutes: the words are reached after
    page.get_by_label("The problem, in the caller's words").fill("A lamp post leaning over the school gate")
    page.clock.fast_forward("30:30")
    tab_to_text(page, "Close this message")
    page.keyboard.press("Enter")
    warning.wait_for(state="hidden")
    words = page.get_by_label("The problem, in the caller's words")
    words.focus()
    assert page.evaluate("() => document.activeElement.value") == "A lamp post leaning over the school gate"

    # another tab of the console reaches the server (the person signed in again there): this one stands down,
    # and its next warning is the warning again
    page.evaluate("""() => { localStorage.setItem('tandem.lastSent', String(Date.now()));
                             window.dispatchEvent(new StorageEvent('storage', {key: 'tandem.lastSent'})); }""")
    warning.wait_for(state="hidden")
    page.clock.fast_forward("28:30")
    assert "Do you need more time?" in warning.inner_text() and warning.get_by_text("Stay signed in").is_visible()
    assert not warning.get_by_text("Close this message").is_visible()


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
    assert "Which lanes are blocked?" in page.inner_text("#questions ~ .table-scroll table")
    with app.app_context():
        from intake.models import ServiceQuestion
        question = db.session.scalar(db.select(ServiceQuestion).filter_by(code="lanes"))
        assert question.datatype == "multivaluelist" and [v["key"] for v in question.values] == ["north", "south"]


def desk_city(app, city):
    """Rosa has an open graffiti request from the web; Ana reported a pothole at 12 High Street; potholes ask
    where the hole is; the desk answers questions about collection days. Returns the two references."""
    from casework.agency_setup import ContactTopic
    from intake.models import QuestionType, ServiceQuestion

    with app.app_context():
        db.session.add_all([
            ServiceQuestion(service_id=city.pothole.id, code="where", position=1, required=True,
                            datatype=QuestionType.SINGLE, prompt="Where is it?",
                            values=[{"key": "road", "name": "In the road"}, {"key": "path", "name": "On the path"}]),
            ContactTopic(name="Collection days", active=True)])
        earlier = ServiceRequest(service_id=city.graffiti.id, description="Tags on the library wall",
                                 address="3 Library Lane", contact_phone="+12025550143", language="en")
        pothole = ServiceRequest(service_id=city.pothole.id, description="A deep hole by the kerb",
                                 address="12 High Street", contact_email="ana@example.org", language="en")
        db.session.add_all([earlier, pothole])
        db.session.commit()
        triage(earlier.id)
        triage(pothole.id)
        return earlier.reference, pothole.reference


def press_enter_and_wait(page):
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_an_agent_s_busy_morning_at_the_desk_with_the_keyboard_alone(page, app, city):
    """Three calls: a caller with an open request reports a pothole someone reported already (added to it); a
    counter visit opens a new request after a failed save (the reference read back); a question answered on
    the spot. Enter presses each section's own button; every page state passes the scan, errors included."""
    from casework.desk.models import Contact
    from casework.models import Case

    earlier, pothole = desk_city(app, city)
    sign_in_by_keyboard(page, city.caseworker.email)
    page.keyboard.press("c")
    page.wait_for_url(re.compile(r".*/console/desk/$"))
    assert "On this contact:" in page.inner_text("[data-contact-timer]")  # the timer runs from the first second

    # 1. Rosa: she has an open request, and calls about a pothole Ana reported
    tab_to(page, "caller_phone", presses=120)
    page.keyboard.type("202 555 0143")
    tab_to(page, "caller_email")
    page.keyboard.type("rosa@example.org")
    press_enter_and_wait(page)  # Enter in the caller's fields looks them up
    assert earlier in page.inner_text("#caller-requests")
    assert not axe_violations(page), "the looked-up caller's page must pass the scan"
    tab_to(page, "service_words", presses=120)
    page.keyboard.type("hole in the road")
    press_enter_and_wait(page)  # Enter in the words finds the service and shows its questions
    assert "Pothole is chosen" in page.inner_text("#service-matches")
    tab_to(page, "q_where", presses=120)
    page.keyboard.press("Space")
    tab_to(page, "description")
    page.keyboard.type("A hole by the kerb, my bike wheel went in")
    tab_to(page, "address")
    page.keyboard.type("12 High Street")
    press_enter_and_wait(page)  # Enter in the address checks for open cases there
    assert f"Add the caller to {pothole}" in page.inner_text("body")
    assert not axe_violations(page), "the nearby cases must pass the scan"
    tab_to(page, "join_case_id", presses=160)
    page.keyboard.press("ArrowDown")  # from "none of these" to Ana's case
    tab_to_text(page, "Save the request", presses=40)
    press_enter_and_wait(page)
    with app.app_context():
        rosas = db.session.scalar(db.select(ServiceRequest).filter_by(contact_email="rosa@example.org"))
        case = db.session.scalar(db.select(Case).filter_by(request_id=rosas.id))
        original = db.session.scalar(db.select(Case).join(ServiceRequest, Case.request_id == ServiceRequest.id)
                                     .where(ServiceRequest.reference == pothole))
        assert case.duplicate_of_id == original.id  # added to Ana's case, not a second one
        assert rosas.answers == {"where": "road"}
        assert db.session.scalar(db.select(Contact.minutes).filter_by(request_id=rosas.id)) >= 1
    assert rosas.reference in page.inner_text(".reference")
    assert not axe_violations(page)

    # 2. at the counter, someone who gives no name: the first save is refused beside its fields
    tab_to_text(page, "Take the next call", presses=60)
    press_enter_and_wait(page)
    tab_to(page, "channel", presses=120)
    page.keyboard.press("ArrowDown")  # phone -> counter
    tab_to(page, "for_whom")
    page.keyboard.press("ArrowDown")  # the caller -> someone who gives no name
    tab_to(page, "service_code", presses=120)
    page.keyboard.type("Clean city: Graffiti")
    tab_to_text(page, "Save the request", presses=120)
    press_enter_and_wait(page)
    assert "Describe the problem" in page.inner_text(".error-summary")
    assert not axe_violations(page), "the refused save must pass the scan"
    assert page.is_checked("#channel-counter")  # what was chosen is kept
    tab_to(page, "description", presses=160)
    page.keyboard.type("Fresh graffiti on the bus shelter")
    tab_to(page, "address")
    page.keyboard.type("Bus shelter, Market Square")
    tab_to_text(page, "Save the request", presses=40)
    press_enter_and_wait(page)
    with app.app_context():
        counter = db.session.scalar(db.select(ServiceRequest).filter_by(channel="counter"))
        assert counter.contact_email is None and counter.description == "Fresh graffiti on the bus shelter"
    assert counter.reference in page.inner_text(".reference")

    # 3. a question answered on the spot: no name, no number, the timer's minutes
    tab_to_text(page, "Take the next call", presses=60)
    press_enter_and_wait(page)
    tab_to(page, "topic_id", presses=200)
    page.keyboard.type("Collection days")
    tab_to_text(page, "Record the answered contact", presses=40)
    press_enter_and_wait(page)
    assert "Contact recorded as answered on the spot." in page.inner_text("body")
    assert not axe_violations(page)
    with app.app_context():
        answered = db.session.scalar(db.select(Contact).where(Contact.topic_id.is_not(None)))
        assert (answered.channel, answered.request_id, answered.case_id) == ("phone", None, None)
        assert 1 <= answered.minutes <= 5
