"""Email in through the pipe an MTA uses (``flask inbox deliver``): replies land on their case once, with the
quotes gone; new emails open requests; mail that must not be answered is recorded and left alone."""
import io
import os
import re
import subprocess
import sys

import pytest
from PIL import Image

from casework.console import assignment, case_actions
from casework.models import Case, CaseEvent, CaseState
from core.accounts.models import Staff
from core.extensions import db
from core.models import AuditEvent
from intake.mail.models import InboundMail, MailOutcome
from intake.mail.settings import MailSetting
from intake.models import Channel, ServiceRequest
from intake.photos import RequestPhoto
from notifications.models import DeliveryStatus, Notification
from tests.conftest import csrf_token_from
from tests.factories import PASSWORD, make_city
from tests.mail_replies import REPLY_DOMAIN, fixture, reply_to, with_headers
from bench.harness.mailserver import body_of
from tests.submissions import submit_pothole


@pytest.fixture
def replies_on(app):
    app.config["MAIL_REPLY_DOMAIN"] = REPLY_DOMAIN
    return app


@pytest.fixture
def pothole_case(replies_on, client, run_worker, mail_server):
    """Ana's pothole request, triaged to the caseworker's queue; returns (city, her acknowledgement)."""
    with replies_on.app_context():
        city = make_city()
    submit_pothole(client)
    run_worker()
    [acknowledgement] = [m for m in mail_server.messages_to("ana@example.org") if "R-" in m["Subject"]][:1]
    return city, acknowledgement


def deliver(runner, raw):
    result = runner.invoke(args=["inbox", "deliver"], input=raw)
    assert result.exit_code == 0, result.output
    return result.output


def citizen_messages(app):
    with app.app_context():
        return [e.message for e in db.session.scalars(
            db.select(CaseEvent).filter_by(kind="citizen_answered").order_by(CaseEvent.id))]


def test_the_acknowledgement_can_be_answered_and_threads_with_what_follows(pothole_case):
    _city, acknowledgement = pothole_case
    assert re.fullmatch(rf"requests\+[0-9a-f]{{32}}@{re.escape(REPLY_DOMAIN)}", acknowledgement["Reply-To"])
    assert acknowledgement["Message-ID"].startswith("<tandem.r") and REPLY_DOMAIN in acknowledgement["Message-ID"]
    # the token is the request's own and not its reference
    assert "R-" not in acknowledgement["Reply-To"]


@pytest.mark.parametrize("name, expected", [
    ("gmail_en.eml", "It is on the north side, right by the bus stop."),
    ("apple_mail_es.eml", "Está en el lado norte"),
    ("outlook_pt.eml", "Fica do lado norte"),
])
def test_a_reply_lands_once_on_its_case_without_the_quoted_history(app, runner, pothole_case, name, expected):
    _city, acknowledgement = pothole_case
    raw = reply_to(acknowledgement, name)
    assert "a message on request R-" in deliver(runner, raw)
    deliver(runner, raw)  # the same message again: an MTA retrying, or the mailbox read twice
    [message] = citizen_messages(app)
    assert message.startswith(expected)
    assert ">" not in message and "wrote:" not in message and "escribió" not in message and "escreveu" not in message
    with app.app_context():
        [mail] = db.session.scalars(db.select(InboundMail)).all()
        assert mail.outcome == MailOutcome.REPLY and mail.raw == raw  # the whole original kept for staff


def test_a_reply_to_a_question_answers_it_and_the_sla_clock_resumes(app, runner, run_worker, pothole_case, mail_server):
    city, _ = pothole_case
    with app.app_context():
        case = db.session.scalar(db.select(Case))
        case_actions.request_information(case, by=db.session.get(Staff, city.caseworker.id),
                                         question="Which side of the road is it on?", effort_minutes=2)
    run_worker()
    [question] = [m for m in mail_server.messages_to("ana@example.org") if "Which side" in body_of(m)]
    assert question["In-Reply-To"].startswith("<tandem.r")  # in the acknowledgement's thread
    deliver(runner, reply_to(question, "gmail_en.eml"))
    with app.app_context():
        case = db.session.scalar(db.select(Case))
        assert case.state == CaseState.IN_PROGRESS and case.sla_paused_at is None
        assert db.session.scalar(db.select(CaseEvent).filter_by(kind="sla_resumed")) is not None


