"""Ideas in a real browser: a caseworker proposes a fix from a step they rated hard by keyboard alone; the ideas
list, an idea, the form and its error state pass the axe scan."""
import pytest

from core.accounts.models import Staff
from core.extensions import db
from tests.browser.conftest import assert_accessible, sign_in_by_keyboard, tab_to, tab_to_text
from tests.console_cases import case_with_a_hard_step
from tests.factories import make_city

pytestmark = pytest.mark.browser


@pytest.fixture
def rated_hard(app):
    with app.app_context():
        city = make_city()
        case_id = case_with_a_hard_step(city)
        return {"case_id": case_id, "email": city.caseworker.email}


def test_a_caseworker_proposes_a_fix_from_a_hard_step_by_keyboard(page, rated_hard):
    sign_in_by_keyboard(page, rated_hard["email"])
    page.goto(f"/console/cases/{rated_hard['case_id']}")
    tab_to_text(page, "Suggest a fix")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.input_value("#hurts").startswith("Missing information")
    assert_accessible(page, "the idea form")
    tab_to(page, "change")
    page.keyboard.type("Ask for a photo on the form")
    page.keyboard.press("Tab")  # to the first of whom it helps
    page.keyboard.press("ArrowDown")  # staff
    tab_to_text(page, "Propose the idea")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Ask for a photo on the form" in page.inner_text("h1"), page.inner_text("main")[:600]
    assert_accessible(page, "an idea")
    page.goto("/console/ideas/")
    assert_accessible(page, "the ideas list")


def test_the_form_refuses_a_blank_idea_accessibly(page, rated_hard):
    sign_in_by_keyboard(page, rated_hard["email"])
    page.goto("/console/ideas/new")
    with page.expect_navigation():
        page.get_by_role("button", name="Propose the idea").click()
    assert page.locator(".error-summary").is_visible() and "Say what hurts" in page.inner_text(".error-summary")
    assert_accessible(page, "the idea form with its errors")


def test_an_idea_and_its_refusals_pass_the_scan(app, page, rated_hard):
    from casework.ideas import proposals
    from casework.models import Queue

    with app.app_context():
        author = db.session.scalar(db.select(Staff).filter_by(email=rated_hard["email"]))
        queue = db.session.scalar(db.select(Queue).filter_by(name="Road repairs"))
        idea = proposals.propose(author, {"queue_id": queue.id, "service": "pothole", "step_type_id": None,
                                          "hurts": "Vague addresses", "change": "Ask for a landmark",
                                          "helps": "both", "anonymous": False})
        idea_id = idea.id
        supervisor = db.session.scalar(db.select(Staff).filter_by(role="supervisor")).email
    sign_in_by_keyboard(page, rated_hard["email"])
    page.goto(f"/console/ideas/{idea_id}")
    with page.expect_navigation():
        page.get_by_role("button", name="Comment").click()
    assert "Write your comment" in page.inner_text(".error-summary")
    assert_accessible(page, "an idea with a refused comment")
    page.context.clear_cookies()
    sign_in_by_keyboard(page, supervisor)
    page.goto(f"/console/ideas/{idea_id}")
    page.get_by_label("Not now").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Answer").click()
    assert "Say why not now" in page.inner_text(".error-summary")
    assert_accessible(page, "an idea with a refused answer")
