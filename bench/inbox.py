"""Email in at scale: replies read from a local IMAP server by one process, each matched to one of N cases.

Usage (from the repository root, PostgreSQL, Redis and Debian's dovecot installed):

    .venv/bin/python bench/inbox.py [--cases 1000000] [--messages 2000]   # load, then time
    .venv/bin/python bench/inbox.py --reuse [--messages 2000]             # time against what is loaded

1. Load: the console benchmark's city of N cases (``bench/city.py``) in its own database (``DATABASE_URL``,
   default ``tandem_inbox_bench``).
2. Measure: gives ``--messages`` requests drawn at random across the whole table a reply token and a contact
   email, starts dovecot on loopback (``bench/harness/imapserver.py``, as the tests start it), appends one
   citizen's reply to each (a Gmail-style message, plain text and HTML, with the question it answers quoted
   below, addressed to the request's reply address), then times
   ``intake.mail.imap.read_mailbox`` in this process, round after round (500 a round, as deployed) until the
   mailbox is empty: every message fetched, read, cleaned, matched by its token, put on its case's timeline (its
   holder told through the outbox, queued in Redis) and committed, then marked seen on the server.

Prints figures; asserts nothing.
"""
import argparse
import os
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import format_datetime
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/tandem_inbox_bench")

from sqlalchemy import text  # noqa: E402

from bench import city  # noqa: E402  (its loader and app, on this database)
from core.extensions import db  # noqa: E402
from intake.mail import imap  # noqa: E402
from intake.models import new_reply_token  # noqa: E402
from bench.harness.imapserver import ImapServer  # noqa: E402  (the real dovecot, as the tests start it)

DOMAIN = "mail.bench.test"


def chosen_requests(app, count):
    """``count`` request ids spread over the whole table, each given a reply token and a contact email."""
    with app.app_context():
        highest = db.session.scalar(text("SELECT max(id) FROM service_request"))
        ids = random.Random(7).sample(range(1, highest + 1), count)
        tokens = {request_id: new_reply_token() for request_id in ids}
        db.session.execute(text("UPDATE service_request SET reply_token = :token, contact_email = :email "
                                "WHERE id = :id"),
                           [{"id": i, "token": t, "email": f"citizen{i}@example.org"} for i, t in tokens.items()])
        db.session.commit()
        return tokens


ANSWER = "It is on the north side, right by the bus stop.\nThe bigger hole is about 20 cm deep.\n\nThanks,\nRosa"
QUOTED = "\n\nOn Mon, Dec 7, 2026 at 9:14 AM City of Tandem <{address}> wrote:\n\n" \
         "> Which side of the road is the pothole on?\n>\n> Reference {reference}\n"


def reply(request_id, token):
    """A citizen's answer as Gmail sends it: text and HTML, the question quoted under the answer."""
    address = f"requests+{token}@{DOMAIN}"
    message = EmailMessage()
    message["From"] = f"Rosa Diaz <citizen{request_id}@example.org>"
    message["To"] = f"City of Tandem <{address}>"
    message["Subject"] = "Re: We have received your request"
    message["Date"] = format_datetime(datetime.now(timezone.utc))
    message["Message-ID"] = f"<bench-{request_id}-{time.time_ns()}@example.org>"
    message.set_content(ANSWER + QUOTED.format(address=address, reference=f"R-{request_id}"))
    message.add_alternative(f'<div dir="ltr">{ANSWER.replace(chr(10), "<br>")}</div><blockquote class="gmail_quote">'
                            "Which side of the road is the pothole on?</blockquote>", subtype="html")
    return message.as_bytes()


def replies(tokens):
    for request_id, token in tokens.items():
        yield reply(request_id, token)


def measure(messages):
    app = city.build_app()
    app.config.update(MAIL_REPLY_DOMAIN=DOMAIN)
    with app.app_context():
        total = db.session.scalar(text('SELECT count(*) FROM "case"'))
    tokens = chosen_requests(app, messages)
    server = ImapServer().start()
    try:
        started = time.perf_counter()
        batch = list(replies(tokens))
        for start in range(0, len(batch), 200):
            server.append(*batch[start:start + 200])
        city.say(f"{total:,} cases; {messages:,} replies appended to dovecot in "
                    f"{time.perf_counter() - started:.1f} s")
        app.config["INBOUND_IMAP_URL"] = server.url
        with app.app_context():
            before = db.session.scalar(text("SELECT count(*) FROM case_event WHERE kind = 'citizen_answered'"))
            taken, started = 0, time.perf_counter()
            while True:
                round_started = time.perf_counter()
                count = imap.read_mailbox()
                if not count:
                    break
                taken += count
                city.say(f"  a round of {count} in {time.perf_counter() - round_started:.1f} s "
                            f"({count / (time.perf_counter() - round_started):.0f} messages/s)")
            elapsed = time.perf_counter() - started
            landed = db.session.scalar(text("SELECT count(*) FROM case_event WHERE kind = 'citizen_answered'"))
        city.say(f"{taken:,} messages taken in {elapsed:.1f} s: {taken / elapsed:.0f} messages/s; "
                    f"{landed - before:,} landed on their cases; {server.unseen()} left unseen")
    finally:
        server.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--reuse", action="store_true", help="measure what is loaded, without loading")
    arguments = parser.parse_args()
    if not arguments.reuse:
        city.load(arguments.cases)
    measure(arguments.messages)


if __name__ == "__main__":
    main()
