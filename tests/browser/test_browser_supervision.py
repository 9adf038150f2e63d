"""A supervisor in a real browser, keyboard only: the board, a suggested rebalance previewed and applied, cover; axe on each."""
import pytest

from casework.models import Case
from core.extensions import db
from tests.browser.conftest import assert_accessible, tab_to, tab_to_text
from tests.browser.conftest import sign_in_by_keyboard
from tests.console_cases import open_cases
from tests.factories import loaded, make_city, make_staff

pytestmark = pytest.mark.browser


@pytest.fixture
def team(app):
    with app.app_context():
        city = make_city()
        robin = make_staff("Robin Roads", queues=[db.session.merge(city.roads_queue)])
        open_cases(city.roads_queue, city.pothole, 8, assignee=city.caseworker)
        db.session.execute(db.update(Case).values(estimated_minutes=90))
        db.session.merge(city.caseworker).capacity_minutes = 600
        db.session.commit()
        loaded(*vars(city).values(), robin)
        return city, robin


def test_a_supervisor_evens_out_the_work_by_keyboard(page, app, team):
    city, robin = team
    sign_in_by_keyboard(page, city.supervisor.email)
    page.goto("/supervision/")
    assert "overloaded" in page.inner_text("table.workload").lower()
    assert_accessible(page, "workload board")
    tab_to_text(page, "Suggest a rebalance")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Suggested rebalance" in page.inner_text("h1")
    assert_accessible(page, "plan preview")
    boxes = page.locator('input[name="case_id"]')
    moves = boxes.count()
    assert moves >= 2
    # take the first move out with Space, then apply the rest with Enter on the button
    first_id = boxes.first.get_attribute("id")
    tab_to(page, first_id)
    page.keyboard.press("Space")
    assert not boxes.first.is_checked()
    tab_to_text(page, "Apply the ticked moves")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert f"Moved {moves - 1} cases" in page.inner_text("body")
    with app.app_context():
        held = db.session.scalars(db.select(Case.assignee_id)).all()
        assert held.count(robin.id) == moves - 1


def test_the_plan_refuses_an_empty_choice_and_the_person_page_its_errors_accessibly(page, team):
    city, robin = team
    sign_in_by_keyboard(page, city.supervisor.email)
    page.goto("/supervision/")
    with page.expect_navigation():
        page.get_by_role("button", name="Suggest a rebalance").click()
    # .all() does not wait: read the boxes only once the plan page is there
    page.locator('input[name="case_id"]').first.wait_for()
    for box in page.locator('input[name="case_id"]').all():
        box.uncheck()
    page.get_by_role("button", name="Apply the ticked moves").click()
    assert "Tick the moves to apply" in page.inner_text("body")
    assert_accessible(page, "plan with an error")
    page.goto(f"/supervision/staff/{city.caseworker.id}")
    assert_accessible(page, "a person's capacity and cover")
    page.get_by_role("button", name="Save capacity").click()
    assert_accessible(page, "capacity with errors")
    page.goto(f"/supervision/staff/{city.caseworker.id}")
    page.get_by_role("button", name="Move the cases").click()
    assert "Say why" in page.inner_text("body")
    assert_accessible(page, "cover with an error")
    page.goto("/supervision/backlog")
    assert_accessible(page, "backlog with its chart")
    assert page.locator("svg[role=img] title").count() >= 1
    page.goto("/supervision/forecast")
    assert_accessible(page, "forecast")
    page.goto("/supervision/forecast?occupancy=500")
    assert_accessible(page, "forecast with an error")


def test_the_workload_board_fits_a_1100_pixel_laptop_window_with_queues_languages_and_absences_shown(page, app, team):
    city, _ = team
    with app.app_context():
        from datetime import date, timedelta

        from casework.models import Absence
        db.session.add(Absence(staff_id=city.caseworker.id, starts_on=date.today() + timedelta(days=2),
                               ends_on=date.today() + timedelta(days=3), note="Training"))
        db.session.commit()
    page.set_viewport_size({"width": 1100, "height": 900})
    sign_in_by_keyboard(page, city.supervisor.email)
    page.goto("/supervision/")
    # neither the page nor the table's own region scrolls sideways (at 1,100 px the page did, by 30 px)
    widths = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth, "
                           "document.querySelector('table.workload').scrollWidth, "
                           "document.querySelector('table.workload').parentElement.clientWidth]")
    assert widths[0] <= widths[1] and widths[2] <= widths[3], widths
    row = page.inner_text("tbody tr:first-child th")
    assert "Road repairs" in row and "speaks English" in row and "away" in row
    assert_accessible(page, "the workload board at 1,100 px")