def test_a_reply_is_matched_by_the_thread_and_by_the_reference_only_from_its_citizen(app, runner, pothole_case):
    _city, acknowledgement = pothole_case
    intake = f"requests@{REPLY_DOMAIN}"
    # sent to the plain intake address (the citizen typed it), still answering the acknowledgement
    deliver(runner, reply_to(acknowledgement, to=intake, message_id="<by-thread@example.org>"))
    reference = re.search(r"R-[0-9A-Z]{4}-[0-9A-Z]{4}", acknowledgement["Subject"]).group(0)
    fresh = with_headers(fixture("thunderbird_en.eml"), To=intake, In_Reply_To="", References="",
                         Subject=f"About {reference}", From="ana@example.org", Message_ID="<by-subject@example.org>")
    deliver(runner, fresh)
    assert len(citizen_messages(app)) == 2
    # the same subject from someone else is not put on Ana's case (new requests by email are off: a pointer)
    stranger = with_headers(fresh, From="mallory@example.net", Message_ID="<stranger@example.net>")
    assert "pointed to form" in deliver(runner, stranger)
    assert len(citizen_messages(app)) == 2


def test_a_reply_to_a_resolved_case_lands_on_it_and_does_not_reopen_it(app, runner, run_worker, pothole_case,
                                                                        mail_server):
    city, acknowledgement = pothole_case
    with app.app_context():
        case = db.session.scalar(db.select(Case))
        caseworker = db.session.get(Staff, city.caseworker.id)
        assignment.assign_case(case, caseworker, by=caseworker)
        case_actions.resolve_case(case, by=caseworker, public_note="Filled on Tuesday.", effort_minutes=30)
    run_worker()
    deliver(runner, reply_to(acknowledgement, "gmail_en.eml"))
    run_worker()
    with app.app_context():
        assert db.session.scalar(db.select(Case)).state == CaseState.RESOLVED
    assert len(citizen_messages(app)) == 1
    # its last holder hears of it
    assert any("north side" in body_of(m) for m in mail_server.messages_to(city.caseworker.email))


def test_an_image_attached_to_a_reply_is_kept_as_a_photo_without_its_metadata(app, runner, pothole_case):
    _city, acknowledgement = pothole_case
    picture = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    Image.new("RGB", (64, 48), "gray").save(picture, "JPEG", exif=exif)
    from email.message import EmailMessage
    message = EmailMessage()
    message["From"], message["To"] = "ana@example.org", acknowledgement["Reply-To"]
    message["Subject"], message["Message-ID"] = "Re: photo", "<photo@example.org>"
    message.set_content("Here is a photo of it.")
    message.add_attachment(picture.getvalue(), maintype="image", subtype="jpeg", filename="hole.jpg")
    deliver(runner, message.as_bytes())
    with app.app_context():
        [photo] = db.session.scalars(db.select(RequestPhoto)).all()
        assert b"PhoneMaker" not in photo.data
        assert Image.open(io.BytesIO(photo.data)).getexif().get(0x010F) is None


def test_an_email_to_the_agency_opens_a_request_that_waits_where_admins_chose(app, runner, run_worker, replies_on,
                                                                               mail_server):
    with app.app_context():
        city = make_city()
        urgent_id = city.urgent_queue.id
        db.session.add(MailSetting(new_requests=True, service_id=city.graffiti.id, queue_id=urgent_id))
        db.session.commit()
    raw = with_headers(fixture("thunderbird_en.eml"), From="Rosa Diaz <rosa@example.org>",
                       To=f"requests@{REPLY_DOMAIN}", In_Reply_To="", References="",
                       Subject="Paint on the library wall", Message_ID="<new-1@example.org>")
    assert "new request R-" in deliver(runner, raw)
    deliver(runner, raw)
    run_worker()
    with app.app_context():
        [service_request] = db.session.scalars(db.select(ServiceRequest)).all()
        assert service_request.channel == Channel.EMAIL and service_request.contact_email == "rosa@example.org"
        assert service_request.description.startswith("Paint on the library wall")
        assert "wrote:" not in service_request.description
        case = db.session.scalar(db.select(Case))
        assert case.queue_id == urgent_id  # no rule placed it: where admins chose
        assert "where admins chose" in " ".join(case.triage_explanation)
    acknowledgement, routed = mail_server.messages_to("rosa@example.org")
    assert service_request.reference in acknowledgement["Subject"] and "/track/" in body_of(acknowledgement)
    assert acknowledgement["In-Reply-To"] == "<new-1@example.org>"  # in the citizen's own thread
    # and what follows stays in it
    assert routed["In-Reply-To"] == acknowledgement["Message-ID"]
    assert routed["References"].split() == ["<new-1@example.org>", acknowledgement["Message-ID"]]


