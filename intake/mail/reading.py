"""Reading one raw email: who sent it, to whom, what it answers, its text and attachments, and what kind of
mail it is (a person's message, an auto-reply, a delivery failure report).

Pure: bytes in, a ``Letter`` out, or ``Unreadable`` with the reason an admin reads.
"""
import hashlib
import html
import re
from dataclasses import dataclass, field
from email import policy
from email.header import decode_header, make_header
from email.headerregistry import Address
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr

# a message larger than this is not read (its raw bytes are kept for an admin to look at)
MAX_BYTES = 25 * 1024 * 1024
AUTO_PRECEDENCE = {"bulk", "auto_reply", "list", "junk"}
TAG = re.compile(r"<[^>]+>")
BLOCKS = re.compile(r"</?(p|div|br|tr|li|h\d|blockquote)[^>]*>", re.IGNORECASE)
DROPPED = re.compile(r"<(script|style|head)[^>]*>.*?</\1>", re.IGNORECASE | re.DOTALL)


class Unreadable(ValueError):
    """The message cannot be read; ``str()`` says why, for the admins' list."""


@dataclass
class Attachment:
    filename: str
    content_type: str
    data: bytes

    @property
    def is_image(self):
        return self.content_type.startswith("image/")


@dataclass
class Letter:
    message_id: str | None
    sender: str
    sender_name: str
    recipients: list
    subject: str
    in_reply_to: str
    references: str
    text: str
    language: str | None = None
    attachments: list = field(default_factory=list)
    # auto-reply, out of office, a mailing list: recorded, never answered
    automatic: str | None = None
    # a delivery status notification, and the Message-IDs of what it reports on
    bounce: bool = False
    bounced_ids: list = field(default_factory=list)
    bounced_recipients: list = field(default_factory=list)


def message_key(raw, message_id):
    """What makes the same message the same when it comes twice: its Message-ID, or a digest of its bytes."""
    if message_id:
        return message_id.strip()[:255]
    return "sha256:" + hashlib.sha256(raw).hexdigest()


FOLD = re.compile(r"\r?\n[ \t]+")


def header(message, name):
    """Header ``name`` of ``message`` as text: unfolded, its encoded words (RFC 2047) decoded; "" when absent."""
    value = message.get(name)
    return decoded(FOLD.sub(" ", str(value))).strip() if value is not None else ""


def decoded(value):
    """``value`` with its encoded words decoded; a word in a character set nobody knows is read as UTF-8, with
    what cannot be read replaced (a header is never a reason to lose a message)."""
    if "=?" not in value:
        return value
    try:
        return str(make_header(decode_header(value)))
    except (LookupError, UnicodeError):
        return "".join(chunk if isinstance(chunk, str) else chunk.decode("utf-8", "replace")
                       for chunk, _charset in decode_header(value))
    except ValueError:
        return value


