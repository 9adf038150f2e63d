"""What a caseworker tripped over in the browser: the queue filters as rendered, due dates after a priority change."""
import re
from datetime import datetime

import pytest

from casework.triage.engine import triage
from core.extensions import db
from intake.models import ServiceRequest
from tests.browser.conftest import axe_violations
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def sign_in(page, email):
    page.goto("/staff/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.press("#password", "Enter")


def new_case(app, city, description):
    with app.app_context():
        request = ServiceRequest(service_id=city.pothole.id, description=description, address="School Lane",
                                 contact_email="ana@example.org")
        db.session.add(request)
        db.session.commit()
        return request.reference, triage(request.id).id


def test_the_queue_filters_as_rendered_show_cases_with_any_left_as_it_is(page, app, city):
    new_case(app, city, "Pothole by the school")
    sign_in(page, city.caseworker.email)
    page.goto(f"/console/queues/{city.roads_queue.id}")
    # State and Priority left at "Any": the form sends them empty, which means any
    with page.expect_navigation():
        page.click("text=Show cases")
    assert "Choose states from the list" not in page.inner_text("main")
    assert "Choose priorities from the list" not in page.inner_text("main")
    assert "Pothole" in page.inner_text("main") and page.url.count("state=") == 1
    # one filter changed, the other left at "Any"
    page.select_option("#filter-priority", "normal")
    with page.expect_navigation():
        page.click("text=Show cases")
    assert "Choose" not in page.inner_text(".filters") and "Pothole" in page.inner_text("main")
    page.select_option("#filter-priority", "urgent")
    with page.expect_navigation():
        page.click("text=Show cases")
    assert "School Lane" not in page.inner_text("main")  # no urgent case: the filter took effect
    assert axe_violations(page) == []


def due_shown(page):
    text = re.search(r"Due: (?:Overdue )?(\d{1,2} \w+ \d{4}, \d{1,2}:\d{2}[ap]m)", page.inner_text("main")).group(1)
    return datetime.strptime(text, "%d %B %Y, %I:%M%p")


def test_a_more_urgent_priority_brings_the_due_date_forward_on_the_page(page, app, city):
    app.config.update(AGENCY_HOURS="mon-fri 09:00-17:00")
    _, case_id = new_case(app, city, "Pothole by the school")
    sign_in(page, city.supervisor.email)
    page.goto(f"/console/cases/{case_id}")
    shown = {"normal": due_shown(page)}
    for level in ("low", "high", "urgent"):
        page.click("#handling-panel > summary")
        page.select_option("#priority-priority", level)
        with page.expect_navigation():
            page.click("text=Change priority")
        assert "due date was worked out again" in page.inner_text("body")
        shown[level] = due_shown(page)
    assert shown["urgent"] < shown["high"] < shown["normal"] < shown["low"]


def test_the_step_timer_counts_minutes_and_seconds_from_the_first_second(page, app, city):
    _, case_id = new_case(app, city, "Pothole by the school")
    sign_in(page, city.caseworker.email)
    page.goto(f"/console/cases/{case_id}")
    assert page.input_value("#start-step_type_id") == page.eval_on_selector(
        "#start-step_type_id option:first-child", "option => option.value")  # the next step, first and chosen
    with page.expect_navigation():
        page.click("text=Start step")
    page.wait_for_function("() => /Timer: 0 min 0[2-9] s/.test(document.querySelector('[data-timer-display]').textContent)")
    assert "under way since" in page.inner_text(".checklist")
    assert axe_violations(page) == []


def test_the_case_page_fits_a_working_day_with_the_likely_next_action_first(page, app, city):
    """Workflow and reply open, resolve next; the rest folded one click or key away (it was 4,200-4,900 px)."""
    _, case_id = new_case(app, city, "Pothole by the school")
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, city.caseworker.email)
    page.goto(f"/console/cases/{case_id}")
    height = page.evaluate("() => document.documentElement.scrollHeight")
    assert height < 3000, height
    assert page.is_visible("#reply-message") and page.is_visible("#start-step_type_id")
    assert not page.is_visible("#note-text") and not page.is_visible("#priority-priority")
    page.keyboard.press("n")  # the shortcut opens the folded note
    assert page.evaluate("() => document.activeElement.id") == "note-text"
    page.click("text=Assign, priority, queue")
    assert page.is_visible("#priority-priority")
    assert axe_violations(page) == []