def test_with_new_requests_off_the_sender_is_pointed_to_the_form_once_a_day(app, runner, run_worker, replies_on,
                                                                            mail_server):
    with app.app_context():
        make_city()
    for number in range(3):
        deliver(runner, with_headers(fixture("thunderbird_en.eml"), From="rosa@example.org", In_Reply_To="",
                                     References="", To=f"requests@{REPLY_DOMAIN}",
                                     Message_ID=f"<ask-{number}@example.org>"))
    run_worker()
    [pointer] = mail_server.messages_to("rosa@example.org")
    assert "/request?lang=en" in body_of(pointer)
    assert request_total(app) == 0


def request_total(app):
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(ServiceRequest.id)))


def test_auto_replies_and_tandems_own_mail_are_recorded_and_never_answered(app, runner, run_worker, pothole_case,
                                                                         mail_server):
    _city, acknowledgement = pothole_case
    sent_before = len(mail_server.messages)
    away = with_headers(fixture("out_of_office.eml"), To=acknowledgement["Reply-To"],
                        In_Reply_To=acknowledgement["Message-ID"])
    assert "ignored (written by a machine" in deliver(runner, away)
    echo = with_headers(fixture("gmail_en.eml"), From=f"requests@{REPLY_DOMAIN}", Message_ID="<echo@example.org>",
                        To=acknowledgement["Reply-To"])
    assert "ignored (sent by Tandem itself)" in deliver(runner, echo)
    run_worker()
    assert citizen_messages(app) == [] and len(mail_server.messages) == sent_before


def test_a_mail_loop_is_cut_after_a_few_messages(app, runner, pothole_case):
    _city, acknowledgement = pothole_case
    outputs = [deliver(runner, reply_to(acknowledgement, message_id=f"<loop-{n}@example.org>")) for n in range(7)]
    assert len(citizen_messages(app)) == 5
    assert "a mail loop" in outputs[-1]


def test_a_bounce_stops_mail_to_the_address_until_the_citizen_writes_from_it(app, client, runner, run_worker,
                                                                             login_as, pothole_case, mail_server):
    city, acknowledgement = pothole_case
    bounce = fixture("bounce.eml").replace(b"nobody@example.org", b"ana@example.org")
    assert "bounce" in deliver(runner, bounce)
    with app.app_context():
        case = db.session.scalar(db.select(Case))
        case_id = case.id
        case_actions.request_information(case, by=db.session.get(Staff, city.caseworker.id),
                                         question="Which side?", effort_minutes=1)
    sent_before = len(mail_server.messages_to("ana@example.org"))
    run_worker()
    assert len(mail_server.messages_to("ana@example.org")) == sent_before
    with app.app_context():
        failed = db.session.scalar(db.select(Notification).filter_by(template="information_requested"))
        assert failed.status == DeliveryStatus.FAILED
    login_as(city.caseworker)
    assert "Email to this citizen bounced" in client.get(f"/console/cases/{case_id}").text
    # she writes: her address works again
    deliver(runner, reply_to(acknowledgement))
    assert "Email to this citizen bounced" not in client.get(f"/console/cases/{case_id}").text


def test_what_cannot_be_read_waits_for_an_admin_who_can_retry_or_set_it_aside(app, client, runner, login_as,
                                                                              replies_on):
    with app.app_context():
        city = make_city()
    output = deliver(runner, fixture("unknown_charset.eml"))
    assert "unreadable" in output
    login_as(city.admin)
    page = client.get("/admin/mail/")
    assert "character set" in page.text and "1 message waiting" in page.text
    with app.app_context():
        mail_id = db.session.scalar(db.select(InboundMail.id))
    retried = client.post(f"/admin/mail/{mail_id}/retry", data={"csrf_token": csrf_token_from(page.text)},
                          follow_redirects=True)
    assert "still cannot be read" in retried.text
    set_aside = client.post(f"/admin/mail/{mail_id}/discard", data={"csrf_token": csrf_token_from(page.text)},
                            follow_redirects=True)
    assert "0 messages waiting" in set_aside.text
    with app.app_context():
        assert db.session.get(InboundMail, mail_id).outcome == MailOutcome.DISCARDED


