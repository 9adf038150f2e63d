"""A mailer killed with kill -9 mid-send, under the Procfile's real processes with default settings.

The SMTP server holds each recipient so the mailer is caught before any
message is whole; it is killed and another started. Every acknowledgement
still arrives, exactly once, and soon.
"""
import time

import pytest

from bench.harness.faults import Partner
from bench.harness.processes import wait_for

pytestmark = pytest.mark.slow


def test_a_mailer_killed_mid_send_sends_every_message_once(deployment):
    # the server holds from the start, so the mailer is surely mid-send when it is killed
    deployment.mail.collector.hold_seconds = 30
    partner = Partner(deployment.running["web"].url, deployment.key)
    partner.thread.start()
    partner.wait_for_accepted(40)
    partner.stop()
    assert partner.accepted, partner.statuses  # how many varies with how fast gunicorn warms up
    deployment.kill_mailer_mid_send()
    restarted = time.monotonic()
    wait_for(lambda: sum(deployment.acknowledgements().values()) >= 2 * len(partner.accepted), 90,
             "every acknowledgement to be sent")
    seconds = time.monotonic() - restarted
    sent = deployment.acknowledgements()
    print(f"{len(partner.accepted)} requests ({dict(partner.statuses)}); all acknowledged {seconds:.1f} s after the mailer was killed")
    assert set(sent) == set(partner.accepted) and set(sent.values()) == {2}, sent
    assert seconds <= 45
    assert all(deployment.alive().values())
