"""Every page, including its error states, passes an axe-core WCAG 2.2 A/AA scan in a real browser."""
import pytest

from casework.console import case_actions
from casework.models import Case
from core.extensions import db
from core.accounts.models import Staff
from intake.models import ServiceRequest
from tests.browser.conftest import assert_accessible as passes_the_scan, assert_reflows, axe_violations, laid_out_width
from tests.api_calls import token_of
from tests.factories import PASSWORD, make_city

pytestmark = pytest.mark.browser


@pytest.fixture
def world(app, run_worker):
    """A city with one request waiting on the citizen's answer and one resolved; returns their tokens."""
    with app.app_context():
        city = make_city()
        tokens = []
        for description in ("Pothole by the bus stop", "Pothole by the school"):
            request = ServiceRequest(service_id=city.pothole.id, description=description, address="High Street",
                                     contact_email="ana@example.org")
            db.session.add(request)
            db.session.commit()
            tokens.append(request.tracking_token)
        from casework.triage.engine import triage
        worker = db.session.get(Staff, city.caseworker.id)
        waiting, done = (triage(r.id) for r in db.session.scalars(db.select(ServiceRequest).order_by(ServiceRequest.id)))
        case_actions.request_information(waiting, by=worker, question="Which side of the road is it on?", effort_minutes=2)
        case_actions.resolve_case(done, by=worker, public_note="Filled it this morning.", effort_minutes=20)
        case_id = db.session.scalar(db.select(Case.id).order_by(Case.id))
        token_of(city.caseworker, name="GIS export")  # so the admin's API access page lists a token
        return {"city": city, "roads_queue_id": city.roads_queue.id, "waiting": tokens[0], "resolved": tokens[1], "case_id": case_id,
                "caseworker": city.caseworker.email, "admin": city.admin.email, "supervisor": city.supervisor.email}


def assert_accessible(page, path, what):
    """The scan, and every page in the state scanned lays out on a phone without scrolling sideways."""
    passes_the_scan(page, f"{what} ({path})")
    assert_reflows(page, f"{what} ({path})")


def visit(page, path):
    page.goto(path)
    return path


def submit_empty(page):
    page.get_by_role("button", name="Continue").click()


def test_every_public_page_and_error_state_passes_the_scan(page, world):
    public = [
        ("/", "start page"), ("/?q=pothole", "search results"), ("/?q=zzzz", "search without results"),
        ("/?lang=es", "start page in Spanish"), ("/?lang=pt", "start page in Portuguese"),
        ("/request?service=pothole", "request form"), (f"/track/{world['waiting']}", "tracking, answer asked"),
        (f"/track/{world['resolved']}", "tracking, resolved"), (f"/track/{world['resolved']}/feedback", "feedback form"),
        ("/track/not-a-token", "not found page"), ("/?lang=en", "start page, back in English"),
    ]
    for path, what in public:
        page.goto(f"{path}")
        assert_accessible(page, path, what)

    page.goto("/request?service=pothole")
    submit_empty(page)
    assert page.title().startswith("Error:")
    assert_accessible(page, "/request", "request form with errors")

    page.get_by_label("Describe the problem").fill("Pothole by the library")
    no = page.get_by_role("radio", name="No", exact=True)
    if no.count():  # the service asks "is anyone in danger?" only in some worlds
        no.check()
    page.get_by_label("Address or place").fill("Library Road")
    page.get_by_label("Email address").fill("ana@example.org")
    page.get_by_role("button", name="Continue").click()
    assert "Check your answers" in page.inner_text("h1")
    assert_accessible(page, "/request", "check your answers")

    page.goto(f"/track/{world['waiting']}")
    page.get_by_role("button", name="Send answer").click()
    assert_accessible(page, "/track/.../answer", "answer form with an error")

    page.goto(f"/track/{world['resolved']}/feedback")
    page.get_by_role("button", name="Send feedback").click()
    assert_accessible(page, "/track/.../feedback", "feedback form with an error")

    page.goto("/?lang=es")
    page.goto("/request?service=pothole")
    page.get_by_role("button", name="Continuar").click()
    assert_accessible(page, "/request", "request form with errors, in Spanish")


