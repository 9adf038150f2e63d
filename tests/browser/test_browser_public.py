"""The public performance page, the open data page and the form's expectation line, in a real browser, in English, Spanish and
Portuguese: each passes the axe scan (its error state too), and a resident chooses a period by keyboard alone."""
from datetime import timedelta

import pytest

from casework.agency_setup import District
from casework.insight.models import ProcessChange
from casework.insight.rollup import measure_pending
from casework.public import arrivals, figures
from core.extensions import db
from core.timeutil import utcnow
from tests.browser.conftest import assert_accessible, assert_reflows, tab_to
from tests.insight_cases import history, insight_city

pytestmark = pytest.mark.browser


@pytest.fixture
def published(app):
    """Thirty potholes resolved over six weeks (some in the North), three graffiti reports, a published change."""
    with app.app_context():
        city = insight_city()
        north = District(name="North", postcodes="N1")
        db.session.add(north)
        db.session.commit()
        now = utcnow()
        for index in range(30):
            case = history(city, now - timedelta(days=44 - index, hours=6), inspect=(2, 10),
                           resolved_after=24 + 6 * index, channel="phone" if index % 4 == 0 else "web")
            if index % 2:
                case.district_id = north.id
        for index in range(3):
            history(city, now - timedelta(days=10 + index), inspect=(2, 10), resolved_after=10,
                    service=city.graffiti, queue=city.parks_queue)
        db.session.add(ProcessChange(service_id=city.pothole.id, made_on=(now - timedelta(days=20)).date(),
                                     title="Crews book repairs on the spot", published_at=now))
        db.session.commit()
        measure_pending()
        arrivals.recount()
        figures.forget()


@pytest.mark.parametrize("language", ["en", "es", "pt"])
def test_the_performance_page_and_its_error_state_pass_the_scan(page, published, language):
    page.goto(f"/performance?lang={language}")
    assert page.locator("#services").is_visible() and page.locator("#districts").is_visible()
    assert page.locator("svg.chart-svg rect").count() > 0
    assert_accessible(page, f"the performance page ({language})")
    # on a laptop's 1100 pixels no table of figures runs off the page's side (the channels had, in a last column)
    page.set_viewport_size({"width": 1100, "height": 800})
    overflowing = page.evaluate("() => [...document.querySelectorAll('.table-scroll')]"
                                ".filter(region => region.scrollWidth > region.clientWidth).map(region => region.id"
                                " || region.querySelector('table').id)")
    assert overflowing == [], f"tables scrolling sideways at 1100 px ({language}): {overflowing}"
    page.set_viewport_size({"width": 1280, "height": 720})
    assert_reflows(page, f"the performance page ({language})")  # on a phone only a table scrolls, in its own box
    page.goto(f"/performance?period=forever&lang={language}")
    assert page.locator(".error-summary").is_visible()
    assert_accessible(page, f"the performance page with a bad period ({language})")
    page.goto(f"/request?service=pothole&lang={language}")
    assert page.locator("#expectation").is_visible() and page.locator("#keep_private").count() == 1
    assert_accessible(page, f"the form's expectation line and open-data choice ({language})")
    page.goto(f"/open-data/?lang={language}")
    assert page.get_by_role("link", name="requests.csv").is_visible()
    assert_accessible(page, f"the open data page ({language})")
    assert_reflows(page, f"the open data page ({language})")


def test_a_resident_chooses_a_period_and_a_trend_by_keyboard(page, published):
    page.goto("/performance")
    tab_to(page, "period")
    page.keyboard.press("End")  # the last choice: the last 12 months
    tab_to(page, "trend")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # the second service in the list: potholes
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "period=365d" in page.url and "trend=pothole" in page.url
    assert "by month" in page.inner_text("#trend-table caption")
    assert "33 requests were received and 33 resolved" not in page.inner_text("figure")  # potholes alone: 30
    assert "30 requests were received and 30 resolved" in page.inner_text("figure")
    assert "Crews book repairs on the spot" in page.inner_text("main")
