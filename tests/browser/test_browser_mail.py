"""Email in, in a real browser: the case page with a citizen's emails and a bounce, and the admin page of mail
that could not be read, each passing the axe scan; an admin sets the mail up and retries a message by keyboard."""
from email.message import EmailMessage

import pytest

from casework.models import Case
from casework.triage.engine import triage
from core.extensions import db
from intake.mail import taking
from intake.mail.models import InboundMail, MailOutcome
from intake.models import ServiceRequest
from tests.browser.conftest import assert_accessible, sign_in_by_keyboard, tab_to
from tests.factories import make_city
from tests.mail_replies import REPLY_DOMAIN, fixture

pytestmark = pytest.mark.browser


@pytest.fixture
def mailed(app):
    """A case whose citizen wrote twice (once with an attachment) and whose address then bounced; one message
    that could not be read."""
    app.config["MAIL_REPLY_DOMAIN"] = REPLY_DOMAIN
    with app.app_context():
        city = make_city()
        request = ServiceRequest(service_id=city.pothole.id, description="Pothole by the bus stop",
                                 address="High Street", contact_email="ana@example.org")
        db.session.add(request)
        db.session.commit()
        triage(request.id)
        for number, attachment in enumerate((None, b"%PDF-1.4 letter")):
            message = EmailMessage()
            message["From"], message["To"] = "ana@example.org", f"requests+{request.reply_token}@{REPLY_DOMAIN}"
            message["Subject"], message["Message-ID"] = "Re: your request", f"<ana-{number}@example.org>"
            message.set_content(f"Message {number}: it is getting deeper.\n\nOn Monday, Tandem wrote:\n> Thanks")
            if attachment:
                message.add_attachment(attachment, maintype="application", subtype="pdf", filename="letter.pdf")
            taking.take(message.as_bytes())
        taking.take(fixture("bounce.eml").replace(b"nobody@example.org", b"ana@example.org"))
        taking.take(fixture("unknown_charset.eml"))
        return {"case_id": db.session.scalar(db.select(Case.id)), "caseworker": city.caseworker.email,
                "admin": city.admin.email, "graffiti": city.graffiti.id}


def test_the_case_shows_the_citizens_emails_and_the_bounce_accessibly(page, mailed):
    sign_in_by_keyboard(page, mailed["caseworker"])
    page.goto(f"/console/cases/{mailed['case_id']}")
    text = page.inner_text("main")
    assert "Emails from the citizen" in text and "letter.pdf" in text
    assert "Email to this citizen bounced" in text
    assert "Message 1: it is getting deeper." in text and "Tandem wrote" not in page.inner_text(".timeline")
    assert_accessible(page, "a case with emails and a bounce")
    with page.expect_download() as download:
        page.get_by_role("link", name="letter.pdf").click()
    assert download.value.suggested_filename == "letter.pdf"


def test_an_admin_turns_email_requests_on_and_retries_unreadable_mail_by_keyboard(page, app, mailed):
    sign_in_by_keyboard(page, mailed["admin"])
    page.goto("/admin/mail/")
    assert "1 message waiting" in page.inner_text("main")
    assert_accessible(page, "email in, with a message that could not be read")
    # turned on with no service chosen: refused beside the field
    tab_to(page, "new_requests")
    page.keyboard.press("Space")
    page.get_by_role("button", name="Save").press("Enter")
    page.wait_for_selector(".error-summary")
    assert "Choose the service new requests by email are filed under" in page.inner_text("main")
    assert_accessible(page, "email in, with an error")
    tab_to(page, "service_id")
    page.keyboard.press("ArrowDown")  # the first service listed
    page.get_by_role("button", name="Save").press("Enter")
    page.wait_for_selector("text=New requests by email are now taken")
    with app.app_context():
        from intake.mail.settings import mail_setting
        assert mail_setting().new_requests and mail_setting().service_id is not None
    page.get_by_role("button", name="Retry the message", exact=False).press("Enter")
    page.wait_for_selector("text=It still cannot be read")
    page.get_by_role("button", name="Set aside", exact=False).press("Enter")
    page.wait_for_selector("text=0 messages waiting")
    assert_accessible(page, "email in, after setting a message aside")
    with app.app_context():
        assert db.session.scalar(db.select(InboundMail.outcome).where(
            InboundMail.outcome == MailOutcome.DISCARDED)) == MailOutcome.DISCARDED