def sign_in(page, email):
    page.goto("/staff/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_every_staff_page_passes_the_scan(page, world):
    page.goto("/staff/login")
    assert_accessible(page, "/staff/login", "sign-in page")
    page.get_by_role("button", name="Sign in").click()
    assert_accessible(page, "/staff/login", "sign-in page with an error")

    sign_in(page, world["caseworker"])
    queue = world["roads_queue_id"]
    for path, what in [("/console/", "console home"), (f"/console/cases/{world['case_id']}", "case page"),
                       (f"/console/queues/{queue}", "queue list"), (f"/console/queues/{queue}?priority=bad", "queue list with a bad filter"),
                       (f"/console/queues/{queue}?assignee=nobody&sort=priority", "filtered queue"),
                       ("/console/my-cases", "my cases"), ("/console/search", "search"),
                       ("/console/search?q=pothole", "search results"), ("/console/search?q=of", "search with an error"),
                       ("/staff/password", "password page"), ("/staff/two-factor", "two-step sign-in page"),
                       ("/staff/tokens/", "API tokens"), ("/staff/account", "your account"),
                       ("/supervision/", "a page the caseworker may not open")]:
        page.goto(path)
        assert_accessible(page, path, what)
    page.goto("/console/desk/")
    assert_accessible(page, "/console/desk/", "the contact desk")
    page.get_by_label("Phone number").fill("not a number")
    page.get_by_role("button", name="Look up this caller").click()
    assert_accessible(page, "/console/desk/", "the contact desk with a refused lookup")
    page.get_by_role("button", name="Save the request").click()
    assert_accessible(page, "/console/desk/", "the contact desk with every refusal")
    page.goto(f"/console/cases/{world['case_id']}")
    page.get_by_text("Record a step already done").click()
    page.get_by_role("button", name="Record step").click()
    assert_accessible(page, "/console/cases/...", "case page after an empty step")
    page.goto(f"/console/cases/{world['case_id']}")
    page.get_by_role("button", name="Start step").click()
    assert_accessible(page, "/console/cases/...", "case page with a step under way")
    page.get_by_label("Minutes it took").fill("900")
    page.get_by_role("button", name="Save step", exact=True).click()
    assert_accessible(page, "/console/cases/...", "case page with a refused step")
    page.locator("#resolve-panel > summary").click()  # folded while workflow steps remain
    assert_accessible(page, "/console/cases/...", "case page with its resolve panel open")
    page.get_by_role("button", name="Resolve case").click()
    assert_accessible(page, "/console/cases/...", "case page with a refused resolution")
    page.get_by_role("button", name="Shortcuts").click()
    assert_accessible(page, "/console/cases/...", "the shortcuts dialog")
    page.goto(f"/console/queues/{queue}")
    page.locator('input[name="case_id"]').first.check()
    page.get_by_role("button", name="Preview the change").click()
    assert_accessible(page, "/console/bulk", "bulk change preview")

    page.context.clear_cookies()
    sign_in(page, world["admin"])
    for path, what in [("/admin/", "admin home"), ("/admin/messages", "message wording"),
                       ("/admin/routing", "routing rules"), ("/admin/queues", "queues"),
                       ("/admin/api-keys/", "API keys"), ("/admin/catalogue/", "service catalogue"),
                       ("/admin/calendar/", "agency calendar"), ("/admin/case-lists/", "outcomes and reply templates"),
                       ("/admin/catalogue/services/new", "new service"), ("/admin/catalogue/teams/roads", "team names"),
                       ("/admin/catalogue/services/pothole/questions/new", "new question"),
                       ("/console/triage", "triage health"), ("/console/desk/summary", "the contact desk's summary")]:
        page.goto(path)
        assert_accessible(page, path, what)
    page.goto("/admin/calendar/")
    page.get_by_label("Opening hours").fill("weekdays")
    page.get_by_role("button", name="Save calendar").click()
    assert_accessible(page, "/admin/calendar/", "agency calendar with an error")
    page.goto("/admin/catalogue/services/pothole/questions/new")
    page.get_by_role("button", name="Add question").click()
    assert_accessible(page, "/admin/catalogue/services/pothole/questions/new", "new question with errors")
    page.goto("/admin/catalogue/services/new")
    page.get_by_role("button", name="Add service").click()
    assert_accessible(page, "/admin/catalogue/services/new", "new service with errors")
    page.get_by_label("Code").fill("missed_bin")
    page.get_by_label("Name", exact=True).fill("Missed bin")
    page.get_by_label("Group", exact=True).fill("Waste")
    page.get_by_label("Department").select_option(label="Parks")
    page.get_by_role("button", name="Add service").click()
    page.get_by_role("link", name="Add a question").click()
    assert_accessible(page, "/admin/catalogue/services/missed_bin/questions/new", "question form of a new service")
    page.goto("/admin/catalogue/services/missed_bin")
    assert_accessible(page, "/admin/catalogue/services/missed_bin", "service page after saving")
    page.get_by_role("button", name="Add step").click()
    assert_accessible(page, "/admin/catalogue/services/missed_bin/steps/new", "add a step with errors")
    page.goto("/admin/catalogue/services/pothole")
    page.get_by_role("link", name="Inspect the site").click()
    assert_accessible(page, "/admin/catalogue/services/pothole/steps/...", "a workflow step")


def test_the_scan_would_catch_a_violation(page):
    """Guard against a scan that passes because it never ran."""
    page.set_content('<html lang="en"><head><title>t</title></head><body><main><img src="x.png">'
                     '<input type="text"></main></body></html>')
    violations = " ".join(axe_violations(page))
    assert "image-alt" in violations and "label" in violations


SMALL_TARGETS = """() => [...document.querySelectorAll(
    'button, input[type=radio], input[type=checkbox], .header-nav a, select')]
  .filter(element => element.offsetParent !== null)
  .map(element => [element.outerHTML.slice(0, 80), element.getBoundingClientRect()])
  .filter(([, box]) => box.width < 24 || box.height < 24)
  .map(([html, box]) => `${html} is ${Math.round(box.width)} x ${Math.round(box.height)}`)"""


@pytest.mark.parametrize("width", [1280, 800, 375])
def test_every_control_on_staff_pages_is_at_least_24_pixels_square_at_any_width(page, world, width):
    """WCAG 2.5.8 by size, not by the luck of spacing: take next, sign out, the rating radios, every button. And
    the page reflows (WCAG 1.4.10): a wide table scrolls in its own region, never the whole page on a tablet."""
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, world["caseworker"])
    page.goto(f"/console/cases/{world['case_id']}")
    page.get_by_role("button", name="Start step").click()  # the rating radios show with a step under way
    for path in ("/console/", f"/console/cases/{world['case_id']}", f"/console/queues/{world['roads_queue_id']}"):
        page.goto(path)
        assert page.evaluate(SMALL_TARGETS) == [], path
        assert laid_out_width(page) <= width, path


