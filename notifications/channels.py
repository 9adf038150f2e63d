"""Delivery channels. Each has ``send(recipient, message)``; email is the first."""
import functools
import hashlib
import hmac
import json
import os
import smtplib
import ssl
import time
import urllib.error
import urllib.request
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from flask import current_app


class PermanentFailure(Exception):
    """Sending can never succeed (a refused address); do not retry."""


def build_email(recipient, message):
    """Return an ``EmailMessage`` for ``message`` (an ``OutgoingMessage``)."""
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_FROM"]
    email["To"] = recipient
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = make_msgid(domain="tandem.localhost")
    for name, value in message.headers.items():
        del email[name]
        email[name] = value
    email.set_content(message.text)
    if message.html:
        email.add_alternative(message.html, subtype="html")
    return email


class MailboxChannel:
    """Writes each email as an .eml file a person can open: the zero-config default."""

    def __init__(self, folder):
        self.folder = Path(folder)

    def send(self, recipient, message):
        self.folder.mkdir(parents=True, exist_ok=True)
        email = build_email(recipient, message)
        name = email["Message-ID"].strip("<>").replace("@", "_")
        (self.folder / f"{name}.eml").write_bytes(bytes(email))


class SMTPChannel:
    """Sends email through an SMTP server named by a URL.

    ``smtp://user:pass@host:587?starttls=1`` upgrades with STARTTLS;
    ``smtps://host:465`` uses implicit TLS.
    """

    def __init__(self, url, ca_file=None):
        # a private CA, for a city's internal mail relay; None trusts the system's CAs
        self.ca_file = ca_file
        parts = urlsplit(url)
        self.implicit_tls = parts.scheme == "smtps"
        self.starttls = parse_qs(parts.query).get("starttls", ["0"])[0] in {"1", "true", "yes"}
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or (465 if self.implicit_tls else 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None

    def connect(self):
        if self.implicit_tls:
            return smtplib.SMTP_SSL(self.host, self.port, timeout=15, context=tls_context(self.ca_file))
        client = smtplib.SMTP(self.host, self.port, timeout=15)
        if self.starttls:
            client.starttls(context=tls_context(self.ca_file))
        return client

    def send(self, recipient, message):
        email = build_email(recipient, message)
        try:
            with self.connect() as client:
                if self.username:
                    client.login(self.username, self.password or "")
                client.send_message(email)
        except smtplib.SMTPAuthenticationError as error:
            raise PermanentFailure("the mail server refused Tandem's user name or password") from error
        except smtplib.SMTPRecipientsRefused as error:
            raise PermanentFailure(f"the mail server refused the address: {error.recipients}") from error
        except smtplib.SMTPResponseException as error:
            # 5xx is the server's final word; 4xx is worth trying again
            if 500 <= error.smtp_code < 600:
                raise PermanentFailure(f"the mail server refused the message ({error.smtp_code})") from error
            raise


def tls_context(ca_file=None):
    """The TLS settings for the mail server, trusting ``ca_file`` (None: the system's CAs).

    Made once per process and version of the file, not per message: making one reads the whole CA store,
    25 ms of CPU on every message here. A CA file replaced in place (a misconfiguration being fixed) is read
    again on the next send, so the mail kept for retry then goes without restarting the mailer.
    """
    try:
        stat = os.stat(ca_file) if ca_file else None
    except OSError:
        stat = None  # ssl then raises its own error about the missing file, and the message waits for a retry
    return _tls_context(ca_file, stat and (stat.st_ino, stat.st_mtime_ns, stat.st_size))


@functools.lru_cache(maxsize=8)
def _tls_context(ca_file, _version):
    return ssl.create_default_context(cafile=ca_file)


class WebhookChannel:
    """Posts each message as signed JSON to a provider's URL (an SMS gateway, a chat bridge).

    The receiver checks ``X-Tandem-Signature: sha256=<hex>``, an HMAC-SHA256
    of ``<timestamp>.<body>`` with the shared secret, and rejects stale
    timestamps, so a captured request cannot be replayed or forged.
    """

    def __init__(self, url, secret, channel):
        self.url = url
        self.secret = secret.encode()
        self.channel = channel

    def signature(self, timestamp, body):
        digest = hmac.new(self.secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
        return f"sha256={digest}"

    def send(self, recipient, message):
        body = json.dumps({
            "channel": self.channel, "to": recipient, "subject": message.subject, "text": message.text,
        }).encode()
        timestamp = str(int(time.time()))
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/json",
            "X-Tandem-Timestamp": timestamp,
            "X-Tandem-Signature": self.signature(timestamp, body),
        })
        try:
            # the URL is operator configuration (SMS_WEBHOOK_URL), never user input
            with urllib.request.urlopen(request, timeout=15) as response:  # nosec B310
                response.read()
        except urllib.error.HTTPError as error:
            # 4xx other than 408/429 will not get better by retrying
            if 400 <= error.code < 500 and error.code not in (408, 429):
                raise PermanentFailure(f"the {self.channel} provider refused the message ({error.code})") from error
            raise


def channel_for(name):
    """Return the configured channel called ``name`` (``email`` or ``sms``)."""
    config = current_app.config
    if name == "email":
        if config.get("SMTP_URL"):
            return SMTPChannel(config["SMTP_URL"], ca_file=config.get("SMTP_CA_FILE"))
        return MailboxChannel(config["MAILBOX_DIR"])
    if name == "sms" and config.get("SMS_WEBHOOK_URL"):
        return WebhookChannel(config["SMS_WEBHOOK_URL"], config.get("SMS_WEBHOOK_SECRET") or "", channel="sms")
    raise PermanentFailure(f"no {name!r} channel is configured")
