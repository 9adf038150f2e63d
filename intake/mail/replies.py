"""A citizen's reply to an email Tandem sent, written as a mail client writes one (for trying email in without a
mail server, and for the benchmark): from the recipient, to the Reply-To, in the thread, the original quoted."""
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import formatdate, make_msgid


def answer_to(sent, text):
    """The bytes of a reply saying ``text`` to ``sent`` (the bytes of an email Tandem sent)."""
    original = BytesParser(policy=policy.default).parsebytes(sent)
    body = original.get_body(preferencelist=("plain",))
    quoted = "\n".join("> " + line for line in (body.get_content() if body else "").splitlines())
    reply = EmailMessage()
    reply["From"] = original["To"]
    reply["To"] = original["Reply-To"] or original["From"]
    reply["Subject"] = "Re: " + (original["Subject"] or "")
    reply["Date"] = formatdate(localtime=True)
    reply["Message-ID"] = make_msgid(domain="citizen.example")
    if original["Message-ID"]:
        reply["In-Reply-To"] = original["Message-ID"]
        reply["References"] = " ".join(filter(None, [original["References"], original["Message-ID"]]))
    reply.set_content(f"{text}\n\nOn {original['Date']}, {original['From']} wrote:\n{quoted}\n")
    return reply.as_bytes()