# an edge a forced-colours user sees: an outline or all four borders, at least 2 px, in a colour that is not transparent
HAS_AN_EDGE = """element => {
  const style = getComputedStyle(element), seen = colour => colour !== 'rgba(0, 0, 0, 0)' && colour !== 'transparent';
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2 && seen(style.outlineColor);
  const border = ['Top', 'Right', 'Bottom', 'Left'].every(
    side => parseFloat(style[`border${side}Width`]) >= 2 && seen(style[`border${side}Color`]));
  return outline || border;
}"""
WITHOUT_AN_EDGE = f"""() => [...document.querySelectorAll('button:not(.link-button)')]
  .filter(element => element.offsetParent !== null && !({HAS_AN_EDGE})(element))
  .map(element => element.outerHTML.slice(0, 80))"""


def tab_stops_without_a_visible_focus(page, presses=25):
    """Tab through the page; return the focused elements that show no focus edge."""
    hidden = []
    for _ in range(presses):
        page.keyboard.press("Tab")
        if not page.evaluate(f"() => document.activeElement === document.body || ({HAS_AN_EDGE})(document.activeElement)"):
            hidden.append(page.evaluate("() => document.activeElement.outerHTML.slice(0, 80)"))
    return hidden


def test_under_forced_colours_focus_buttons_and_chart_keys_stay_visible(browser, live_server, world):
    """Windows high contrast (forced colours) drops backgrounds and box shadows: the focus on a link (a yellow
    background and a shadow underline), a button's edge (its fill) and a chart key's solid swatch must not rest on
    them alone (WCAG 2.4.7 and 1.4.11 for those users)."""
    context = browser.new_context(base_url=live_server, locale="en-GB", forced_colors="active")
    page = context.new_page()
    try:
        for path in ("/", "/request?service=pothole"):
            page.goto(path)
            assert tab_stops_without_a_visible_focus(page) == [], path
            assert page.evaluate(WITHOUT_AN_EDGE) == [], path
        sign_in(page, world["caseworker"])
        for path in (f"/console/cases/{world['case_id']}", "/console/"):
            page.goto(path)
            assert tab_stops_without_a_visible_focus(page) == [], path
            assert page.evaluate(WITHOUT_AN_EDGE) == [], path
        page.context.clear_cookies()
        sign_in(page, world["supervisor"])
        page.goto("/supervision/backlog")
        key, bar = (page.locator(selector).first.evaluate("element => getComputedStyle(element)." + colour)
                    for selector, colour in ((".key-arrivals", "backgroundColor"), (".chart-arrivals", "fill")))
        assert key == bar, f"the key's swatch is {key}, the arrival bars {bar}"
    finally:
        context.close()