def test_staff_open_the_whole_email_and_its_attachments_from_the_case(app, client, runner, login_as, pothole_case):
    city, acknowledgement = pothole_case
    from email.message import EmailMessage
    message = EmailMessage()
    message["From"], message["To"] = "ana@example.org", acknowledgement["Reply-To"]
    message["Subject"], message["Message-ID"] = "Re: the letter", "<letter@example.org>"
    message.set_content("The council's letter is attached.\n\nOn Mon, Tandem wrote:\n> Which side?")
    message.add_attachment(b"%PDF-1.4 letter", maintype="application", subtype="pdf", filename="letter.pdf")
    deliver(runner, message.as_bytes())
    login_as(city.caseworker)
    with app.app_context():
        case_id, mail_id = db.session.scalar(db.select(Case.id)), db.session.scalar(db.select(InboundMail.id))
    page = client.get(f"/console/cases/{case_id}").text
    assert "Emails from the citizen" in page and "letter.pdf" in page
    original = client.get(f"/console/cases/{case_id}/emails/{mail_id}.eml")
    assert original.status_code == 200 and b"Which side?" in original.data
    attachment = client.get(f"/console/cases/{case_id}/emails/{mail_id}/attachments/1")
    assert attachment.data == b"%PDF-1.4 letter" and "attachment" in attachment.headers["Content-Disposition"]
    with app.app_context():
        opened = db.session.scalars(db.select(AuditEvent).filter_by(action="citizen_email_opened")).all()
        assert len(opened) == 2 and {event.details.get("attachment") for event in opened} == {None, 1}
    # another team's caseworker cannot open it
    other = app.test_client()
    form = other.get("/staff/login")
    other.post("/staff/login", data={"email": city.parks_worker.email, "password": PASSWORD,
                                     "csrf_token": csrf_token_from(form.text)})
    assert other.get("/console").status_code in (200, 302, 308)
    assert other.get(f"/console/cases/{case_id}/emails/{mail_id}.eml").status_code in (403, 404)
    assert other.get(f"/console/cases/{case_id}/emails/{mail_id}/attachments/1").status_code in (403, 404)


def test_the_pipe_tells_the_mail_system_to_try_again_when_the_database_is_away(tmp_path):
    """An MTA's pipe transport retries on 75 (EX_TEMPFAIL): a message is never dropped for an outage."""
    away = {**os.environ, "DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:1/tandem",
            "SECRET_KEY": "test-secret-key", "MAILBOX_DIR": str(tmp_path)}
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "inbox", "deliver"]
    refused = subprocess.run(command, input=fixture("gmail_en.eml"), env=away, capture_output=True, timeout=60)
    assert refused.returncode == 75 and b"try again later" in refused.stderr
    empty = subprocess.run(command, input=b"", env=away, capture_output=True, timeout=60)
    assert empty.returncode == 65 and b"nothing on standard input" in empty.stderr


def test_a_newcomer_answers_an_acknowledgement_from_the_demo_mailbox_through_the_pipe(app, client, runner,
                                                                                        run_worker, replies_on):
    """As the README shows: no mail server, the acknowledgement a .eml file in the mailbox folder."""
    from pathlib import Path

    with app.app_context():
        make_city()
    submit_pothole(client)
    run_worker()
    [acknowledgement] = [path for path in Path(app.config["MAILBOX_DIR"]).glob("*.eml")
                         if b"request_received" in path.read_bytes() or b"We have your request" in path.read_bytes()]
    written = runner.invoke(args=["inbox", "answer", str(acknowledgement), "--text", "It is by the bus stop."])
    assert written.exit_code == 0, written.output
    assert "a message on request R-" in deliver(runner, written.stdout_bytes)
    assert citizen_messages(app) == ["It is by the bus stop."]