def read(raw):
    """``raw`` (bytes) as a ``Letter``. Raises ``Unreadable``."""
    if len(raw) > MAX_BYTES:
        raise Unreadable(f"it is {len(raw) / 1048576:.1f} MB, over the {MAX_BYTES // 1048576} MB limit")
    try:
        # compat32: headers stay text until asked for (parsing every header into objects cost 2 ms a message)
        message = BytesParser(policy=policy.compat32).parsebytes(raw)
    except Exception as error:  # the parser's failures are many and undocumented: each is "unreadable"
        raise Unreadable(f"it is not a well-formed email ({type(error).__name__})") from None
    if not message.keys():
        raise Unreadable("it has no headers: it is not an email")
    sender_name, sender = parseaddr(FOLD.sub(" ", message.get("From", "")))
    sender_name = decoded(sender_name)
    recipients = [address.lower() for _name, address in getaddresses(
        [FOLD.sub(" ", message.get(name, "")) for name in ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To")])
        if address]
    letter = Letter(
        message_id=header(message, "Message-ID") or None, sender=sender.lower(), sender_name=sender_name,
        recipients=recipients, subject=header(message, "Subject"), in_reply_to=header(message, "In-Reply-To"),
        references=header(message, "References"), text="",
        language=(header(message, "Content-Language").split(",")[0].split("-")[0].strip().lower() or None),
        automatic=automatic(message, sender))
    if is_delivery_report(message, sender):
        letter.bounce = True
        letter.bounced_ids, letter.bounced_recipients = reported(message)
        return letter
    letter.text, letter.attachments = body_and_attachments(message)
    if not letter.text.strip() and not letter.attachments:
        raise Unreadable("it has no text and no attachment")
    return letter


def automatic(message, sender):
    """Why ``message`` was written by a machine (an auto-reply, a list), or None for a person's message."""
    submitted = header(message, "Auto-Submitted").lower()
    if submitted and submitted != "no":
        return f"Auto-Submitted: {submitted}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress"):
        if header(message, name) and name != "X-Auto-Response-Suppress":
            return f"{name} header"
    if header(message, "Precedence").lower() in AUTO_PRECEDENCE:
        return f"Precedence: {header(message, 'Precedence').lower()}"
    if header(message, "List-Id") or header(message, "List-Unsubscribe"):
        return "sent to a mailing list"
    if not sender:
        return "no sender"
    return None


def is_delivery_report(message, sender):
    content_type = message.get_content_type()
    if content_type == "multipart/report" and message.get_param("report-type", "").lower() == "delivery-status":
        return True
    local = sender.split("@")[0].lower()
    return local in ("mailer-daemon", "postmaster") and content_type.startswith("multipart/")


def reported(message):
    """``(message ids, failed recipients)`` a delivery report names: from its returned headers and its status."""
    ids, recipients = [], []
    for part in message.walk():
        content_type = part.get_content_type()
        if content_type in ("message/rfc822", "text/rfc822-headers", "message/rfc822-headers"):
            text = part.as_string() if content_type == "message/rfc822" else part.get_payload(decode=True) or b""
            text = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
            ids += re.findall(r"(?im)^Message-ID:\s*(<[^>\s]+>)", text)
        elif content_type == "message/delivery-status":
            text = part.as_string()
            recipients += [address.strip().lower() for address in
                           re.findall(r"(?im)^(?:Final|Original)-Recipient:\s*rfc822;\s*(\S+)", text)]
    return ids, sorted(set(recipients))


def body_and_attachments(message):
    """The message's text (its plain part, else its HTML as text) and its attachments."""
    plain, markup, attachments = None, None, []
    for part in message.walk():
        if part.is_multipart():
            continue
        content_type = part.get_content_type()
        disposition = (part.get_content_disposition() or "").lower()
        filename = decoded(part.get_filename() or "") or None
        if disposition == "attachment" or filename or not content_type.startswith("text/"):
            try:
                data = part.get_payload(decode=True) or b""
            except Exception:
                raise Unreadable(f"an attachment ({filename or content_type}) cannot be decoded") from None
            attachments.append(Attachment(filename or "attachment", content_type, data))
            continue
        charset = part.get_content_charset() or "us-ascii"
        try:
            content = (part.get_payload(decode=True) or b"").decode(charset, "replace")
        except LookupError as error:
            raise Unreadable(f"its text is in a character set that cannot be read ({error})") from None
        if content_type == "text/plain" and plain is None:
            plain = content
        elif content_type == "text/html" and markup is None:
            markup = content
    text = plain if plain is not None else as_text(markup or "")
    return text.replace("\r\n", "\n").replace("\x00", ""), attachments


def as_text(markup):
    """An HTML body as plain text: blocks become lines, tags go, entities are read."""
    text = re.sub(r"\s+", " ", DROPPED.sub("", markup))  # the markup's own line breaks mean nothing
    text = TAG.sub("", BLOCKS.sub("\n", text))
    lines = [line.strip() for line in html.unescape(text).split("\n")]
    return re.sub(r"\n{2,}", "\n", "\n".join(lines)).strip()


def address_of(text):
    """The bare address in ``text`` (``Name <a@b>`` or ``a@b``), lower-cased."""
    try:
        return Address(addr_spec=parseaddr(text)[1]).addr_spec.lower()
    except (ValueError, IndexError):
        return ""
