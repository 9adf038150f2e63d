"""Email in from a real IMAP server (Debian's dovecot on loopback), read as a deployment reads it: by the
Procfile's scheduler and periodic worker, and by a reader killed with SIGKILL mid-round and started again."""
import random
import sys
import time

import pytest
from sqlalchemy.engine import make_url

from casework.models import CaseEvent
from core.extensions import db
from intake.mail.models import InboundMail, MailOutcome
from intake.models import ServiceRequest
from tests.conftest import DATABASE_URL
from tests.mail_replies import REPLY_DOMAIN, fixture, reply_to, with_headers
from bench.harness.processes import Scheduler, TandemProcess, Worker, stop_all, wait_for
from tests.submissions import submit_pothole
from tests.factories import make_city

pytestmark = pytest.mark.slow


@pytest.fixture
def mailbox():
    from bench.harness.imapserver import ImapServer

    server = ImapServer().start()
    yield server
    server.stop()


@pytest.fixture
def acknowledged(app, client, run_worker, mail_server):
    """Ana's pothole request and the acknowledgement she received (replies on: the agency's domain is set)."""
    app.config["MAIL_REPLY_DOMAIN"] = REPLY_DOMAIN
    with app.app_context():
        make_city()
    submit_pothole(client)
    run_worker()
    return mail_server.messages_to("ana@example.org")[0]


def environment(app, mailbox):
    return {"DATABASE_URL": make_url(DATABASE_URL).render_as_string(hide_password=False),
            "REDIS_URL": app.config["REDIS_URL"], "SECRET_KEY": "test-secret-key", "SMTP_URL": "",
            "MAILBOX_DIR": app.config["MAILBOX_DIR"], "PUBLIC_URL": "http://tandem.test",
            "MAIL_REPLY_DOMAIN": REPLY_DOMAIN, "INBOUND_IMAP_URL": mailbox.url}


def outcomes(app):
    with app.app_context():
        return sorted(db.session.scalars(db.select(InboundMail.outcome)).all())


def answers(app):
    with app.app_context():
        return db.session.scalars(db.select(CaseEvent.message).filter_by(kind="citizen_answered")
                                  .order_by(CaseEvent.id)).all()


def test_the_scheduler_reads_the_mailbox_and_each_kind_of_mail_does_what_it_should(app, mailbox, acknowledged):
    mailbox.append(
        reply_to(acknowledged, "gmail_en.eml", message_id="<en@example.org>"),
        reply_to(acknowledged, "apple_mail_es.eml", message_id="<es@example.org>"),
        fixture("unknown_charset.eml"),  # cannot be read: it must not hold up the messages behind it
        reply_to(acknowledged, "outlook_pt.eml", message_id="<pt@example.org>"),
        with_headers(fixture("out_of_office.eml"), To=acknowledged["Reply-To"]),
        fixture("bounce.eml"),
    )
    settings = environment(app, mailbox)
    processes = [Worker(settings, queues=("periodic",)).start(), Scheduler(settings).start()]
    try:
        # the deployment's own interval (10 s): the round after the scheduler starts takes them all
        wait_for(lambda: mailbox.unseen() == 0, 60, "the mailbox to be read", state=lambda: outcomes(app))
    finally:
        stop_all(processes)
    assert outcomes(app) == ["bounce", "ignored", "reply", "reply", "reply", "unreadable"]
    landed = answers(app)
    assert [text.split()[0] for text in landed] == ["It", "Está", "Fica"]
    assert not any("wrote:" in text or "escribió" in text or "escreveu" in text for text in landed)


def test_a_reader_killed_mid_round_and_started_again_takes_every_message_once(app, mailbox, acknowledged):
    total = 120
    mailbox.append(*[reply_to(acknowledged, "thunderbird_en.eml", message_id=f"<kill-{n}@example.org>",
                              sender=f"neighbour{n}@example.org") for n in range(total)])
    settings = environment(app, mailbox)
    # one message from each neighbour (not a loop); the reference is in the subject, so only the token matches
    window_hit, rounds = False, 0
    while mailbox.unseen() and rounds < 30:
        rounds += 1
        before = taken_count(app)
        reader = start_reader(settings)
        # kill it once it is taking messages, at a different moment in each round
        wait_for(lambda: taken_count(app) > before or reader.process.poll() is not None, 30, "the reader to take mail")
        time.sleep(random.uniform(0, 0.25))
        reader.kill()
        # the dangerous moment: what a message made is committed, but it is not yet marked on the server
        window_hit |= taken_count(app) > total - mailbox.unseen()
    start_reader(settings).process.wait(60)
    assert mailbox.unseen() == 0
    assert taken_count(app) == total
    assert len(answers(app)) == total and len(set(answers(app))) == 1
    assert rounds > 1, "the reader finished before it could be killed: make the batch larger"
    assert window_hit, "no kill landed between a message's commit and its flag on the server"


def start_reader(settings):
    reader = TandemProcess(settings)
    reader.name = "reader"
    return reader.launch([sys.executable, "-m", "flask", "--app", "wsgi", "inbox", "fetch"])


def taken_count(app):
    with app.app_context():
        db.session.expire_all()
        return db.session.scalar(db.select(db.func.count(InboundMail.id)).where(
            InboundMail.outcome == MailOutcome.REPLY))


def test_an_email_to_the_intake_address_read_from_the_mailbox_opens_one_request(app, runner, mailbox):
    app.config.update(MAIL_REPLY_DOMAIN=REPLY_DOMAIN, INBOUND_IMAP_URL=mailbox.url)
    with app.app_context():
        from intake.mail.settings import MailSetting
        city = make_city()
        db.session.add(MailSetting(new_requests=True, service_id=city.graffiti.id))
        db.session.commit()
    new = with_headers(fixture("thunderbird_en.eml"), To=f"requests@{REPLY_DOMAIN}", In_Reply_To="", References="",
                       From="rosa@example.org", Message_ID="<new@example.org>")
    mailbox.append(new, new)  # delivered twice by the mail system
    result = runner.invoke(args=["inbox", "fetch"])
    assert result.exit_code == 0 and "2 message(s) taken" in result.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ServiceRequest.id))) == 1
