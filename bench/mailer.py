"""The mailer's CPU per message: acknowledgements delivered over SMTP, plain and with STARTTLS.

Usage (from the repository root, PostgreSQL running):

    .venv/bin/python bench/mailer.py [--messages 300]

Queues ``--messages`` acknowledgements in its own database
(``tandem_bench_mailer``, recreated) and delivers each as the notification
worker does (``notifications.services.deliver``: claim, render, send, mark
sent) to a real SMTP server (aiosmtpd) on loopback, once without TLS in the
default configuration (no ``SMTP_CA_FILE``) and once through STARTTLS with a
private CA (a city's internal relay). Prints, for
each, messages per second and the sending thread's CPU per message (the
server's thread is not counted). Prints figures; asserts nothing.
"""
import argparse
import os
import ssl
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiosmtpd.controller import Controller  # noqa: E402

from bench import common  # noqa: E402
from bench.harness.mailserver import Collector, self_signed_certificate  # noqa: E402
from bench.harness.processes import free_port  # noqa: E402

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/tandem_bench_mailer")


def relay(cert=None, key=None):
    """A started aiosmtpd on a free port, demanding STARTTLS when given a certificate; returns it and its URL."""
    tls = None
    if cert:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(cert, key)
    port = free_port()
    controller = Controller(Collector(), hostname="127.0.0.1", port=port, tls_context=tls, require_starttls=bool(tls))
    controller.start()
    return controller, f"smtp://127.0.0.1:{port}" + ("?starttls=1" if tls else "")


def deliver_all(app, count, label):
    """Queue ``count`` acknowledgements and deliver each; print the rate and the CPU per message."""
    from core.extensions import db
    from notifications import services as outbox
    from notifications.models import DeliveryStatus, Notification

    with app.app_context():
        queued = [outbox.queue_message(
            dedupe_key=f"{label}-{number}", recipient=f"resident{number}@example.org", template="update_posted",
            language="en", payload={"reference": f"R-BNCH-{number:04d}", "message": "Crew booked",
                                    "tracking_url": "http://tandem.test/track"}) for number in range(count)]
        db.session.commit()
        ids = [notification.id for notification in queued]
        started, cpu = time.perf_counter(), time.thread_time()
        for notification_id in ids:
            outbox.deliver(notification_id)
        seconds, cpu = time.perf_counter() - started, time.thread_time() - cpu
        sent = db.session.scalar(db.select(db.func.count()).select_from(Notification).where(
            Notification.id.in_(ids), Notification.status == DeliveryStatus.SENT))
    print(f"{label:<10} {sent} of {count} sent   {count / seconds:6.1f} messages/s   "
          f"{cpu / count * 1000:5.1f} ms CPU a message", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=300)
    arguments = parser.parse_args()
    common.recreate_database(DATABASE_URL)
    from core import create_app
    from core.extensions import db

    with tempfile.TemporaryDirectory() as folder:
        cert, key = self_signed_certificate(Path(folder))
        app = create_app({"SQLALCHEMY_DATABASE_URI": DATABASE_URL, "SECRET_KEY": "bench", "LOG_LEVEL": "WARNING"})
        with app.app_context():
            db.create_all()
        for label, server_cert in (("plain", None), ("STARTTLS", cert)):
            controller, url = relay(server_cert, key)
            # the default configuration (no SMTP_CA_FILE: the system's CAs), and a private CA for the relay's TLS
            app.config.update(SMTP_URL=url, SMTP_CA_FILE=str(server_cert) if server_cert else None)
            try:
                deliver_all(app, arguments.messages, label)
            finally:
                controller.stop()


if __name__ == "__main__":
    main()
