"""Mail threads: each email to a citizen names its request's reply address and conversation, so a reply finds
its case and the citizen's mail client keeps the messages together.

Only where the agency's reply domain is set (``MAIL_REPLY_DOMAIN``); without it emails leave as before, from
``MAIL_FROM`` alone. Message-IDs are signed (an HMAC of what they name, with ``SECRET_KEY``), so a reply's
``In-Reply-To`` is trusted without keeping a list of what was sent, and cannot be forged to reach another case:

- the first email about a request (its acknowledgement) is the thread's root, ``<tandem.r<request>.<mac>@domain>``;
- every later one is ``<tandem.n<notification>.<mac>@domain>``, in reply to the root.

The request's reply token and the citizen's own first message (for a request that came by email) come from a
source intake registers (``register_thread_source``): notifications knows outbox rows, not requests.
"""
import hashlib
import hmac
import re
from dataclasses import dataclass

from flask import current_app

from core.extensions import db
from notifications.models import Notification

ROOT_TEMPLATE = "request_received"
SIGNED_ID = re.compile(r"<?tandem\.([rn])(\d{1,12})\.([0-9a-f]{16})@([^>\s]+)>?")


@dataclass
class Thread:
    """What a request's emails need: its reply token, and the Message-ID of the citizen's email that opened it."""

    reply_token: str
    opened_by: str | None = None


def register_thread_source(app, source):
    """Make ``source(request_id) -> Thread | None`` answer for ``app`` (intake registers it)."""
    app.extensions["tandem.thread_source"] = source


def reply_domain():
    return current_app.config.get("MAIL_REPLY_DOMAIN") or None


def mac(kind, number):
    key = current_app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    return hmac.new(key, f"mail-thread:{kind}{number}".encode(), hashlib.sha256).hexdigest()[:16]


def signed_id(kind, number):
    return f"<tandem.{kind}{number}.{mac(kind, number)}@{reply_domain()}>"


def reply_address(token):
    """The address a reply about the request with ``token`` goes to."""
    return f"{current_app.config['MAIL_REPLY_LOCAL']}+{token}@{reply_domain()}"


def headers_for(notification):
    """``{header: value}`` to add to ``notification``'s email: Reply-To and the thread's ids. Empty for staff
    messages, text messages, or where no reply domain is set."""
    source = current_app.extensions.get("tandem.thread_source")
    if not reply_domain() or notification.channel != "email" or not notification.request_id or source is None:
        return {}
    thread = source(notification.request_id)
    if thread is None:
        return {}
    root = signed_id("r", notification.request_id)
    opened_by = [thread.opened_by] if thread.opened_by else []
    headers = {"Reply-To": reply_address(thread.reply_token)}
    if notification.template == ROOT_TEMPLATE:
        headers["Message-ID"] = root
        if opened_by:
            # the acknowledgement answers the citizen's own email, in the same thread
            headers["In-Reply-To"] = opened_by[0]
            headers["References"] = opened_by[0]
    else:
        headers["Message-ID"] = signed_id("n", notification.id)
        headers["In-Reply-To"] = root
        headers["References"] = " ".join(opened_by + [root])
    return headers


def requests_named(*header_values):
    """The request ids that signed Message-IDs in ``header_values`` (In-Reply-To, References) name, most recent
    reference first; ids whose signature does not match are ignored."""
    found = []
    for value in header_values:
        for kind, number, signature, _domain in reversed(SIGNED_ID.findall(value or "")):
            if not hmac.compare_digest(signature, mac(kind, number)):
                continue
            request_id = int(number) if kind == "r" else db.session.scalar(
                db.select(Notification.request_id).where(Notification.id == int(number)))
            if request_id and request_id not in found:
                found.append(request_id)
    return found


def is_ours(message_id):
    """Whether ``message_id`` is one Tandem signed (a message of its own coming back)."""
    match = SIGNED_ID.search(message_id or "")
    return bool(match) and hmac.compare_digest(match.group(3), mac(match.group(1), match.group(2)))
