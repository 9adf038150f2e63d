"""A real IMAP server: Debian's dovecot on loopback, with one mailbox user, in a folder of its own.

Mail is put in the mailbox with IMAP APPEND, as a mail system delivers it; the test reads what is left there.
"""
import grp
import imaplib
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from bench.harness.processes import free_port

DOVECOT = "/usr/sbin/dovecot"
USER, PASSWORD = "requests", "imap-test-password"
# dovecot will not give mail to root: the mailbox belongs to an unprivileged account
MAIL_ACCOUNT = "nobody"

CONFIG = """
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
mail_location = maildir:{root}/home/%u/Maildir
default_internal_user = dovecot
default_login_user = dovenull
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


class ImapServer:
    """``start()``, then ``url`` is the INBOUND_IMAP_URL to configure; ``append(raw)`` delivers a message."""

    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="tandem-imap-"))
        self.port = free_port()
        self.process = None

    @property
    def url(self):
        return f"imap://{USER}:{PASSWORD}@127.0.0.1:{self.port}/INBOX?tls=none"

    def start(self):
        account = pwd.getpwnam(MAIL_ACCOUNT)
        self.root.chmod(0o755)
        for folder in ("run", "state", f"home/{USER}"):
            (self.root / folder).mkdir(parents=True, exist_ok=True)
        shutil.chown(self.root / "home" / USER, account.pw_uid, grp.getgrgid(account.pw_gid).gr_gid)
        (self.root / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        (self.root / "dovecot.conf").write_text(CONFIG.format(
            root=self.root, port=self.port, uid=account.pw_uid, gid=account.pw_gid))
        self.process = subprocess.Popen([DOVECOT, "-F", "-c", str(self.root / "dovecot.conf")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with self.client():
                    return self
            except (OSError, imaplib.IMAP4.error):
                if self.process.poll() is not None:
                    raise RuntimeError("dovecot stopped: " + self.log()) from None
                time.sleep(0.1)
        raise RuntimeError("dovecot did not answer: " + self.log())

    def log(self):
        path = self.root / "dovecot.log"
        return path.read_text()[-2000:] if path.exists() else self.process.stderr.read().decode()[-2000:]

    def client(self):
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        client.login(USER, PASSWORD)
        return client

    def append(self, *messages):
        with self.client() as client:
            for raw in messages:
                status, _ = client.append("INBOX", None, None, raw)
                assert status == "OK"

    def unseen(self):
        """How many messages in the inbox are not marked seen."""
        with self.client() as client:
            client.select("INBOX")
            _, data = client.search(None, "UNSEEN")
            return len(data[0].split())

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.root, ignore_errors=True)


def dovecot_installed():
    return os.path.exists(DOVECOT)
