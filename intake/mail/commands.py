"""``flask inbox``: mail in from an MTA's pipe, one IMAP round by hand, and the waiting mail tried again."""
import sys

import click
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from core.extensions import db
from intake.mail import imap, replies, taking
from intake.mail.models import MailOutcome

# what an MTA's pipe transport reads (sysexits.h): 0 taken, 65 (EX_DATAERR) never will be, 75 (EX_TEMPFAIL) try later
TAKEN, NOT_A_MESSAGE, TRY_LATER = 0, 65, 75


def init_app(app):
    app.cli.add_command(inbox)


# an AppGroup: each command runs in the app's context
inbox = AppGroup("inbox", help="Mail coming in.")


@inbox.command(help="Take one raw email from standard input (for an MTA's pipe transport). Exits 0 when it was "
                    "taken or was already (an unreadable one is kept for admins), 75 (try again later) when it could "
                    "not be stored, 65 when standard input was empty.")
def deliver():
    raw = sys.stdin.buffer.read()
    if not raw.strip():
        click.echo("nothing on standard input: no message to take", err=True)
        sys.exit(NOT_A_MESSAGE)
    try:
        mail = taking.take(raw)
    except SQLAlchemyError as error:
        db.session.rollback()
        click.echo(f"the message could not be stored ({type(error).__name__}); try again later", err=True)
        sys.exit(TRY_LATER)
    click.echo(f"taken: {describe(mail)}")
    sys.exit(TAKEN)


@inbox.command(help="Read the mailbox INBOUND_IMAP_URL names once, now.")
def fetch():
    try:
        taken = imap.read_mailbox()
    except imap.MailboxSettingError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{taken} message(s) taken")


def describe(mail):
    outcome = MailOutcome(mail.outcome)
    words = {MailOutcome.REPLY: "a message on request {request}", MailOutcome.NEW_REQUEST: "new request {request}",
             MailOutcome.WAITING: "waiting for request {request}'s case to open"}
    reference = mail.request.reference if mail.request else None
    line = words.get(outcome, outcome.value.replace("_", " ")).format(request=reference)
    return line + (f" ({mail.reason})" if mail.reason and outcome not in words else "")


@inbox.command(help="Write a citizen's reply to an email Tandem sent (a .eml file, as the demo's mailbox keeps them) "
                    "to standard output, as a mail client writes one: for trying email in with "
                    "'flask inbox answer FILE --text ... | flask inbox deliver'.")
@click.argument("sent", type=click.File("rb"))
@click.option("--text", required=True, help="What the citizen writes above the quoted message.")
def answer(sent, text):
    sys.stdout.buffer.write(replies.answer_to(sent.read(), text))
