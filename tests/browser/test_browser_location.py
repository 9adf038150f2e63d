"""The optional "use my current location" button: keyboard only, under the real security policy."""
import pytest

from tests.browser.conftest import axe_violations, focus_is_visible, tab_to_text

pytestmark = pytest.mark.browser
WHITE_HOUSE = {"latitude": 38.8977, "longitude": -77.0365}


def form_page(browser, live_server, **context_options):
    # no bypass_csp: the script must load under the policy the site really sends
    context = browser.new_context(base_url=live_server, locale="en-GB", **context_options)
    page = context.new_page()
    page.goto("/request?service=pothole")
    return page


def open_location_and_press_the_button(page):
    tab_to_text(page, "Add the exact location (optional)")
    assert focus_is_visible(page)
    page.keyboard.press("Enter")  # opens the <details>
    tab_to_text(page, "Use my current location")
    assert focus_is_visible(page)
    page.keyboard.press("Enter")


def test_the_button_fills_in_the_coordinates_and_says_so(browser, live_server, city):
    page = form_page(browser, live_server, geolocation=WHITE_HOUSE, permissions=["geolocation"])
    open_location_and_press_the_button(page)
    page.wait_for_function("() => document.getElementById('lat').value !== ''")
    assert (page.input_value("#lat"), page.input_value("#long")) == ("38.897700", "-77.036500")
    assert "Location added" in page.inner_text("#locate-status")
    page.context.close()


def test_when_the_location_is_refused_the_citizen_is_told_and_can_type_it(browser, live_server, city):
    page = form_page(browser, live_server)  # no permission granted
    open_location_and_press_the_button(page)
    page.wait_for_function("() => document.getElementById('locate-status').textContent.includes('could not')")
    assert page.input_value("#lat") == ""
    page.context.close()


def test_the_opened_location_section_passes_the_scan(browser, live_server, city):
    context = browser.new_context(base_url=live_server, locale="en-GB", bypass_csp=True)  # the scan injects axe
    page = context.new_page()
    page.goto("/request?service=pothole")
    page.get_by_text("Add the exact location (optional)").click()
    page.get_by_label("Latitude (optional)").fill("north")
    page.get_by_role("button", name="Continue").click()
    assert "Enter the latitude as a number" in page.inner_text("main")
    assert axe_violations(page) == []
    context.close()


def test_photos_the_server_would_refuse_are_named_beside_the_field_before_anything_is_sent(
        browser, live_server, city, tmp_path):
    """Three 25 MB phone photos would make a body past the upload limit (a bare 413, the form lost): the browser
    names the problem beside the field in the page's language, keeps what was typed, and sends nothing."""
    big = tmp_path / "IMG_0001.jpg"
    with open(big, "wb") as photo:
        photo.truncate(25 * 1024 * 1024)
    context = browser.new_context(base_url=live_server, locale="es-ES", bypass_csp=True)  # the scan injects axe
    page = context.new_page()
    page.goto("/request?service=pothole&lang=es")
    page.fill("#description", "Un bache enorme delante del número 12")
    page.fill("#address", "Calle Mayor 12")
    page.set_input_files("#photos", [str(big)])
    assert "Cada foto debe tener 20 MB o menos" in page.inner_text("#photos-error")
    assert page.get_attribute("#photos", "aria-invalid") == "true"
    sent = []
    page.on("request", lambda request: sent.append(request) if request.method == "POST" else None)
    page.click("button[type=submit]")
    assert "/request" in page.url and not sent  # nothing left the browser
    assert page.evaluate("document.activeElement.id") == "photos"
    assert page.input_value("#description") == "Un bache enorme delante del número 12"
    assert not axe_violations(page), "the photo error must pass the scan"
    page.set_input_files("#photos", [])  # a smaller choice clears the message
    assert page.locator("#photos-error").count() == 0
    context.close()
