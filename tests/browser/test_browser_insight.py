"""The service blueprint in a real browser: axe on the blueprint, its print view, the change and pulse pages;
a change marked and a pulse answered by keyboard only."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from casework.insight.models import ProcessChange, PulseAnswer
from casework.insight.rollup import measure_pending
from core.extensions import db
from tests.browser.conftest import assert_accessible, tab_to, tab_to_text
from tests.browser.conftest import sign_in_by_keyboard
from tests.factories import loaded
from tests.insight_cases import history, insight_city

pytestmark = pytest.mark.browser
UTC = ZoneInfo("UTC")


@pytest.fixture
def city(app):
    with app.app_context():
        city = insight_city()
        start = datetime.now(UTC) - timedelta(days=40)
        for number in range(24):
            history(city, start + timedelta(hours=30 * number), inspect=(4, 25 + number % 7), schedule=(20, 10),
                    resolved_after=30 + number % 11, friction=4 if number % 3 else 2, reason="missing_information")
        measure_pending()
        loaded(city.supervisor, city.caseworker, city.roads_queue, city.pothole)
        return city


def test_the_blueprint_and_its_print_view_pass_axe_and_read_without_script(page, app, city):
    sign_in_by_keyboard(page, city.supervisor.email)
    page.goto("/insight/blueprint?service=pothole")
    assert page.locator("svg[role=img] title").first.text_content().startswith("Citizen wait above")
    assert page.locator("#stages tbody tr").count() == 4
    assert_accessible(page, "blueprint")
    page.goto("/insight/blueprint?service=pothole&from=2026-13-01&to=x")
    assert "Enter the start date as YYYY-MM-DD" in page.inner_text(".error-summary")
    assert_accessible(page, "blueprint with errors")
    page.goto("/insight/blueprint/print?service=pothole")
    assert_accessible(page, "print view")
    page.emulate_media(media="print")
    assert not page.locator(".site-header nav").is_visible()
    context = page.context.browser.new_context(java_script_enabled=False, base_url=page.url.split("/insight")[0])
    try:
        bare = context.new_page()
        bare.context.add_cookies(page.context.cookies())
        bare.goto("/insight/blueprint?service=pothole")
        assert bare.locator("svg[role=img] .chart-wait").count() == 4
    finally:
        context.close()


def test_a_supervisor_marks_a_change_by_keyboard_and_sees_before_and_after(page, app, city):
    sign_in_by_keyboard(page, city.supervisor.email)
    page.goto("/insight/changes")
    assert_accessible(page, "process changes")
    tab_to(page, "service")
    page.keyboard.press("ArrowDown")  # "Graffiti", then "Pothole"
    page.keyboard.press("ArrowDown")
    tab_to(page, "made_on")
    page.keyboard.type((datetime.now(UTC) - timedelta(days=20)).date().isoformat())
    tab_to(page, "title")
    page.keyboard.type("Photo made required")
    tab_to_text(page, "Mark the change")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Marked \u201cPhoto made required\u201d" in page.inner_text("body")
    assert_accessible(page, "process changes with one marked")
    with app.app_context():
        assert db.session.scalar(db.select(ProcessChange.title)) == "Photo made required"
    tab_to_text(page, "Before and after")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Before and after: Photo made required" in page.inner_text("#before-after")
    assert page.locator("#compare-overall tbody tr").count() == 5
    assert_accessible(page, "blueprint with before and after")


def test_a_caseworker_answers_the_pulse_by_keyboard_and_a_supervisor_reads_it(page, app, city):
    sign_in_by_keyboard(page, city.caseworker.email)
    page.goto("/console/")
    tab_to_text(page, "Answer the pulse")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.get_by_role("button", name="Send my answer").click()
    assert "Choose an answer" in page.inner_text(".error-summary")
    assert_accessible(page, "pulse with errors")
    page.get_by_label("Road repairs").check()
    page.locator('input[name="manageable"][value="2"]').check()
    page.locator('input[name="tools_help"][value="4"]').check()
    page.get_by_label("Anything that would make the work easier?").fill("Fewer re-keyed forms")
    page.get_by_role("button", name="Send my answer").click()
    assert "kept with your team's, without your name" in page.inner_text("body")
    assert "Answer the pulse" not in page.inner_text("body")
    with app.app_context():
        fortnight = db.session.scalar(db.select(PulseAnswer.fortnight))
        for manageable in (3, 4, 4, 5):
            db.session.add(PulseAnswer(queue_id=city.roads_queue.id, fortnight=fortnight, manageable=manageable,
                                       tools_help=3))
        db.session.commit()
    page.context.clear_cookies()
    sign_in_by_keyboard(page, city.supervisor.email)
    page.goto("/insight/pulse")
    assert "Fewer re-keyed forms" in page.inner_text("body")
    assert_accessible(page, "pulse results")
