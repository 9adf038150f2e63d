"""Browser fixtures: Tandem on a real HTTP server, Debian's chromium driven by Playwright, axe-core."""
import functools
import re
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from tests.factories import PASSWORD

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="session")
def browser():
    """One headless chromium for the session (Debian's; a test tool's own download does not work here)."""
    assert shutil.which("chromium") or Path(CHROMIUM).exists(), "chromium is missing: bin/test installs it"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield browser
        browser.close()


@pytest.fixture
def live_server(app):
    """The test app served over HTTP on a free loopback port; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # polled every 50 ms, not werkzeug's 500: shutting down after each test then takes no half second
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def page(browser, live_server):
    # CSP forbids inline script; the scan injects axe, so only the test's context bypasses it
    context = browser.new_context(base_url=live_server, bypass_csp=True, locale="en-GB")
    page = context.new_page()
    yield page
    context.close()


class CachedAxe(SimpleHTTPRequestHandler):
    """axe-core's script, served to be kept: a test's pages scan with the copy its browser context cached."""

    def end_headers(self):
        self.send_header("Cache-Control", "public, max-age=3600")
        super().end_headers()

    def log_message(self, *args):
        pass


@functools.cache
def axe_address():
    """The address of axe.min.js on a loopback server of this test process's own, started on first use.

    Loaded by address, the script is fetched and compiled once per browser context and then read from its
    cache (35 to 65 ms a scan here); sent whole with each scan, as ``add_script_tag(path=...)`` does, it cost
    130 to 200 ms every time.
    """
    assert AXE.exists(), "axe-core is missing: bin/test runs npm ci in tests/browser"
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(CachedAxe, directory=str(AXE.parent)))
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}/{AXE.name}"


def axe_violations(page):
    """Run axe-core on the page; return its WCAG 2.2 A/AA violations as readable lines."""
    page.add_script_tag(url=axe_address())
    # only the violations come back, with every node: axe details one node of each passing rule instead of all of
    # them, and the page does not send thousands of passing nodes to the test (a third of a scan's time here)
    violations = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, "
                               "resultTypes: ['violations']}).then(result => result.violations)", WCAG_TAGS)
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in violations]


def assert_accessible(page, what):
    """Fail, naming ``what`` and each violation, unless the page passes the WCAG 2.2 A/AA scan."""
    violations = axe_violations(page)
    assert violations == [], f"{what}:\n" + "\n".join(violations)


def laid_out_width(page):
    """How wide the page is laid out, in CSS pixels: wider than the window means the whole page scrolls sideways."""
    return page.evaluate("() => document.documentElement.scrollWidth")


def assert_reflows(page, what, width=320):
    """Fail unless the page, as it stands, lays out in ``width`` CSS pixels without scrolling sideways (WCAG 1.4.10
    reflow: a wide table scrolls in its own box, the page does not). The window is put back as it was."""
    size = page.viewport_size
    page.set_viewport_size({"width": width, "height": size["height"]})
    try:
        wide = laid_out_width(page)
    finally:
        page.set_viewport_size(size)
    assert wide <= width, f"{what}: {wide} CSS pixels wide in a {width} pixel window"


def tab_to(page, element_id, presses=60):
    """Move focus with the Tab key alone until the element with ``element_id`` has it."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")


def tab_to_text(page, text, presses=80):
    """Move focus with Tab until a link or button whose text contains ``text`` has it."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if text in (page.evaluate("() => document.activeElement && document.activeElement.innerText") or ""):
            return
    raise AssertionError(f"Tab never reached a control saying {text!r}")


def focus_is_visible(page):
    """True when the focused element draws an outline or a box shadow (a visible focus indicator)."""
    return page.evaluate("""() => {
        const style = getComputedStyle(document.activeElement);
        return (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
    }""")


def sign_in_by_keyboard(page, email):
    """Sign in at the staff login page with Tab, typing and Enter; wait for the console."""
    page.goto("/staff/login")
    tab_to(page, "email")
    page.keyboard.type(email)
    tab_to(page, "password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/console/$"))
