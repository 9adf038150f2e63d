"""The staff API's pages in a real browser: making a token by keyboard alone, and the reference page under CSP."""
import re

import pytest

from tests.browser.conftest import assert_accessible, axe_violations, tab_to
from tests.browser.conftest import sign_in_by_keyboard

pytestmark = pytest.mark.browser


def test_a_caseworker_makes_a_read_write_token_by_keyboard_and_sees_it_once(page, city):
    sign_in_by_keyboard(page, city.caseworker.email)
    page.goto("/staff/tokens/")
    assert axe_violations(page) == []
    tab_to(page, "name")
    page.keyboard.press("Enter")  # sent empty: refused with the reason beside the field
    page.wait_for_selector("#name-error")
    assert "Name the token" in page.inner_text("#name-error")
    assert axe_violations(page) == []
    tab_to(page, "name")
    page.keyboard.type("Nightly GIS export")
    tab_to(page, "access")
    page.keyboard.press("ArrowDown")  # radios move with the arrow keys: "Read and change cases"
    tab_to(page, "days-90")  # Tab lands on a group's chosen radio: 90 days by default
    page.keyboard.press("ArrowDown")  # "In a year"
    page.keyboard.press("Enter")
    page.wait_for_selector("code.secret-key")
    secret = page.inner_text("code.secret-key")
    assert re.fullmatch(r"tdm_[\w-]{40,}", secret)
    assert axe_violations(page) == []
    row = page.inner_text("table tbody tr")
    assert "Nightly GIS export" in row and "read and change" in row
    page.goto("/staff/tokens/")
    assert secret not in page.content()


def test_the_reference_page_draws_every_operation_from_this_server_alone(browser, live_server):
    # the site's own Content-Security-Policy applies here: no bypass
    context = browser.new_context(base_url=live_server)
    page = context.new_page()
    elsewhere, refused = [], []
    page.on("request", lambda request: None if request.url.startswith(live_server) else elsewhere.append(request.url))
    page.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text
            else None)
    page.goto("/api/v1/docs")
    page.wait_for_selector(".opblock", timeout=15000)
    operations = page.locator(".opblock").count()
    assert operations >= 28
    assert "Tandem staff API" in page.inner_text("body")
    page.locator(".opblock-summary").first.click()
    page.wait_for_selector(".opblock-body")
    assert elsewhere == [] and refused == []
    context.close()


def test_the_reference_page_passes_the_scan(page):
    page.goto("/api/v1/docs")
    page.wait_for_selector(".opblock", timeout=15000)
    assert_accessible(page, "the API reference page")
    # an operation opened, with its parameters, body and answers
    page.locator("#operations-api_cases-post_api_v1_cases__case_id__notes .opblock-summary-control").click()
    page.wait_for_selector(".opblock-body .responses-table")
    assert_accessible(page, "an open operation")
