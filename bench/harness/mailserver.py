"""A real SMTP server (aiosmtpd) on loopback, collecting what it receives."""
import asyncio
import subprocess
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller

from bench.harness.processes import free_port


class Collector:
    """aiosmtpd handler that keeps every message as a parsed ``EmailMessage``.

    ``hold_seconds`` makes each recipient wait that long before it is taken,
    so a sender can be caught (and killed) mid-send, before any message is
    whole; ``held`` counts the senders caught so.
    """

    def __init__(self):
        self.messages = []
        self.hold_seconds = 0
        self.held = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.hold_seconds:
            self.held += 1
            await asyncio.sleep(self.hold_seconds)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        message.envelope_recipients = list(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"


class MailServer:
    """Start with ``start()``; ``url`` is the SMTP_URL to configure; ``stop()`` when done."""

    def __init__(self):
        self.collector = Collector()
        self.port = free_port()
        self.controller = Controller(self.collector, hostname="127.0.0.1", port=self.port)

    @property
    def url(self):
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def messages(self):
        return self.collector.messages

    def start(self):
        """Listen on a free port; another process may take the port between the probe and the bind (the
        recovery tests start PostgreSQL and Redis beside this), so a taken port is given up for another."""
        for attempt in range(5):
            try:
                self.controller.start()
                return self
            except OSError:
                if attempt == 4:
                    raise
                self.port = free_port()
                self.controller = Controller(self.collector, hostname="127.0.0.1", port=self.port)
        return self

    def stop(self):
        self.controller.stop()

    def messages_to(self, address):
        return [message for message in self.messages if message["To"] == address]


def self_signed_certificate(folder):
    """A certificate and key for 127.0.0.1 in ``folder`` (openssl), standing in for a relay's private CA."""
    cert, key = folder / "relay.pem", folder / "relay.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


def body_of(message):
    """The plain-text body of ``message``."""
    part = message.get_body(preferencelist=("plain",))
    return part.get_content()
