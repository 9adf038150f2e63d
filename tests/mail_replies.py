"""Test helpers for email in: citizens' replies built from the real-looking fixtures, addressed as a mail client
addresses an answer to a message Tandem sent."""
import re
from pathlib import Path

FIXTURES = Path(__file__).parent / "mail_fixtures"
REPLY_DOMAIN = "mail.tandem.test"


def fixture(name):
    return (FIXTURES / name).read_bytes()


def with_headers(raw, **headers):
    """``raw`` with each header in ``headers`` (``In_Reply_To`` for In-Reply-To) set to its value, the rest of the
    bytes untouched; a header not in the message is added at the top."""
    head, separator, body = raw.partition(b"\n\n") if b"\r\n\r\n" not in raw else raw.partition(b"\r\n\r\n")
    for name, value in headers.items():
        name = name.replace("_", "-").encode()
        line = name + b": " + value.encode()
        lines = head + b"\n"
        found = re.search(rb"(?im)^" + re.escape(name) + rb":[^\n]*\n(?:[ \t][^\n]*\n)*", lines)
        if found:
            head = (lines[:found.start()] + line + b"\n" + lines[found.end():]).rstrip(b"\n")
        else:
            head = line + b"\n" + head
    return head + separator + body


def reply_to(acknowledgement, fixture_name="gmail_en.eml", sender="ana@example.org", message_id=None, to=None):
    """The citizen's reply (the fixture's text) to ``acknowledgement`` (an email Tandem sent, parsed), addressed to
    its Reply-To and answering its Message-ID, as every mail client does."""
    return with_headers(fixture(fixture_name), From=f"Ana Citizen <{sender}>", To=to or acknowledgement["Reply-To"],
                        In_Reply_To=acknowledgement["Message-ID"], References=acknowledgement["Message-ID"],
                        Message_ID=message_id or f"<reply-{fixture_name}@example.org>")
