"""Reading the agency's mailbox over IMAP: each new message taken once, then marked on the server.

``INBOUND_IMAP_URL`` names the mailbox: ``imaps://user:password@host[:993][/folder]`` (TLS from the start) or
``imap://user:password@host[:143][/folder]`` (STARTTLS, required). ``?tls=none`` turns encryption off, for a
server on this machine only. A message is marked seen (or moved to ``INBOUND_IMAP_DONE_FOLDER``) only after
what it made is committed; a reader killed in between takes it again next round, and ``taking.take`` knows it.
"""
import logging
import ssl
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from flask import current_app
from imap_tools import AND, MailBox, MailBoxStartTls, MailBoxUnencrypted, MailMessageFlags
from sqlalchemy.exc import OperationalError

from core.extensions import db
from intake.mail import taking

log = logging.getLogger(__name__)
LOOPBACK = {"127.0.0.1", "::1", "localhost"}
# taken messages are marked on the server this many at a time
MARK_BATCH = 25


class MailboxSettingError(ValueError):
    """``INBOUND_IMAP_URL`` cannot be used; ``str()`` says why."""


@dataclass(frozen=True)
class Mailbox:
    host: str
    port: int
    user: str
    password: str
    folder: str
    tls: str  # "implicit", "starttls" or "none"


def mailbox_of(url):
    """``url`` as a ``Mailbox``. Raises ``MailboxSettingError``."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("imap", "imaps") or not parts.hostname or not parts.username:
        raise MailboxSettingError("INBOUND_IMAP_URL must look like imaps://user:password@host/INBOX")
    tls = "implicit" if parts.scheme == "imaps" else "starttls"
    if parse_qs(parts.query).get("tls") == ["none"]:
        if parts.hostname not in LOOPBACK:
            raise MailboxSettingError("tls=none is for a mail server on this machine only")
        tls = "none"
    return Mailbox(host=parts.hostname, port=parts.port or (993 if tls == "implicit" else 143),
                   user=unquote(parts.username), password=unquote(parts.password or ""),
                   folder=unquote(parts.path.lstrip("/")) or "INBOX", tls=tls)


def connect(mailbox):
    """A logged-in ``imap_tools`` mailbox, its folder selected."""
    timeout = current_app.config["INBOUND_IMAP_TIMEOUT"]
    if mailbox.tls == "none":
        box = MailBoxUnencrypted(mailbox.host, mailbox.port, timeout=timeout)
    else:
        context = ssl.create_default_context(cafile=current_app.config.get("INBOUND_IMAP_CA_FILE"))
        kind = MailBox if mailbox.tls == "implicit" else MailBoxStartTls
        box = kind(mailbox.host, mailbox.port, timeout=timeout, ssl_context=context)
    return box.login(mailbox.user, mailbox.password, initial_folder=mailbox.folder)


def raw_message(box, uid):
    """The message ``uid``'s bytes exactly as stored, without marking it seen."""
    status, data = box.client.uid("FETCH", uid, "(BODY.PEEK[])")
    if status != "OK":
        raise ConnectionError(f"the server would not give message {uid}: {status}")
    return b"".join(part[1] for part in data if isinstance(part, tuple))


def read_mailbox(limit=None):
    """One round: take each unseen message in the mailbox, oldest first, up to ``limit``; return how many.

    Does nothing without ``INBOUND_IMAP_URL``. A database that is away ends the round with the message left
    unseen (taken next round); anything else a message does is recorded against it as unreadable, so it never
    holds up the ones behind it.
    """
    url = current_app.config.get("INBOUND_IMAP_URL")
    if not url:
        return 0
    mailbox = mailbox_of(url)
    done_folder = current_app.config.get("INBOUND_IMAP_DONE_FOLDER")
    limit = limit or current_app.config["INBOUND_IMAP_BATCH"]
    taken, committed = 0, []
    with connect(mailbox) as box:
        try:
            for uid in box.uids(AND(seen=False))[:limit]:
                raw = raw_message(box, uid)
                if not raw:
                    continue  # expunged by someone else meanwhile
                take_keeping_the_round(raw)
                # marked only once what it made is committed, and a few at a time (one command for many): a reader
                # killed before marking takes them again next round, and take() knows each one
                committed.append(uid)
                taken += 1
                if len(committed) >= MARK_BATCH:
                    mark_taken(box, committed, done_folder)
                    committed = []
        finally:
            if committed:
                mark_taken(box, committed, done_folder)
    return taken


def mark_taken(box, uids, done_folder):
    if done_folder:
        box.move(uids, done_folder)
    else:
        box.flag(uids, MailMessageFlags.SEEN, True)


def take_keeping_the_round(raw):
    try:
        return taking.take(raw)
    except OperationalError:
        db.session.rollback()
        raise  # the database is away: leave the message unseen and end the round
    except Exception as error:  # a fault in one message must not stop the mailbox (recorded for admins)
        db.session.rollback()
        log.exception("a message could not be taken")
        return taking.record_unreadable(raw, f"Tandem could not take it ({type(error).__name__})")
