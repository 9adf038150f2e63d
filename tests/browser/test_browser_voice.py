"""What citizens said, in a real browser: a caseworker's own page and their team's pass the axe scan, and the
digest is chosen by keyboard alone."""
from datetime import timedelta

import pytest

from casework.insight.rollup import measure_pending
from casework.voice.models import VoiceDigest
from core.extensions import db
from core.timeutil import utcnow
from intake.survey import Feedback
from tests.browser.conftest import assert_accessible, sign_in_by_keyboard, tab_to
from tests.insight_cases import history, insight_city

pytestmark = pytest.mark.browser


@pytest.fixture
def answered(app):
    with app.app_context():
        city = insight_city()
        for index, satisfaction in enumerate((5, 4, 2, 5, 4, 3)):
            case = history(city, utcnow() - timedelta(days=9, hours=index), inspect=(2, 20), resolved_after=30)
            db.session.add(Feedback(request_id=case.request_id, fixed=True, satisfaction=satisfaction,
                                    comment="Quick and kind." if index == 0 else None))
        db.session.commit()
        measure_pending()
        return {"email": city.caseworker.email, "id": city.caseworker.id, "queue": city.roads_queue.id}


def test_the_voice_pages_pass_the_scan_and_the_digest_is_chosen_by_keyboard(page, answered):
    sign_in_by_keyboard(page, answered["email"])
    page.goto("/console/voice/")
    assert "Quick and kind." in page.inner_text("#said")
    assert_accessible(page, "one's own voice page")
    tab_to(page, "frequency-off")  # a radio group takes one Tab stop, at its chosen radio
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # once a week
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "once a week" in page.inner_text(".notice") and page.is_checked("#frequency-weekly")
    page.goto(f"/console/voice/teams/{answered['queue']}")
    assert_accessible(page, "the team's voice page")
    page.goto("/console/voice/?period=forever")
    assert page.locator(".error-summary").is_visible()
    assert_accessible(page, "the voice page refusing a period")


def test_the_choice_is_kept(app, answered, page):
    sign_in_by_keyboard(page, answered["email"])
    page.goto("/console/voice/")
    page.get_by_label("Once a day").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    with app.app_context():
        assert db.session.get(VoiceDigest, answered["id"]).frequency == "daily"
